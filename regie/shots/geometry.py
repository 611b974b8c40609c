"""Wipes and pushes found by their geometry: an edge sweeping across the frame at constant speed.

A *wipe* uncovers the new picture behind an edge (a line, a band, a circle) that crosses the frame
at constant speed: each 16x9 block switches from the old picture's colour to the new one's once,
and the time it switches is a smooth function of where the block is. For every window of
``2h + 1`` frames, each changed block's switch time is the step that best fits its colours (old
colour, then new), and those times are fitted by a plane plus ``|x|``, ``|y|`` and radius terms
(left-right, up-down, open, close and circle wipes). A wipe fits well (high R²) and spreads its
switch times over several frames; a cut switches every block at once, a dissolve never steps,
and motion inside a shot switches blocks in no such order.

A *push* (slide) moves both pictures: the old one leaves at one side while the new one follows
it in. Along the direction of the push, the rows (or columns) of every mixed frame are the old
picture's rows shifted by ``k`` and the new picture's last ``k`` rows, with ``k`` growing linearly
from 0 to the frame's height. That model is fitted for every start, length (5 to 31 mixed frames)
and direction, on the frames' row and column means; a push is where it explains the mixed frames
much better than the nearer of the two ends does. A camera pan moves one continuous picture and
never meets both ends exactly.

Streamed: frames are summarised (block means, row and column means) and searched a segment at a
time, with an overlap as long as the longest window.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from regie.shots.colour import GRID, block_means
from regie.shots.transitions import Span, runs

SEGMENT = 512  # frames searched at once
Candidate = tuple[float, int, int]  # badness (lower is better), first, last


@dataclass(frozen=True)
class GeometryRules:
    halves: tuple[int, ...] = (10, 18, 24)  # wipe windows of 2h + 1 frames
    changed: float = 0.05  # mean absolute RGB difference of a block that changes
    changed_share: float = 0.5  # blocks that change, for a wipe
    step_residual: float = 0.2  # a block's misfit to one step, over its change
    r2: float = 0.7  # fit of the switch times by the edge's shapes
    spread: float = 3.0  # frames between the first and last switch
    lengths: tuple[int, int] = (5, 31)  # mixed frames of a push, shortest and longest
    push_ratio: float = 0.35  # push model error over the nearer end's error
    push_change: float = 0.03  # row or column means that differ between the ends
    push_margin: int = 5  # frames: a detection this close to a push is that push


def switch_shapes() -> np.ndarray:
    """Terms of a block's position that a wipe edge's switch time is fitted by."""
    rows, columns = GRID
    y, x = np.mgrid[0:rows, 0:columns]
    x = (x - (columns - 1) / 2) / columns
    y = (y - (rows - 1) / 2) / rows
    shapes = [np.ones_like(x), x, y, np.abs(x), np.abs(y), np.hypot(x, y)]
    return np.stack(shapes, axis=-1).reshape(-1, len(shapes))


SHAPES = switch_shapes()


def wipe_fit(window: np.ndarray, rules: GeometryRules) -> tuple[float, float, Span] | None:
    """R² and spread of the blocks' switch times in a window of block means, and the first and
    last switch (window offsets), if enough blocks change and each steps cleanly."""
    length = len(window)
    flat = window.reshape(length, -1, 3)
    before, after = flat[:2].mean(axis=0), flat[-2:].mean(axis=0)
    change = np.abs(after - before).mean(axis=-1)
    changed = change > rules.changed
    if changed.mean() < rules.changed_share:
        return None
    to_before = np.abs(flat - before).mean(axis=-1)[:, changed]
    to_after = np.abs(flat - after).mean(axis=-1)[:, changed]
    zero = np.zeros((1, to_before.shape[1]))
    # cost[t]: frames before t judged against the old colour, the rest against the new one
    cost = np.concatenate([zero, np.cumsum(to_before, axis=0)])
    cost += np.concatenate([zero, np.cumsum(to_after, axis=0)])[-1] - np.concatenate(
        [zero, np.cumsum(to_after, axis=0)]
    )
    switch = np.argmin(cost[1:length], axis=0) + 1
    residual = cost[switch, np.arange(len(switch))] / (length * change[changed])
    if residual.mean() > rules.step_residual or switch.var() == 0:
        return None
    shapes = SHAPES[changed]
    coefficients, *_ = np.linalg.lstsq(shapes, switch.astype(float), rcond=None)
    fitted = shapes @ coefficients
    r2 = 1 - float(((switch - fitted) ** 2).mean() / switch.var())
    return r2, float(np.ptp(fitted)), (int(switch.min()), int(switch.max()))


def wipe_candidates(blocks: np.ndarray, rules: GeometryRules) -> list[Candidate]:
    """Best-fitting window of every run of windows that look like a wipe, per window size."""
    found: list[Candidate] = []
    for half in rules.halves:
        fits: list[tuple[float, Span] | None] = [None] * len(blocks)
        for centre in _changing_centres(blocks, half, rules):
            fit = wipe_fit(blocks[centre - half : centre + half + 1], rules)
            if fit is None:
                continue
            r2, spread, (first, last) = fit
            inside = first >= 2 and last <= 2 * half - 2  # the whole wipe is in the window
            if r2 >= rules.r2 and spread >= rules.spread and inside:
                fits[centre] = r2, (centre - half + first, centre - half + last)
        quality = np.array([fit[0] if fit else 0.0 for fit in fits])
        for start, end in runs(quality > 0):
            best = fits[start + int(np.argmax(quality[start : end + 1]))]
            assert best is not None
            found.append((-best[0], *best[1]))
    return found


def _changing_centres(blocks: np.ndarray, half: int, rules: GeometryRules) -> list[int]:
    """Centres of the windows where enough blocks change between the two ends (the first test
    of :func:`wipe_fit`, for every window at once)."""
    count = len(blocks) - 2 * half
    if count <= 0:
        return []
    pairs = (blocks[:-1] + blocks[1:]) / 2  # mean of frames i and i + 1
    before, after = pairs[:count], pairs[2 * half - 1 : 2 * half - 1 + count]
    share = (np.abs(after - before).mean(axis=-1) > rules.changed).mean(axis=(1, 2))
    return [int(centre) + half for centre in np.flatnonzero(share >= rules.changed_share)]


def push_candidates(rows: np.ndarray, columns: np.ndarray, rules: GeometryRules) -> list[Candidate]:
    """Every start, length and direction where the push model fits (row means for up and down,
    column means for left and right)."""
    found: list[Candidate] = []
    shortest, longest = rules.lengths
    for means in (rows, columns):
        for length in range(shortest, longest + 1):
            found += _pushes_of_length(means, length, rules)
    return found


def _pushes_of_length(means: np.ndarray, length: int, rules: GeometryRules) -> list[Candidate]:
    starts = len(means) - length - 1  # windows: a pure frame, ``length`` mixed ones, a pure one
    if starts <= 0:
        return []
    size = means.shape[1]
    # only the windows whose ends differ: the others cannot hold a push
    differ = np.flatnonzero(_distance(means[:starts], means[length + 1 :]) >= rules.push_change)
    if not len(differ):
        return []
    before, after = means[differ], means[differ + length + 1]
    nearer = np.zeros(len(differ))
    errors = {True: np.zeros(len(differ)), False: np.zeros(len(differ))}
    for step in range(1, length + 1):
        mixed = means[differ + step]
        nearer += np.minimum(_distance(mixed, before), _distance(mixed, after))
        shift = round(step / (length + 1) * size)
        for forward in errors:
            errors[forward] += _distance(_pushed(before, after, shift, forward), mixed)
    found: list[Candidate] = []
    for error in errors.values():
        ratio = error / np.maximum(nearer, 1e-6)
        for index in np.flatnonzero(ratio <= rules.push_ratio):
            start = int(differ[index])
            found.append((float(ratio[index]), start + 1, start + length))
    return found


def _pushed(before: np.ndarray, after: np.ndarray, shift: int, forward: bool) -> np.ndarray:
    """The old picture moved by ``shift`` rows (down/right if ``forward``), the new one behind."""
    size = before.shape[1]
    if forward:
        return np.concatenate([after[:, size - shift :], before[:, : size - shift]], axis=1)
    return np.concatenate([before[:, shift:], after[:, :shift]], axis=1)


def _distance(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.abs(first - second).reshape(len(first), -1).mean(axis=1)


def best_apart(candidates: list[Candidate]) -> list[Candidate]:
    """The best candidates, none overlapping a better one (within 2 frames)."""
    kept: list[Candidate] = []
    for candidate in sorted(candidates):
        _, first, last = candidate
        if not any(first <= end + 2 and start <= last + 2 for _, start, end in kept):
            kept.append(candidate)
    return kept


class WipeGeometry:
    """Collects wipe and push candidates while frame chunks flow through :meth:`tap`."""

    def __init__(self, rules: GeometryRules) -> None:
        self.rules = rules
        self.overlap = max(2 * max(rules.halves) + 1, rules.lengths[1] + 2)
        self._pending: list[list[np.ndarray]] = []  # per chunk: block, row and column means
        self._frames = 0  # frames pending
        self._offset = 0  # frame index of the buffer's first frame
        self._wipes: list[Candidate] = []
        self._pushes: list[Candidate] = []

    def tap(self, chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        for chunk in chunks:
            rows = chunk.mean(axis=2, dtype=np.float32) / 255
            columns = chunk.mean(axis=1, dtype=np.float32) / 255
            self._pending.append([block_means(chunk, np.float32), rows, columns])
            self._frames += len(chunk)
            if self._frames >= SEGMENT + self.overlap:
                self._search()
            yield chunk
        if self._pending:
            self._search()

    def found(self) -> tuple[list[Span], list[Span]]:
        """Wipes and pushes, each ``(first, last)`` mixed frame."""
        return _spans(self._wipes), _spans(self._pushes)

    def _search(self) -> None:
        blocks, rows, columns = (np.concatenate(part) for part in zip(*self._pending, strict=True))
        shift = self._offset
        wipes = wipe_candidates(blocks, self.rules)
        pushes = push_candidates(rows, columns, self.rules)
        self._wipes = best_apart(self._wipes + [(q, a + shift, b + shift) for q, a, b in wipes])
        self._pushes = best_apart(self._pushes + [(q, a + shift, b + shift) for q, a, b in pushes])
        keep = min(self.overlap, len(blocks))
        self._offset += len(blocks) - keep
        self._pending = [[blocks[-keep:].copy(), rows[-keep:].copy(), columns[-keep:].copy()]]
        self._frames = keep


def _spans(candidates: list[Candidate]) -> list[Span]:
    return sorted((first, last) for _, first, last in candidates)


def with_geometry(
    cuts: list[int],
    gradual: list[Span],
    wipes: list[Span],
    pushes: list[Span],
    rules: GeometryRules,
    margin: int,
) -> tuple[list[int], list[Span]]:
    """Pushes replace the detections next to them (the model places them exactly); wipes are
    added where nothing was found within ``margin`` frames."""

    def apart(spans: list[Span], others: list[Span], gap: int) -> list[Span]:
        return [
            (first, last)
            for first, last in spans
            if not any(first - gap <= end and start <= last + gap for start, end in others)
        ]

    cut_spans = apart([(cut - 1, cut) for cut in cuts], pushes, rules.push_margin)
    cuts = [last for _, last in cut_spans]
    gradual = apart(gradual, pushes, rules.push_margin) + pushes
    seen = [(cut - 1, cut) for cut in cuts] + gradual
    return cuts, sorted(gradual + apart(apart(wipes, pushes, 0), seen, margin))
