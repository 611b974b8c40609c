"""Colour-histogram change across a window: finds wipes and pushes, which neither frame
differences nor TransNetV2 see.

A wipe or a push replaces one picture by another a strip at a time: no frame differs much from
the next, and no frame is a linear mix of its neighbours, so neither the cut rule nor the
dissolve rule fires, and TransNetV2 (trained on cuts and dissolves) scores them near 0. The
colours on screen still go from one shot's to the other's within a few tens of frames, while
motion inside a shot mostly moves colours around without changing how much of each there is.
``change[i]`` is the total variation distance (0..1) between the 64-bin colour histograms of
frames ``i - half`` and ``i + half``. Something crossing the frame inside a shot (a lorry passing
in front of the camera in bikes.mp4) changes the colours as much, but leaves part of the picture
as it was, whereas a transition replaces all of it: ``replaced[i]`` is the share of the 16x9
blocks, black ones aside, whose mean colour differs between the same two frames, counted only
where the middle frame is not an even mix of the two (a fade or a dissolve, judged by the other
rules). A run where both are high is a transition. Streamed: only ``2 * half`` frames' summaries
are kept between chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from regie.shots.transitions import Span, runs

LEVELS = 4  # per channel: 64 colours


GRID = (9, 16)  # rows, columns of blocks


@dataclass(frozen=True)
class ColourRules:
    half: int = 8
    threshold: float = 0.09  # histogram change
    block_change: float = 0.1  # mean absolute RGB difference (0..1) of a replaced block
    replaced: float = 0.7  # share of the lit blocks replaced
    black: float = 0.08  # blocks darker than this at both ends are left out (letterbox bars)
    bend: float = 0.25  # the middle frame's distance from the ends' average, over the ends' one
    min_run: int = 3


def block_means(chunk: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """Mean colour (0..1) of each block of a 16x9 grid, per frame: ``(frames, 9, 16, 3)``."""
    rows, columns = GRID
    frames, height, width, _ = chunk.shape
    cropped = chunk[:, : height - height % rows, : width - width % columns]
    shape = (frames, rows, height // rows, columns, width // columns, 3)
    return cropped.reshape(shape).mean(axis=(2, 4), dtype=dtype) / 255


def histograms(chunk: np.ndarray) -> np.ndarray:
    """Normalised 64-bin colour histogram of every uint8 RGB frame of a chunk."""
    levels = (chunk >> 6).astype(np.int32)  # 256 / LEVELS values per level
    colour = (levels[..., 0] * LEVELS + levels[..., 1]) * LEVELS + levels[..., 2]
    frames = colour.reshape(len(chunk), -1)
    bins = LEVELS**3
    offsets = frames + np.arange(len(chunk))[:, None] * bins
    counts = np.bincount(offsets.ravel(), minlength=len(chunk) * bins)
    return counts.reshape(len(chunk), bins) / frames.shape[1]


class ColourChange:
    """Collects ``change`` and ``replaced`` while frame chunks flow through :meth:`tap`."""

    def __init__(self, rules: ColourRules) -> None:
        self.half = rules.half
        self.rules = rules
        self._tail: tuple[np.ndarray, np.ndarray] | None = None
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._frames = 0

    def tap(self, chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        for chunk in chunks:
            self._add(histograms(chunk), block_means(chunk))
            yield chunk

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """``change`` and ``replaced`` of every frame (0 within ``half`` frames of either end)."""
        return self._centred(0), self._centred(1)

    def _centred(self, which: int) -> np.ndarray:
        out = np.zeros(self._frames)
        if self._parts:
            ends = np.concatenate([part[which] for part in self._parts])
            out[self.half : self.half + len(ends)] = ends
        return out

    def _add(self, hists: np.ndarray, blocks: np.ndarray) -> None:
        window = 2 * self.half
        self._frames += len(hists)
        if self._tail is not None:
            hists = np.concatenate([self._tail[0], hists])
            blocks = np.concatenate([self._tail[1], blocks])
        if len(hists) > window:
            change = 0.5 * np.abs(hists[window:] - hists[:-window]).sum(axis=1)
            middle = blocks[self.half : len(blocks) - self.half]
            replaced = self._replaced(blocks[:-window], middle, blocks[window:])
            self._parts.append((change, replaced))
        self._tail = hists[-window:], blocks[-window:]

    def _replaced(self, before: np.ndarray, middle: np.ndarray, after: np.ndarray) -> np.ndarray:
        lit = (before.mean(axis=-1) > self.rules.black) | (after.mean(axis=-1) > self.rules.black)
        changed = np.abs(after - before).mean(axis=-1) > self.rules.block_change
        share = (changed & lit).sum(axis=(1, 2)) / np.maximum(lit.sum(axis=(1, 2)), 1)
        # a middle that mixes the ends evenly is a fade or a dissolve, which the other rules judge
        span = np.abs(after - before).mean(axis=(1, 2, 3))
        bend = np.abs(middle - (before + after) / 2).mean(axis=(1, 2, 3))
        return np.where(bend >= self.rules.bend * span, share, 0.0)


def colour_changes(change: np.ndarray, replaced: np.ndarray, rules: ColourRules) -> list[Span]:
    """Runs where the colours change and the picture is replaced, narrowed by ``half`` at each
    end (a run starts ``half`` frames before the change reaches the window's far end)."""
    spans: list[Span] = []
    found = (change >= rules.threshold) & (replaced >= rules.replaced)
    for first, last in _bridged(runs(found, rules.min_run), rules.half):
        if last - first >= 2 * rules.half:
            spans.append((first + rules.half, last - rules.half))
        else:
            middle = (first + last) // 2
            spans.append((middle, middle))
    return spans


def unseen(changes: list[Span], cuts: list[int], gradual: list[Span], margin: int) -> list[Span]:
    """The colour changes that no cut or gradual transition already accounts for."""
    seen = [(cut - 1, cut) for cut in cuts] + gradual
    return [
        (first, last)
        for first, last in changes
        if not any(first - margin <= end and start <= last + margin for start, end in seen)
    ]


def _bridged(spans: list[Span], gap: int) -> list[Span]:
    """Runs closer than ``gap`` frames joined: one wipe whose signal dipped for a moment."""
    joined: list[Span] = []
    for first, last in spans:
        if joined and first - joined[-1][1] <= gap:
            joined[-1] = (joined[-1][0], last)
        else:
            joined.append((first, last))
    return joined
