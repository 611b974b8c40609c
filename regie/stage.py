"""The stage contract: content-addressed outputs, manifest last, no work when the manifest exists.

A stage's output key is the hash of its name, its version, the identities of its inputs and its
options. Its files go under ``<work>/<asset_id>/<stage>/<key>/`` and its ``_manifest.json`` is
written after all of them, atomically: a prefix without a manifest is an interrupted run and is
never read. Running a stage twice with the same key therefore does the work once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from regie.artefacts import Artefact
from regie.storage import Storage, join_url

log = logging.getLogger("regie.stage")
A = TypeVar("A", bound=Artefact)
MANIFEST_NAME = "_manifest.json"
KEY_LENGTH = 16
MANIFEST_SCHEMA_VERSION = 1


class StageOptions(BaseModel):
    """Base of every stage's options: frozen, so they can be hashed into the key."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class NoOptions(StageOptions):
    """For stages without options."""


class OutputFile(BaseModel):
    """One file a stage wrote."""

    name: str
    uri: str
    size: int
    sha256: str


class Provenance(BaseModel):
    """How an artefact was made: tools, options, host, timings and where it was written."""

    tools: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    host: str = Field(default_factory=platform.node)
    python: str = Field(default_factory=platform.python_version)
    started_at: datetime
    finished_at: datetime
    duration_s: float
    written_to: str = Field(description="Store location of the outputs (residency record).")


class Manifest(BaseModel, Generic[A]):
    """The record a finished stage leaves: its artefact, its files and its provenance."""

    schema_version: int = MANIFEST_SCHEMA_VERSION
    stage: str
    stage_version: str
    key: str
    asset_id: str
    inputs: dict[str, str]
    artefact: A
    outputs: list[OutputFile] = Field(default_factory=list)
    provenance: Provenance


@dataclass(frozen=True)
class Stage(Generic[A]):
    """A stage's identity: bump ``version`` whenever its outputs would change."""

    name: str
    version: str
    artefact: type[A]


@dataclass(frozen=True)
class StageContext:
    """What every stage needs from its environment."""

    storage: Storage
    work_url: str
    scratch_dir: Path


@dataclass
class StageRun:
    """Handed to a stage's producer: a private scratch folder and a way to publish outputs."""

    context: StageContext
    prefix: str
    scratch: Path
    tools: dict[str, str] = field(default_factory=dict)
    outputs: list[OutputFile] = field(default_factory=list)

    def publish(self, local: Path, name: str, content_type: str | None = None) -> str:
        """Upload a scratch file under the stage's prefix and record it; returns its URI."""
        stored = self.context.storage.put_file(local, join_url(self.prefix, name), content_type)
        self.outputs.append(
            OutputFile(name=name, uri=stored.url, size=stored.size, sha256=stored.sha256)
        )
        return stored.url

    def publish_text(self, name: str, text: str, content_type: str) -> str:
        """Write ``text`` (UTF-8) to scratch and publish it under ``name``; returns its URI."""
        local = self.scratch / name
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(text, encoding="utf-8")
        return self.publish(local, name, content_type)


@dataclass(frozen=True)
class StageOutcome(Generic[A]):
    """A stage's manifest, where it is, and whether this call did the work."""

    manifest: Manifest[A]
    manifest_url: str
    reused: bool

    @property
    def artefact(self) -> A:
        return self.manifest.artefact


def stage_key(stage: Stage[Any], inputs: Mapping[str, str], options: StageOptions) -> str:
    """Hash of everything that determines a stage's outputs."""
    identity = {
        "stage": stage.name,
        "version": stage.version,
        "inputs": dict(sorted(inputs.items())),
        "options": options.model_dump(mode="json"),
    }
    encoded = json.dumps(identity, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:KEY_LENGTH]


def stage_prefix(work_url: str, asset_id: str, stage: str, key: str) -> str:
    return join_url(work_url, asset_id, stage, key)


def run_stage(
    stage: Stage[A],
    asset_id: str,
    inputs: Mapping[str, str],
    options: StageOptions,
    context: StageContext,
    produce: Callable[[StageRun], A],
) -> StageOutcome[A]:
    """Return the stage's manifest, producing it first unless it already exists.

    Args:
        stage: Which stage and version.
        asset_id: Asset being processed.
        inputs: Identity of each input (checksum or upstream manifest key).
        options: The stage's options, part of the key.
        context: Storage, work URL and scratch folder.
        produce: Does the work in a ``StageRun`` and returns the artefact.

    Returns:
        The outcome, with ``reused`` true when nothing was done.
    """
    key = stage_key(stage, inputs, options)
    prefix = stage_prefix(context.work_url, asset_id, stage.name, key)
    manifest_url = join_url(prefix, MANIFEST_NAME)
    existing = read_manifest(context.storage, manifest_url, stage.artefact)
    if existing is not None:
        log.info("%s: %s already done (%s), reusing it", asset_id, stage.name, key)
        return StageOutcome(existing, manifest_url, reused=True)
    started, clock = datetime.now(UTC), time.monotonic()
    run = StageRun(context=context, prefix=prefix, scratch=_new_scratch(context, asset_id, stage))
    try:
        artefact = produce(run)
    finally:
        shutil.rmtree(run.scratch, ignore_errors=True)
    # pydantic parametrises the generic at run time with the stage's artefact class; mypy wants a
    # type known statically
    manifest = Manifest[stage.artefact](  # type: ignore[name-defined]
        stage=stage.name,
        stage_version=stage.version,
        key=key,
        asset_id=asset_id,
        inputs=dict(inputs),
        artefact=artefact,
        outputs=run.outputs,
        provenance=Provenance(
            tools=run.tools,
            options=options.model_dump(mode="json"),
            started_at=started,
            finished_at=datetime.now(UTC),
            duration_s=round(time.monotonic() - clock, 3),
            written_to=context.storage.location(prefix),
        ),
    )
    context.storage.write_bytes(
        manifest_url, manifest.model_dump_json(indent=2).encode(), "application/json"
    )
    log.info("%s: %s done in %.1f s", asset_id, stage.name, manifest.provenance.duration_s)
    return StageOutcome(manifest, manifest_url, reused=False)


def read_manifest(storage: Storage, manifest_url: str, artefact: type[A]) -> Manifest[A] | None:
    """The manifest at ``manifest_url``, or None if the stage has not finished there."""
    if not storage.exists(manifest_url):
        return None
    model = Manifest[artefact]  # type: ignore[valid-type]  # parametrised at run time, as above
    return model.model_validate_json(storage.read_bytes(manifest_url))


def _new_scratch(context: StageContext, asset_id: str, stage: Stage[Any]) -> Path:
    context.scratch_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{asset_id}-{stage.name}-", dir=context.scratch_dir))
