"""Transition reels: the ground truth is where ffmpeg really mixed the shots."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from regie.shots.evaluate import score_by_kind
from regie.shots.transition_reels import (
    Join,
    Piece,
    ReelPlan,
    SourceShot,
    plan_reel,
    render_reel,
)
from tests import media

COLOURS = {"red": (255, 0, 0), "lime": (0, 255, 0), "blue": (0, 0, 255), "white": (255,) * 3}


def _still(folder: Path, colour: str) -> SourceShot:
    media.ffmpeg(
        "-f", "lavfi", "-i", f"color={colour}:size=64x36:rate=25:duration=2",
        "-c:v", "libx264", "-qp", "0", str(folder / f"{colour}.mp4"),
    )  # fmt: skip
    return SourceShot(f"{colour}.mp4", 0, 49)


def _decoded(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, 36, 64, 3).astype(float)


def test_truth_frames_are_exactly_the_mixed_frames(tmp_path: Path) -> None:
    shots = [_still(tmp_path, colour) for colour in COLOURS]
    plan = ReelPlan(
        seed=0,
        pieces=tuple(Piece(shot, 5, 30) for shot in shots),
        joins=(Join("dissolve", "fade", 8), Join("cut", "cut", 0), Join("wipe", "wipeleft", 12)),
    )
    frames = _decoded(render_reel(plan, tmp_path, tmp_path / "reel.mp4", (64, 36)))
    assert len(frames) == plan.frames
    pure = np.array([_is_pure(frame) for frame in frames])
    mixed = [i for i, is_pure in enumerate(pure) if not is_pure]
    dissolve, cut, wipe = plan.truth()
    assert mixed == [*range(dissolve.first, dissolve.last + 1), *range(wipe.first, wipe.last + 1)]
    assert dissolve.last - dissolve.first + 1 == 8 and wipe.last - wipe.first + 1 == 12
    assert _nearest(frames[cut.first - 1]) == "lime" and _nearest(frames[cut.first]) == "blue"


def test_a_seed_always_plans_the_same_reel_and_neighbours_differ() -> None:
    shots = [SourceShot("a.mp4", 0, 99), SourceShot("b.mp4", 0, 79), SourceShot("c.mp4", 5, 200)]
    plan = plan_reel(7, shots)
    assert plan == plan_reel(7, shots) and plan != plan_reel(8, shots)
    assert all(a.shot != b.shot for a, b in zip(plan.pieces, plan.pieces[1:], strict=False))
    assert all(p.shot.first <= p.start < p.start + p.length <= p.shot.last + 1 for p in plan.pieces)


def test_a_double_detection_inside_a_dissolve_counts_against_dissolves() -> None:
    scores = score_by_kind([10, 50, 56, 90], [(8, 12), (45, 70)], ["cut", "dissolve"])
    assert (scores["cut"].true_positives, scores["cut"].false_positives) == (1, 0)
    assert (scores["dissolve"].true_positives, scores["dissolve"].false_positives) == (1, 2)


def _nearest(frame: np.ndarray) -> str:
    mean = frame.mean(axis=(0, 1))
    return min(COLOURS, key=lambda name: float(np.abs(mean - COLOURS[name]).sum()))


def _is_pure(frame: np.ndarray) -> bool:
    return float(np.abs(frame - COLOURS[_nearest(frame)]).mean()) < 6
