"""Shot detectors on archive transitions: F1 per detector and kind on seeded reels of real shots.

    .venv/bin/python bench/transitions_eval.py [--backends fast transnetv2] [--split dev held-out]
        [--reels 12] [--size 640x360] [--json bench/results/transitions_eval.json]

Each reel (``regie/shots/transition_reels.py``) joins pieces of the shared clips' shots with cuts,
dissolves, fades through black and wipes/pushes of random durations at random places. Dev seeds
(1, 2, ...) are the ones to tune on; held-out seeds (1001, 1002, ...) only report. Scoring is the
shared protocol (``regie/shots/evaluate.py``): a cut found within 2 frames, a gradual transition
found once by a boundary inside ``[first - 2, last + 2]``, any other boundary a false positive
(counted against the kind of the nearest transition). Reels are cached under ``var/bench/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.shots.detector import get_detector  # noqa: E402
from regie.shots.evaluate import Score, score_by_kind, truth_windows  # noqa: E402
from regie.shots.transition_reels import (  # noqa: E402
    CUT,
    FAMILIES,
    ReelPlan,
    filter_graph,
    plan_reel,
    render_reel,
    source_shots,
)

SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / "var" / "bench" / "transition-reels"
SPLITS = {"dev": 1, "held-out": 1001}  # first seed of each split


def reel_file(plan: ReelPlan, size: tuple[int, int]) -> Path:
    """The rendered reel, built once per plan and size."""
    digest = hashlib.sha256(filter_graph(plan, *size).encode()).hexdigest()[:12]
    target = CACHE / f"reel-{plan.seed}-{size[0]}x{size[1]}-{digest}.mp4"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = render_reel(plan, SHARED, target.with_suffix(".partial.mp4"), size)
        partial.rename(target)
    return target


def windows_of(plan: ReelPlan) -> tuple[list[tuple[int, int]], list[str]]:
    """Acceptance window and kind of every transition (cuts first, as ``truth_windows``)."""
    cuts = [event for event in plan.truth() if event.family == CUT]
    gradual = [event for event in plan.truth() if event.family != CUT]
    windows = truth_windows([e.first for e in cuts], [[e.first, e.last] for e in gradual])
    return windows, [CUT] * len(cuts) + [e.family for e in gradual]


def evaluate(backend: str, plans: list[ReelPlan], size: tuple[int, int]) -> dict:
    detector = get_detector(backend)
    totals = {family: Score(0, 0, 0) for family in FAMILIES}
    reels = []
    for plan in plans:
        detection = detector.detect(reel_file(plan, size), f"reel-{plan.seed}")
        windows, kinds = windows_of(plan)
        predicted = detection.boundaries()
        for kind, result in score_by_kind(predicted, windows, kinds).items():
            totals[kind] += result
        reels.append(
            {"seed": plan.seed, "frames": detection.frame_count, "truth_frames": plan.frames,
             "predicted": predicted, "cuts": detection.cuts, "gradual": detection.gradual,
             "truth": [vars(event) for event in plan.truth()]}
        )  # fmt: skip
    overall = sum(totals.values(), Score(0, 0, 0))
    kinds = {kind: _figures(total) for kind, total in totals.items()}
    return {"backend": backend, "overall": _figures(overall), "kinds": kinds, "reels": reels}


def _figures(total: Score) -> dict:
    return {"precision": total.precision, "recall": total.recall, "f1": total.f1,
            "tp": total.true_positives, "fp": total.false_positives,
            "fn": total.false_negatives}  # fmt: skip


def report(results: list[dict]) -> None:
    table = Table(title="Shot detectors on seeded transition reels (F1; tp/fp/fn)")
    for column in ("backend", "seeds", *FAMILIES, "P", "R", "F1"):
        table.add_column(column)
    for result in results:
        kinds = [result["kinds"][family] for family in FAMILIES]
        overall = result["overall"]
        table.add_row(
            result["backend"], result["split"],
            *(f"{k['f1']:.2f} ({k['tp']}/{k['fp']}/{k['fn']})" for k in kinds),
            f"{overall['precision']:.3f}", f"{overall['recall']:.3f}", f"{overall['f1']:.3f}",
        )  # fmt: skip
    Console(width=160).print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["fast", "transnetv2"])
    parser.add_argument("--split", nargs="+", default=list(SPLITS), choices=list(SPLITS))
    parser.add_argument("--reels", type=int, default=12, help="reels per split")
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/transitions_eval.json")
    args = parser.parse_args()
    size = tuple(int(side) for side in args.size.split("x"))
    shots = source_shots(SHARED / "shots")
    results = []
    for split in args.split:
        plans = [plan_reel(SPLITS[split] + n, shots) for n in range(args.reels)]
        for backend in args.backends:
            results.append({**evaluate(backend, plans, (size[0], size[1])), "split": split})
    report(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
