"""Just enough ISO BMFF (MP4) reading to check and index CMAF segments (pure, on bytes).

A packager's own claims are not evidence: the validator reads the boxes themselves. From an init
segment: the track's timescale and its edit list (where presentation starts, e.g. after the AAC
encoder's priming samples). From a media segment: each fragment's decode time, sample durations,
sizes, composition offsets and sync flags, which give the presentation start of a track and the
byte ranges of the I-frames an I-frame playlist points at.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"moof", b"traf",
                        b"mvex"})  # fmt: skip
SAMPLE_IS_NON_SYNC = 0x00010000


@dataclass(frozen=True)
class Box:
    """One box: its type, where it starts in the file, and its payload bounds."""

    kind: bytes
    start: int
    payload: int
    end: int


@dataclass(frozen=True)
class TrackHeader:
    """What an init segment says about timing."""

    timescale: int
    edit_media_time: int  # first media time presented (0 without an edit list)


@dataclass(frozen=True)
class Sample:
    duration: int
    size: int
    composition_offset: int
    sync: bool


@dataclass(frozen=True)
class Fragment:
    """One moof+mdat: where it is in the segment and its samples in decode order."""

    moof_start: int
    data_start: int
    decode_time: int
    samples: tuple[Sample, ...]

    def presentation_spans(self) -> list[tuple[int, int]]:
        """(composition time, end) of every sample, in media time, before any edit list."""
        spans, decode = [], self.decode_time
        for sample in self.samples:
            begin = decode + sample.composition_offset
            spans.append((begin, begin + sample.duration))
            decode += sample.duration
        return spans


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """The boxes between ``start`` and ``end``, descending into the containers Régie reads."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        elif size == 0:
            size = end - offset
        if size < header:
            raise ValueError(f"box {kind!r} at {offset} has an impossible size {size}")
        box = Box(kind, offset, offset + header, offset + size)
        yield box
        if kind in CONTAINERS:
            yield from boxes(data, box.payload, box.end)
        offset += size


def track_header(init: bytes) -> TrackHeader:
    """Timescale and edit-list start of the (single) track of a CMAF init segment."""
    found = {box.kind: box for box in boxes(init)}
    if b"mdhd" not in found:
        raise ValueError("no mdhd box: not an MP4 init segment")
    mdhd = found[b"mdhd"].payload
    version = init[mdhd]
    timescale = struct.unpack_from(">I", init, mdhd + (20 if version == 1 else 12))[0]
    media_time = 0
    if b"elst" in found:
        elst = found[b"elst"].payload
        if init[elst] == 1:
            media_time = struct.unpack_from(">q", init, elst + 16)[0]
        else:
            media_time = struct.unpack_from(">i", init, elst + 12)[0]
    return TrackHeader(timescale=timescale, edit_media_time=max(media_time, 0))


def fragments(segment: bytes) -> list[Fragment]:
    """Every fragment of a CMAF media segment, with its samples."""
    found: list[Fragment] = []
    moof: Box | None = None
    decode_time, defaults = 0, (0, 0, 0)
    runs: list[tuple[int, int]] = []  # (trun payload offset, moof start)
    for box in boxes(segment):
        if box.kind == b"moof":
            moof, runs = box, []
        elif box.kind == b"tfhd":
            defaults = _tfhd_defaults(segment, box.payload)
        elif box.kind == b"tfdt":
            version = segment[box.payload]
            fmt = ">Q" if version == 1 else ">I"
            decode_time = struct.unpack_from(fmt, segment, box.payload + 4)[0]
        elif box.kind == b"trun" and moof is not None:
            runs.append((box.payload, moof.start))
        elif box.kind == b"mdat" and moof is not None:
            for payload, moof_start in runs:
                data_start, samples = _trun(segment, payload, moof_start, defaults)
                found.append(Fragment(moof_start, data_start, decode_time, samples))
    return found


def _tfhd_defaults(data: bytes, payload: int) -> tuple[int, int, int]:
    """Default sample duration, size and flags of a track fragment header."""
    flags = int.from_bytes(data[payload + 1 : payload + 4], "big")
    offset = payload + 8  # version/flags, track_ID
    values = {}
    for bit, name, width in ((0x1, "base", 8), (0x2, "index", 4), (0x8, "duration", 4),
                             (0x10, "size", 4), (0x20, "flags", 4)):  # fmt: skip
        if flags & bit:
            values[name] = int.from_bytes(data[offset : offset + width], "big")
            offset += width
    return values.get("duration", 0), values.get("size", 0), values.get("flags", 0)


def _trun(
    data: bytes, payload: int, moof_start: int, defaults: tuple[int, int, int]
) -> tuple[int, tuple[Sample, ...]]:
    version, flags = data[payload], int.from_bytes(data[payload + 1 : payload + 4], "big")
    count = struct.unpack_from(">I", data, payload + 4)[0]
    offset, data_offset = payload + 8, 0
    if flags & 0x1:
        data_offset = struct.unpack_from(">i", data, offset)[0]
        offset += 4
    first_flags = None
    if flags & 0x4:
        first_flags = struct.unpack_from(">I", data, offset)[0]
        offset += 4
    samples = []
    for index in range(count):
        duration, size, sample_flags = defaults
        cto = 0
        if flags & 0x100:
            duration, offset = struct.unpack_from(">I", data, offset)[0], offset + 4
        if flags & 0x200:
            size, offset = struct.unpack_from(">I", data, offset)[0], offset + 4
        if flags & 0x400:
            sample_flags, offset = struct.unpack_from(">I", data, offset)[0], offset + 4
        if flags & 0x800:
            cto = struct.unpack_from(">i" if version else ">I", data, offset)[0]
            offset += 4
        if index == 0 and first_flags is not None:
            sample_flags = first_flags
        samples.append(Sample(duration, size, cto, not sample_flags & SAMPLE_IS_NON_SYNC))
    return moof_start + data_offset, tuple(samples)
