"""Score a shot detector against the shared ground truth: P/R/F1 per clip and micro-averaged.

    .venv/bin/python bench/shots_eval.py --backend fast [--gt DIR] [--media-root DIR] [--json OUT]

Protocol (``../shared/data/README.md``): one-to-one matching, hard cuts within 2 frames, a gradual
transition found when a predicted boundary falls in ``[first-2, last+2]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.shots.detector import get_detector  # noqa: E402
from regie.shots.evaluate import Score, score, truth_windows  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def evaluate(backend: str, gt_dir: Path, media_root: Path) -> dict:
    detector = get_detector(backend)
    per_clip, total = {}, Score(0, 0, 0)
    for truth_file in sorted(gt_dir.glob("*.json")):
        truth = json.loads(truth_file.read_text())
        started = time.perf_counter()
        detection = detector.detect(media_root / truth["video"], truth_file.stem)
        seconds = time.perf_counter() - started
        result = score(detection.boundaries(), truth_windows(truth["cuts"], truth["gradual"]))
        total += result
        per_clip[truth_file.stem] = {
            "precision": result.precision, "recall": result.recall, "f1": result.f1,
            "tp": result.true_positives, "fp": result.false_positives,
            "fn": result.false_negatives, "frames": detection.frame_count,
            "truth_frames": truth["frames"], "predicted": detection.boundaries(),
            "seconds": seconds,
        }  # fmt: skip
    return {
        "backend": backend,
        "precision": total.precision,
        "recall": total.recall,
        "f1": total.f1,
        "per_clip": per_clip,
    }


def report(result: dict) -> None:
    table = Table(title=f"Shot detection: {result['backend']} against the shared ground truth")
    for column in ("clip", "frames", "P", "R", "F1", "tp/fp/fn", "predicted"):
        table.add_column(column)
    for clip, row in result["per_clip"].items():
        frames = f"{row['frames']}" + ("" if row["frames"] == row["truth_frames"] else " (!)")
        table.add_row(
            clip, frames, f"{row['precision']:.2f}", f"{row['recall']:.2f}", f"{row['f1']:.2f}",
            f"{row['tp']}/{row['fp']}/{row['fn']}", " ".join(map(str, row["predicted"])),
        )  # fmt: skip
    table.add_row(
        "micro", "", f"{result['precision']:.3f}", f"{result['recall']:.3f}", f"{result['f1']:.3f}"
    )
    Console().print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="fast")
    parser.add_argument("--gt", type=Path, default=SHARED / "shots")
    parser.add_argument("--media-root", type=Path, default=SHARED)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = evaluate(args.backend, args.gt, args.media_root)
    report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
