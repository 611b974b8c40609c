"""Contract: every registered shot detector, on the same real media, honours the same promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regie.shots.backends import fast  # noqa: F401  # registers the backends
from regie.shots.detector import DETECTORS, ShotDetector, get_detector
from regie.shots.evaluate import Score, score, truth_windows
from tests import media

# Minimum micro-F1 on the shared ground truth (the targets; the baseline as measured).
MIN_F1 = {"fast": 0.95, "transnetv2": 0.97, "pyscenedetect": 0.7}


@pytest.fixture(scope="module", params=sorted(DETECTORS))
def detector(request: pytest.FixtureRequest) -> ShotDetector:
    return get_detector(request.param)


@pytest.fixture(scope="module")
def cut_and_dissolve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media.cut_then_dissolve(tmp_path_factory.mktemp("shots") / "cut-dissolve.mp4")


def test_finds_the_hard_cut_on_its_first_frame(
    detector: ShotDetector, cut_and_dissolve: Path
) -> None:
    detection = detector.detect(cut_and_dissolve, "synthetic")
    assert detection.frame_count == 175
    assert media.CUT_FRAME in detection.cuts
    assert len(detection.times.pts) == 175


def test_finds_the_dissolve_with_its_extent(detector: ShotDetector, cut_and_dissolve: Path) -> None:
    if not detector.FINDS_GRADUAL:
        pytest.skip(f"{detector.NAME} finds hard cuts only")
    detection = detector.detect(cut_and_dissolve, "synthetic")
    assert len(detection.gradual) == 1
    first, last = detection.gradual[0]
    assert abs(first - media.DISSOLVE[0]) <= 2 and abs(last - media.DISSOLVE[1]) <= 2


def test_accuracy_on_the_shared_ground_truth(detector: ShotDetector, shared_data: Path) -> None:
    total = Score(0, 0, 0)
    for truth_file in sorted((shared_data / "shots").glob("*.json")):
        truth = json.loads(truth_file.read_text())
        detection = detector.detect(shared_data / truth["video"], truth_file.stem)
        assert detection.frame_count == truth["frames"], truth_file.stem
        total += score(detection.boundaries(), truth_windows(truth["cuts"], truth["gradual"]))
    assert total.f1 >= MIN_F1[detector.NAME]


def test_variable_frame_rate_clip_is_frame_exact(detector: ShotDetector, shared_data: Path) -> None:
    truth = json.loads((shared_data / "shots" / "goldeneye-vfr-drop3.json").read_text())
    detection = detector.detect(shared_data / truth["video"], "vfr")
    assert detection.frame_count == 160
    assert all(any(abs(c - t) <= 1 for c in detection.cuts) for t in truth["cuts"])
