"""The shot detector interface and its registry by name.

A detector turns a video file into a :class:`Detection`: the frame count, hard cuts (index of the
first frame of each new shot) and gradual transitions (first and last mixed frame). Everything
else the stage needs (times, keyframes, exports) is derived from it, whatever the backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from regie.registry import Registry
from regie.shots.frames import FrameTimes


@dataclass(frozen=True)
class Detection:
    """What a detector found, in frame indices (decode order, edit list honoured)."""

    frame_count: int
    cuts: list[int]
    gradual: list[tuple[int, int]]
    times: FrameTimes = field(default_factory=FrameTimes)

    def within(self, first: int, stop: int) -> Detection:
        """The detection of frames ``first`` to ``stop`` (excluded) alone, counted from ``first``
        and timed from its first frame (a programme after a tape leader)."""
        stop = min(stop, self.frame_count)
        pts = self.times.pts[first:stop]
        origin = pts[0] if pts else 0
        return Detection(
            frame_count=max(0, stop - first),
            cuts=[cut - first for cut in self.cuts if first < cut < stop],
            gradual=[(a - first, b - first) for a, b in self.gradual if first < a and b < stop],
            times=FrameTimes([p - origin for p in pts], self.times.time_base),
        )

    def boundaries(self) -> list[int]:
        """First frame of every shot after the first; a gradual transition opens at its middle."""
        middles = [(first + last + 1) // 2 for first, last in self.gradual]
        return sorted({*self.cuts, *middles})


class ShotDetector(Protocol):
    """Finds shot boundaries in a video file."""

    NAME: ClassVar[str]
    FINDS_GRADUAL: ClassVar[bool]

    def detect(self, path: Path, asset: str, prefilter: str = "") -> Detection:
        """Boundaries of ``path``; ``prefilter`` (ffmpeg filters ending with a comma) makes the
        picture progressive first, so that combing is not taken for change."""
        ...


DETECTORS: Registry[ShotDetector] = Registry(
    "shot detector",
    {
        "fast": "regie.shots.backends.fast:FastDetector",
        "transnetv2": "regie.shots.backends.transnet:TransNetV2Detector",
        "pyscenedetect": "regie.shots.backends.pyscenedetect:PySceneDetectDetector",
    },
    extra="shots",
)


def get_detector(name: str) -> ShotDetector:
    """A detector by registry name.

    Raises:
        PermanentError: No such detector, or its library not installed.
    """
    return DETECTORS.load(name, name)()
