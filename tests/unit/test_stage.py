"""The stage contract on an in-memory store: keys, manifest last, reuse, scratch clean-up."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from regie.artefacts import Artefact
from regie.stage import (
    MANIFEST_NAME,
    Stage,
    StageContext,
    StageOptions,
    StageRun,
    run_stage,
    stage_key,
)
from regie.storage import Storage


class Count(Artefact):
    words: int
    uri: str


class CountOptions(StageOptions):
    lowercase: bool = False


COUNT = Stage("count", "1", Count)


@pytest.fixture
def context(tmp_path: Path) -> StageContext:
    return StageContext(Storage(), f"memory://work-{uuid.uuid4().hex}", tmp_path / "scratch")


def _producer(calls: list[Path], fail: bool = False):  # type: ignore[no-untyped-def]
    def produce(run: StageRun) -> Count:
        calls.append(run.scratch)
        out = run.scratch / "words.txt"
        out.write_text("un deux trois")
        uri = run.publish(out, "words.txt", "text/plain")
        if fail:
            raise RuntimeError("encoder crashed")
        run.tools["wc"] = "9.1"
        return Count(words=3, uri=uri)

    return produce


def test_key_depends_on_inputs_options_and_version() -> None:
    base = stage_key(COUNT, {"source": "abc"}, CountOptions())
    assert base == stage_key(COUNT, {"source": "abc"}, CountOptions())
    assert base != stage_key(COUNT, {"source": "abd"}, CountOptions())
    assert base != stage_key(COUNT, {"source": "abc"}, CountOptions(lowercase=True))
    assert base != stage_key(Stage("count", "2", Count), {"source": "abc"}, CountOptions())


def test_outputs_and_manifest_under_the_stage_prefix(context: StageContext) -> None:
    calls: list[Path] = []
    outcome = run_stage(
        COUNT, "asset-1", {"source": "abc"}, CountOptions(), context, _producer(calls)
    )
    key = stage_key(COUNT, {"source": "abc"}, CountOptions())
    prefix = f"{context.work_url}/asset-1/count/{key}"
    assert outcome.manifest_url == f"{prefix}/{MANIFEST_NAME}"
    assert outcome.artefact.uri == f"{prefix}/words.txt"
    assert context.storage.read_bytes(outcome.artefact.uri) == b"un deux trois"
    manifest = outcome.manifest
    assert [o.name for o in manifest.outputs] == ["words.txt"]
    assert manifest.outputs[0].size == 13
    assert manifest.provenance.tools == {"wc": "9.1"}
    assert manifest.provenance.options == {"lowercase": False}
    assert manifest.provenance.written_to == "memory"
    assert not outcome.reused


def test_second_run_returns_the_manifest_without_work(context: StageContext) -> None:
    calls: list[Path] = []
    first = run_stage(COUNT, "a", {"source": "abc"}, CountOptions(), context, _producer(calls))
    second = run_stage(COUNT, "a", {"source": "abc"}, CountOptions(), context, _producer(calls))
    assert len(calls) == 1
    assert second.reused
    assert second.manifest == first.manifest


def test_failed_stage_leaves_no_manifest_and_reruns(context: StageContext) -> None:
    calls: list[Path] = []
    with pytest.raises(RuntimeError, match="encoder crashed"):
        run_stage(COUNT, "a", {"source": "x"}, CountOptions(), context, _producer(calls, fail=True))
    key = stage_key(COUNT, {"source": "x"}, CountOptions())
    assert not context.storage.exists(f"{context.work_url}/a/count/{key}/{MANIFEST_NAME}")
    outcome = run_stage(COUNT, "a", {"source": "x"}, CountOptions(), context, _producer(calls))
    assert not outcome.reused
    assert len(calls) == 2


def test_scratch_is_removed_after_success_and_failure(context: StageContext) -> None:
    calls: list[Path] = []
    run_stage(COUNT, "a", {"source": "1"}, CountOptions(), context, _producer(calls))
    with pytest.raises(RuntimeError):
        run_stage(COUNT, "a", {"source": "2"}, CountOptions(), context, _producer(calls, True))
    assert calls and not any(path.exists() for path in calls)
