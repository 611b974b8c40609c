"""Orchestration overhead of process-asset on the embedded default, five assets in a row.

    .venv/bin/python bench/orchestration_overhead.py [--assets 5] [--seconds 30] [--json OUT]

The assets are excerpts of the shared French programme (speech and shot cuts), each its own
master; a tiny random Whisper is put in a fresh model store so that the speech branch runs beside
the picture branch. The Prefect API is started (a warm-up flow) before the clock starts. Per asset:
- ``stage_work_s``: time inside the stage functions (every manifest's provenance duration);
- ``longest_branch_s``: the critical path through the DAG, in stage time;
- ``wall_s``: the flow call, start to finish;
- ``overhead_s`` = wall - longest branch: what orchestration adds to the unavoidable path;
- ``parallel_ratio`` = wall / longest branch (1.0: the branches ran fully side by side).
JSON: the medians under those keys, plus ``per_asset``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PROGRAMME = ROOT.parent / "shared" / "data" / "programme" / "programme-fr.mp4"


def excerpts(folder: Path, count: int, seconds: int) -> list[Path]:
    """``count`` different masters cut from the programme (re-encoded, so each starts clean)."""
    clips = []
    for n in range(count):
        clip, start = folder / f"excerpt-{n}.mp4", n * 17 % max(1, 120 - seconds)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-ss", str(start), "-t", str(seconds),
             "-i", str(PROGRAMME), "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac",
             str(clip)],
            check=True,
        )  # fmt: skip
        clips.append(clip)
    return clips


def critical_path(durations: dict[str, float]) -> float:
    """Longest path through the DAG, counting only the stages that ran."""
    from flows.dag import TABLE  # after the embedded set-up

    finish: dict[str, float] = {}
    for row in TABLE:  # a topological order
        stage, needs = row.name, row.needs
        if stage in durations:
            finish[stage] = durations[stage] + max((finish.get(n, 0.0) for n in needs), default=0)
    return max(finish.values())


def stage_durations(run: Any, storage: Any) -> dict[str, float]:
    from flows.dag import read_manifests

    return {stage: m.provenance.duration_s for stage, m in read_manifests(run, storage).items()}


def measure(clip: Path, options: Any, storage: Any) -> dict[str, float]:
    from flows.process_asset import process_asset

    started = time.perf_counter()
    run = process_asset(clip.as_uri(), options=options)
    wall = time.perf_counter() - started
    durations = stage_durations(run, storage)
    assert not run.skipped and not run.reused, (run.skipped, run.reused)
    longest = critical_path(durations)
    return {
        "stage_work_s": sum(durations.values()), "longest_branch_s": longest, "wall_s": wall,
        "overhead_s": wall - longest, "parallel_ratio": wall / longest,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=30, help="Length of each excerpt.")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="regie-orchestration-"))
    os.environ.update({"REGIE_HOME": str(folder / "var"), "HF_HUB_OFFLINE": "1"})
    from cli import embedded
    from regie.settings import Settings

    settings = Settings()
    embedded.prepare(settings.home)
    from flows.process_asset import AssetOptions
    from tests import whisper_models

    settings.model_store().add("tiny", whisper_models.openai_checkpoint(folder / "tiny.pt"))
    options = AssetOptions(asr_model="tiny", language="fr", encoder="libx264")
    clips = excerpts(folder, args.assets, args.seconds)
    _warm_up_api()
    rows = [measure(clip, options, settings.storage()) for clip in clips]
    report(rows, args.json)


def _warm_up_api() -> None:
    from prefect import flow

    @flow(name="warm-up")
    def warm_up() -> None:
        """Starts the embedded API before the clock does."""

    warm_up()


def report(rows: list[dict[str, float]], json_path: Path | None) -> None:
    keys = ["stage_work_s", "longest_branch_s", "wall_s", "overhead_s", "parallel_ratio"]
    table = Table(title="process-asset orchestration overhead (embedded default)")
    for key in ["asset", *keys]:
        table.add_column(key, justify="right")
    for n, row in enumerate(rows):
        table.add_row(str(n), *(f"{row[k]:.2f}" for k in keys))
    medians = {key: statistics.median(row[key] for row in rows) for key in keys}
    table.add_row("median", *(f"{medians[k]:.2f}" for k in keys))
    Console().print(table)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps({**medians, "per_asset": rows}, indent=2))


if __name__ == "__main__":
    main()
