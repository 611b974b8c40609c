"""Both detectors on a short reel of real shots joined by archive transitions: each transition
found once, inside its mixed frames (± 2), nothing else. The seeded reels' figures are in
``bench/transitions_eval.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from regie.shots.detector import get_detector
from regie.shots.evaluate import score, truth_windows
from regie.shots.transition_reels import Join, Piece, ReelPlan, SourceShot, render_reel

CHAPLIN = SourceShot("video/chaplin.mp4", 0, 240)
BIKES = SourceShot("video/bikes.mp4", 76, 136)
BUNNY = SourceShot("video/bigbuckbunny.mp4", 0, 131)
GOLDENEYE = SourceShot("video/goldeneye-vfr-drop3.mp4", 60, 139)
PLAN = ReelPlan(
    seed=0,
    pieces=(
        Piece(BUNNY, 10, 40), Piece(CHAPLIN, 20, 60), Piece(BIKES, 80, 50),
        Piece(GOLDENEYE, 62, 60), Piece(CHAPLIN, 150, 40),
    ),
    joins=(
        Join("fadeblack", "fadeblack", 18), Join("dissolve", "fade", 16),
        Join("cut", "cut", 0), Join("wipe", "wipeleft", 14),
    ),
)  # fmt: skip


@pytest.fixture(scope="module")
def reel(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_reel(PLAN, shared_data, tmp_path_factory.mktemp("reel") / "r.mp4", (160, 90))


@pytest.mark.parametrize("backend", ["fast", "transnetv2"])
def test_each_transition_is_found_once_inside_its_frames(backend: str, reel: Path) -> None:
    detection = get_detector(backend).detect(reel, "reel")
    truth = PLAN.truth()
    windows = truth_windows(
        [e.first for e in truth if e.family == "cut"],
        [[e.first, e.last] for e in truth if e.family != "cut"],
    )
    assert detection.frame_count == PLAN.frames
    result = score(detection.boundaries(), windows)
    assert (result.false_positives, result.false_negatives) == (0, 0), detection
