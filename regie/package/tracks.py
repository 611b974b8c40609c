"""What each track of a package really holds, measured from its segments (pure over bytes).

Declared bitrates are encoder targets; a player needs the truth: ``BANDWIDTH`` must not be below
the peak bit rate of any segment (RFC 8216 §4.3.4.2). Segment durations come from the samples
themselves, and the I-frames an I-frame playlist points at come from the fragments' sync samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from regie.package.isobmff import TrackHeader, fragments, track_header


@dataclass(frozen=True)
class IFrame:
    """An I-frame reachable on its own: its fragment header and sample, as a byte range."""

    start_s: float
    offset: int
    length: int


@dataclass(frozen=True)
class SegmentFacts:
    uri: str
    size: int
    start_s: float
    duration_s: float
    samples: int
    iframes: tuple[IFrame, ...]

    @property
    def bitrate(self) -> float:
        return self.size * 8 / self.duration_s if self.duration_s else 0.0


@dataclass(frozen=True)
class TrackFacts:
    """One rendition's init segment and media segments, in order."""

    init: str
    header: TrackHeader
    segments: tuple[SegmentFacts, ...]

    @property
    def peak_bps(self) -> int:
        return math.ceil(max((s.bitrate for s in self.segments), default=0.0))

    @property
    def average_bps(self) -> int:
        seconds = sum(s.duration_s for s in self.segments)
        return math.ceil(sum(s.size for s in self.segments) * 8 / seconds) if seconds else 0

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.segments)

    @property
    def sample_rate(self) -> float:
        """Samples a second: the frame rate of a video track."""
        return sum(s.samples for s in self.segments) / self.duration_s if self.duration_s else 0.0


def measure_track(init: str, segments: list[str], read: Callable[[str], bytes]) -> TrackFacts:
    """Facts of a track from its init segment and media segments (names ``read`` resolves)."""
    header = track_header(read(init))
    return TrackFacts(init, header, tuple(_segment(uri, read(uri), header) for uri in segments))


def _segment(uri: str, data: bytes, header: TrackHeader) -> SegmentFacts:
    found = fragments(data)
    if not found:
        raise ValueError(f"{uri} holds no movie fragment")
    spans = [span for fragment in found for span in fragment.presentation_spans()]
    start = _presented(min(begin for begin, _ in spans), header)
    end = _presented(max(end for _, end in spans), header)
    iframes = tuple(
        IFrame(
            start_s=_presented(f.decode_time + f.samples[0].composition_offset, header),
            offset=f.moof_start,
            length=f.data_start + f.samples[0].size - f.moof_start,
        )
        for f in found
        if f.samples and f.samples[0].sync
    )
    duration = round(end - start, 6)  # as EXTINF writes it, so checks measure the same rate
    return SegmentFacts(uri, len(data), start, duration, len(spans), iframes)


def _presented(media_time: int, header: TrackHeader) -> float:
    """Seconds on the presentation timeline (edit list applied; priming clipped to 0)."""
    return max(media_time - header.edit_media_time, 0) / header.timescale
