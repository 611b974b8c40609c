"""The fast detector's decisions on hand-made signals, the archive conventions and the scoring."""

from __future__ import annotations

import numpy as np

from regie.shots.backends.fast import FastOptions, decide
from regie.shots.evaluate import score, truth_windows
from regie.shots.signals import LOOKBACKS, Signals, compute_signals
from regie.shots.transitions import BlackRules, apply_conventions, drop_cuts_within

OPTIONS = FastOptions()


def _frames(values: list[float]) -> np.ndarray:
    """Flat grey frames of the given levels (0..1), with a little texture to stay realistic."""
    texture = np.random.default_rng(7).integers(-3, 4, size=(36, 64, 3))
    levels = np.array(values)[:, None, None, None] * 255
    return np.clip(levels + texture, 0, 255).astype(np.uint8)


def _signals(values: list[float]) -> Signals:
    frames = _frames(values)
    return compute_signals([frames[:37], frames[37:]], OPTIONS.half)  # two chunks on purpose


def test_hard_cut_is_found_on_its_first_frame() -> None:
    cuts, gradual = decide(_signals([0.2] * 50 + [0.7] * 50), OPTIONS)
    assert cuts == [50] and gradual == []


def test_one_frame_flash_is_not_a_cut() -> None:
    cuts, _ = decide(_signals([0.3] * 50 + [0.95] + [0.3] * 49), OPTIONS)
    assert cuts == []


def test_dissolve_is_one_gradual_transition_with_its_extent() -> None:
    ramp = list(np.linspace(0.2, 0.8, 27)[1:-1])  # 25 mixed frames: 40..64
    cuts, gradual = decide(_signals([0.2] * 40 + ramp + [0.8] * 40), OPTIONS)
    assert cuts == []
    assert len(gradual) == 1
    first, last = gradual[0]
    assert abs(first - 40) <= 2 and abs(last - 64) <= 2


def test_signals_do_not_depend_on_chunking() -> None:
    frames = _frames(list(np.linspace(0, 1, 80)))
    whole = compute_signals([frames], OPTIONS.half)
    pieces = compute_signals([frames[i : i + 7] for i in range(0, 80, 7)], OPTIONS.half)
    for k in LOOKBACKS:
        np.testing.assert_allclose(whole.back[k], pieces.back[k], rtol=1e-6)
    np.testing.assert_allclose(whole.bend, pieces.bend, rtol=1e-6, atol=1e-7)


def test_fade_out_and_in_through_a_short_black_dip_is_one_transition() -> None:
    luma = np.array([0.5] * 20 + [0.0] * 5 + [0.5] * 20)
    assert apply_conventions([(10, 19), (25, 34)], luma, BlackRules()) == [(10, 34)]


def test_long_black_hold_keeps_two_transitions() -> None:
    luma = np.array([0.5] * 20 + [0.0] * 30 + [0.5] * 20)
    assert apply_conventions([(10, 19), (50, 59)], luma, BlackRules()) == [(10, 19), (50, 59)]


def test_fade_from_a_few_black_frames_at_the_start_is_not_a_boundary() -> None:
    luma = np.array([0.0] * 5 + [0.5] * 60)
    assert apply_conventions([(5, 20), (40, 45)], luma, BlackRules()) == [(40, 45)]


def test_scoring_is_one_to_one_with_tolerances() -> None:
    windows = truth_windows(cuts=[30, 80], gradual=[[100, 120]])
    result = score([31, 32, 83, 110], windows)  # 32 is a duplicate, 83 is 3 frames late
    assert (result.true_positives, result.false_positives, result.false_negatives) == (2, 2, 1)
    assert round(result.f1, 3) == round(4 / 7, 3)


def test_cuts_on_or_just_after_a_mix_belong_to_it() -> None:
    assert drop_cuts_within([10, 20, 31, 32, 50], [(20, 30)]) == [10, 32, 50]
