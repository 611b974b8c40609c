"""Wipes and pushes found by their geometry (regie/shots/geometry.py), on pictures made here."""

from __future__ import annotations

import numpy as np

from regie.shots.geometry import GeometryRules, WipeGeometry, with_geometry

HEIGHT, WIDTH = 36, 64
PURE, MIXED = 20, 12  # pure frames on each side, mixed frames of the transition


def picture(seed: int) -> np.ndarray:
    """A textured picture: random 4x4-pixel tiles, so every row and block differs."""
    tiles = np.random.default_rng(seed).integers(0, 256, (HEIGHT // 4, WIDTH // 4, 3))
    return np.kron(tiles, np.ones((4, 4, 1))).astype(np.uint8)


def reel(mixed_frame) -> np.ndarray:
    old, new = picture(1), picture(2)
    mixed = [mixed_frame(old, new, step / (MIXED + 1)) for step in range(1, MIXED + 1)]
    return np.stack([old] * PURE + mixed + [new] * PURE)


def push_down(old: np.ndarray, new: np.ndarray, progress: float) -> np.ndarray:
    shift = round(progress * HEIGHT)
    return np.concatenate([new[HEIGHT - shift :], old[: HEIGHT - shift]])


def wipe_right(old: np.ndarray, new: np.ndarray, progress: float) -> np.ndarray:
    covered = np.arange(WIDTH) < progress * WIDTH
    return np.where(covered[None, :, None], new, old)


def found(frames: np.ndarray) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    geometry = WipeGeometry(GeometryRules())
    for _ in geometry.tap([frames[:25], frames[25:]]):  # two chunks on purpose
        pass
    return geometry.found()


def test_push_is_found_exactly():
    _, pushes = found(reel(push_down))
    assert pushes == [(PURE, PURE + MIXED - 1)]


def test_wipe_is_found_around_its_mixed_frames():
    wipes, pushes = found(reel(wipe_right))
    assert len(wipes) == 1 and not pushes
    assert all(type(frame) is int for frame in wipes[0])  # detections are written as JSON
    first, last = wipes[0]
    assert first >= PURE - 1 and last <= PURE + MIXED
    assert last - first >= MIXED // 2


def test_cut_and_still_shots_are_neither():
    cut = reel(lambda old, new, progress: new)  # the new picture from the first "mixed" frame
    assert found(cut) == ([], [])


def test_push_replaces_a_detection_next_to_it_and_wipes_fill_gaps():
    rules = GeometryRules()
    cuts, gradual = with_geometry(
        cuts=[18, 90], gradual=[(50, 60)], wipes=[(52, 58), (120, 130)], pushes=[(20, 31)],
        rules=rules, margin=6,
    )  # fmt: skip
    assert cuts == [90]
    assert gradual == [(20, 31), (50, 60), (120, 130)]
