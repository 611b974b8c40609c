"""Per-frame difference signals, computed chunk by chunk on small frames (vectorised numpy).

Only scalars are kept per frame, so memory grows by a few bytes a frame, never by a frame:

- ``back[k][i]``: mean absolute RGB difference between frame ``i`` and frame ``i-k`` (k = 1..4);
  ``back[1]`` is the classic frame difference, the others tell a flash (the picture comes back)
  from a cut (it does not).
- ``span[i]``: difference between the two ends of a window of ``2h`` frames centred on ``i``.
- ``bend[i]``: how far frame ``i`` is from the average of those two ends. A dissolve or a fade is a
  linear mix, so its middle frame *is* the average of its ends: ``bend`` is small while ``span`` is
  large. Motion and cuts bend.
- ``luma[i]``: mean luma, to recognise black.
- ``colour[i]``, ``replaced[i]``: colour-histogram change and share of the picture replaced across
  a window (``regie/shots/colour.py``), for wipes.
- ``wipes``, ``pushes``: spans where an edge sweeps across the frame (``regie/shots/geometry.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from regie.shots.colour import ColourChange, ColourRules
from regie.shots.geometry import GeometryRules, WipeGeometry
from regie.shots.transitions import Span

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
LOOKBACKS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Signals:
    back: dict[int, np.ndarray]
    span: np.ndarray
    bend: np.ndarray
    luma: np.ndarray
    colour: np.ndarray
    replaced: np.ndarray
    wipes: list[Span] = field(default_factory=list)
    pushes: list[Span] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return len(self.luma)


def compute_signals(
    chunks: Iterable[np.ndarray],
    half: int,
    colour_rules: ColourRules | None = None,
    geometry_rules: GeometryRules | None = None,
) -> Signals:
    """Signals of a stream of uint8 frame chunks, keeping only ``2*half`` frames between chunks."""
    colour = ColourChange(colour_rules or ColourRules())
    geometry = WipeGeometry(geometry_rules or GeometryRules())
    chunks = geometry.tap(colour.tap(chunks))
    keep = max(2 * half, max(LOOKBACKS))
    tail = np.zeros((0, 1, 1, 3), dtype=np.float32)
    parts: dict[str, list[np.ndarray]] = {"luma": [], "span": [], "bend": []}
    back_parts: dict[int, list[np.ndarray]] = {k: [] for k in LOOKBACKS}
    for chunk in chunks:
        new = chunk.astype(np.float32) * (1 / 255)
        frames = np.concatenate([tail, new]) if len(tail) else new
        start = len(frames) - len(new)  # index of the first new frame in ``frames``
        parts["luma"].append(mean_luma(chunk))
        for k in LOOKBACKS:
            back_parts[k].append(_diff_at(frames, start, k))
        span, bend = _linearity_at(frames, start, half)
        parts["span"].append(span)
        parts["bend"].append(bend)
        tail = frames[-keep:]
    back = {k: _join(v) for k, v in back_parts.items()}
    luma = _join(parts["luma"])
    # span/bend were computed at the window's end frame: shift them to its centre.
    span = _centre(_join(parts["span"]), half, len(luma))
    bend = _centre(_join(parts["bend"]), half, len(luma))
    change, replaced = colour.values()
    wipes, pushes = geometry.found()
    return Signals(back, span, bend, luma, change, replaced, wipes, pushes)


def mean_luma(chunk: np.ndarray) -> np.ndarray:
    """Mean luma (0..1, BT.601 weights) of each uint8 RGB frame of a chunk."""
    return (chunk @ LUMA).mean(axis=(1, 2)) / 255


def _diff_at(frames: np.ndarray, start: int, k: int) -> np.ndarray:
    """``mean|f[i] - f[i-k]|`` for every new frame ``i`` (0 where ``i-k`` does not exist)."""
    out = np.zeros(len(frames) - start, dtype=np.float32)
    first = max(start, k)
    if first < len(frames):
        diff = np.abs(frames[first:] - frames[first - k : len(frames) - k])
        out[first - start :] = diff.mean(axis=(1, 2, 3))
    return out


def _linearity_at(frames: np.ndarray, start: int, half: int) -> tuple[np.ndarray, np.ndarray]:
    count = len(frames) - start
    span = np.zeros(count, dtype=np.float32)
    bend = np.zeros(count, dtype=np.float32)
    first = max(start, 2 * half)
    if first < len(frames):
        ends = frames[first:]
        begins = frames[first - 2 * half : len(frames) - 2 * half]
        middles = frames[first - half : len(frames) - half]
        span[first - start :] = np.abs(ends - begins).mean(axis=(1, 2, 3))
        bend[first - start :] = np.abs(middles - (ends + begins) * 0.5).mean(axis=(1, 2, 3))
    return span, bend


def _centre(values: np.ndarray, half: int, length: int) -> np.ndarray:
    out = np.zeros(length, dtype=np.float32)
    if length > half:
        out[: length - half] = values[half:]
    return out


def _join(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
