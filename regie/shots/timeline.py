"""The shot list as an OpenTimelineIO timeline, written as a CMX 3600 EDL and as ``.otio``.

Editors' tools speak OpenTimelineIO, so the shot list is one: a video track with a clip per shot
whose source range is in the master's own timecode, and an SMPTE dissolve wherever a gradual
transition joins two shots (it straddles the split the shot list made at its middle). The EDL
comes from OTIO's CMX 3600 adapter, with the ``FCM`` line it leaves out.
"""

from __future__ import annotations

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from regie.artefacts import Shot, ShotList, Transition
from regie.shots.timecode import frame_at, frames_of, is_drop_frame

REEL = "AX"  # CMX 3600's name for a source that is a file, not a tape


def shot_timeline(
    shots: ShotList, title: str, source_url: str, clip_name: str
) -> otio.schema.Timeline:
    """One clip per shot, dissolves between the shots a gradual transition joins (pure).

    Frames are counted from the shots' presentation times at the nominal rate (VFR-safe).
    """
    rate, nominal = float(shots.frame_rate), shots.frame_rate
    start = frames_of(shots.start_timecode, nominal)
    firsts = [frame_at(shot.start, nominal) for shot in shots.shots]
    stops = [*firsts[1:], frame_at(shots.shots[-1].end, nominal)] if shots.shots else []
    master = TimeRange(RationalTime(start, rate), RationalTime(shots.frame_count, rate))
    track = otio.schema.Track(name="V", kind=otio.schema.TrackKind.Video)
    for shot, first, stop in zip(shots.shots, firsts, stops, strict=True):
        mix = _incoming_gradual(shot, shots.transitions)
        if mix is not None and len(track):
            mixed = (frame_at(mix.start, nominal), frame_at(mix.end, nominal))
            track.append(_dissolve(mixed, first, rate))
        reference = otio.schema.ExternalReference(target_url=source_url, available_range=master)
        span = TimeRange(RationalTime(start + first, rate), RationalTime(stop - first, rate))
        track.append(otio.schema.Clip(
            name=clip_name, media_reference=reference, source_range=span,
            metadata={"cmx_3600": {"reel": REEL}, "regie": {"shot": shot.index}},
        ))  # fmt: skip
    return otio.schema.Timeline(name=title, tracks=[track])


def to_edl(shots: ShotList, title: str, source_url: str, clip_name: str) -> str:
    """A CMX 3600 edit list re-conforming the master shot by shot, dissolves included."""
    timeline = shot_timeline(shots, title, source_url, clip_name)
    text = otio.adapters.write_to_string(timeline, "cmx_3600", rate=float(shots.frame_rate))
    mode = "DROP FRAME" if is_drop_frame(shots.frame_rate) else "NON-DROP FRAME"
    head, _, rest = text.partition("\n")
    return f"{head}\nFCM: {mode}\n{rest}"


def to_otio(shots: ShotList, title: str, source_url: str, clip_name: str) -> str:
    """The timeline as OTIO JSON, for tools that read it directly."""
    timeline = shot_timeline(shots, title, source_url, clip_name)
    return otio.adapters.write_to_string(timeline, "otio_json")


def _dissolve(mixed: tuple[int, int], boundary: int, rate: float) -> otio.schema.Transition:
    """The dissolve around ``boundary``: from the first mixed frame to just after the last."""
    return otio.schema.Transition(
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=RationalTime(boundary - mixed[0], rate),
        out_offset=RationalTime(mixed[1] - boundary, rate),
    )


def _incoming_gradual(shot: Shot, transitions: list[Transition]) -> Transition | None:
    """The gradual transition a shot opens with (its boundary lies inside the mix)."""
    return next(
        (
            t
            for t in transitions
            if t.kind == "gradual" and t.first_frame <= shot.first_frame <= t.last_frame + 1
        ),
        None,
    )
