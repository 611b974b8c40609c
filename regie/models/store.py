"""Named models in a store URL (``file://`` or ``s3://``), verified by checksum, cached locally.

Layout: ``<store>/<name>/model.json`` (the entry: format, files with sizes and SHA-256, digest) and
the files under ``<store>/<name>/<digest>/``. The entry is written last, so a half-imported model is
never seen, and a re-import with new weights lands beside the old ones instead of over them. A
worker downloads a model once into ``<cache>/<name>/<digest>/`` and checks every file's SHA-256
before using it. Nothing here contacts a model hub.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from regie.errors import IntegrityError, PermanentError
from regie.models.formats import ModelFormat, detect_format
from regie.storage import Storage, copy_hashing, join_url

ENTRY_NAME = "model.json"
COMPLETE_MARK = ".verified"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class ModelFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str = Field(description="Path inside the model (a file name for one-file models).")
    size: int
    sha256: str


class PackageRef(BaseModel):
    """A package a model was taken from, pinned by version and by the hash of its wheel."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    wheel_sha256: str


class Provenance(BaseModel):
    """Where an imported model came from and what the import checked."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="The download URL, or the package index and packages.")
    origin: str = Field("", description="Who made the weights, and their licence.")
    packages: list[PackageRef] = Field(default_factory=list, description="Pinned packages.")
    checked: dict[str, str] = Field(
        default_factory=dict, description="SHA-256 of each file, checked against a pinned value."
    )


class ModelEntry(BaseModel):
    """A model as the store knows it."""

    model_config = ConfigDict(frozen=True)

    name: str
    format: ModelFormat
    single_file: bool = Field(description="A checkpoint file rather than a folder.")
    files: list[ModelFile]
    digest: str = Field(description="SHA-256 over the files' paths and checksums.")
    source: str = Field("", description="Where it was imported from.")
    provenance: Provenance | None = Field(None, description="Set by the pinned importers.")
    added_at: datetime


class LocalModel(BaseModel):
    """A verified local copy, ready for a backend to load."""

    model_config = ConfigDict(frozen=True)

    name: str
    format: ModelFormat
    digest: str
    path: Path


class ModelNotFoundError(PermanentError):
    """The store has no model of that name."""


class ModelStore:
    """Models by name at ``url``, cached under ``cache_dir``."""

    def __init__(self, storage: Storage, url: str, cache_dir: Path) -> None:
        self.storage, self.url, self.cache_dir = storage, url.rstrip("/"), cache_dir

    def entry(self, name: str) -> ModelEntry:
        """The store's entry for ``name``.

        Raises:
            ModelNotFoundError: Not in the store (says where it looked and how to add it).
        """
        _check_name(name)
        entry_url = join_url(self.url, name, ENTRY_NAME)
        if not self.storage.exists(entry_url):
            raise ModelNotFoundError(
                name,
                f"model not found in the model store (looked for {entry_url})",
                f"add it with `regie models add {name} PATH`",
            )
        return ModelEntry.model_validate_json(self.storage.read_bytes(entry_url))

    def has(self, name: str) -> bool:
        return self.storage.exists(join_url(self.url, name, ENTRY_NAME))

    def identity(self, name: str) -> str:
        """``name@digest``, or ``name@absent``: which model a stage key was made with."""
        return f"{name}@{self.entry(name).digest}" if self.has(name) else f"{name}@absent"

    def names(self) -> list[str]:
        return sorted(
            info.url.rstrip("/").split("/")[-2]
            for info in self.storage.iter_objects(self.url)
            if info.url.endswith(f"/{ENTRY_NAME}")
        )

    def resolve(self, name: str) -> LocalModel:
        """A verified local copy of ``name``, downloaded on first use."""
        entry = self.entry(name)
        folder = self.cache_dir / name / entry.digest
        if not (folder / COMPLETE_MARK).exists():
            self._download(entry, folder)
        path = folder / entry.files[0].path if entry.single_file else folder
        return LocalModel(name=name, format=entry.format, digest=entry.digest, path=path)

    def add(self, name: str, path: Path, provenance: Provenance | None = None) -> ModelEntry:
        """Import the model at ``path`` (a checkpoint file or a folder) under ``name``."""
        _check_name(name)
        model_format = detect_format(path)
        single = path.is_file()
        local_files = [path] if single else sorted(p for p in path.rglob("*") if p.is_file())
        named = [(f, f.name if single else f.relative_to(path).as_posix()) for f in local_files]
        checksums = {relative: _sha256(local) for local, relative in named}
        digest = _digest(checksums)
        files = [self._upload(name, digest, local, rel, checksums[rel]) for local, rel in named]
        entry = ModelEntry(
            name=name, format=model_format, single_file=single, files=files, digest=digest,
            source=provenance.source if provenance else str(path.resolve()),
            provenance=provenance, added_at=datetime.now(UTC),
        )  # fmt: skip
        self.storage.write_bytes(
            join_url(self.url, name, ENTRY_NAME), entry.model_dump_json(indent=2).encode(),
            "application/json",
        )  # fmt: skip
        return entry

    def _upload(self, name: str, digest: str, local: Path, relative: str, sha: str) -> ModelFile:
        stored = self.storage.put_file(local, join_url(self.url, name, digest, relative))
        if stored.sha256 != sha:  # the file changed while it was being imported
            raise IntegrityError(name, f"{relative} changed during the import")
        return ModelFile(path=relative, size=stored.size, sha256=stored.sha256)

    def _download(self, entry: ModelEntry, folder: Path) -> None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{entry.digest[:12]}-", dir=folder.parent))
        try:
            for file in entry.files:
                target = staging / file.path
                target.parent.mkdir(parents=True, exist_ok=True)
                url = join_url(self.url, entry.name, entry.digest, file.path)
                with self.storage.open_read(url) as stream, target.open("wb") as sink:
                    size, digests = copy_hashing(stream, sink, self.storage.block_size)
                if (size, digests["sha256"]) != (file.size, file.sha256):
                    raise IntegrityError(
                        entry.name, f"{file.path} does not match its checksum in the store",
                        "re-import the model with `regie models add`",
                    )  # fmt: skip
            (staging / COMPLETE_MARK).write_text(entry.digest)
            shutil.rmtree(folder, ignore_errors=True)
            staging.rename(folder)  # atomic: another worker sees all of it or none
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise PermanentError(name, "invalid model name", "use lower-case letters, digits, . _ -")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _digest(checksums: dict[str, str]) -> str:
    text = "\n".join(f"{path} {sha}" for path, sha in sorted(checksums.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
