"""Checks on a finished ladder: what a player and a QC operator would catch, before publishing.

Every rendition is probed from its own HLS playlist (codec, size, duration, key frames from the
packet flags, no decoding), playlists are parsed with ``m3u8``, the MPD as XML, the output audio
is measured again for loudness, and SSIM against the master scaled to each rung's size is computed
on every Nth frame of a few windows spread over the programme, one ffmpeg process per window.
Anything wrong raises, so no manifest is written.
"""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

import ffmpeg
import m3u8
from pydantic import BaseModel, ConfigDict

from regie.artefacts import Rendition
from regie.errors import PermanentError
from regie.ffmpeg import run_tool
from regie.picture import Filter
from regie.programme import TimeSpan, seek_options
from regie.timing import Seconds, format_fraction, parse_fraction

MPD_NS = {"mpd": "urn:mpeg:dash:schema:mpd:2011"}
Input = tuple[str, dict[str, str]]  # an ffmpeg input: path or URL, and its input options
VIDEO_REPRESENTATIONS = ".//mpd:AdaptationSet[@contentType='video']/mpd:Representation"


class RenditionProbe(BaseModel):
    """What an encoded rendition really contains."""

    model_config = ConfigDict(frozen=True)

    codec: str
    width: int
    height: int
    duration: Seconds
    keyframes: list[Seconds]


def probe_rendition_argv(playlist: Path) -> list[str]:
    """ffprobe listing the video stream and every packet's time and flags, without decoding."""
    return [
        "ffprobe", "-v", "error", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,width,height:packet=pts_time,duration_time,flags",
        "-of", "json", str(playlist),
    ]  # fmt: skip


def parse_rendition_probe(data: dict, asset: str) -> RenditionProbe:
    """Key frames and duration from the packet list (pure)."""
    streams, packets = data.get("streams") or [], data.get("packets") or []
    if not streams or not packets:
        raise PermanentError(asset, "an encoded rendition has no video packets")
    # Relative to the first frame: fMP4 shifts every timestamp by the B-frame delay.
    first = min(parse_fraction(p["pts_time"]) for p in packets)
    times = [parse_fraction(p["pts_time"]) - first for p in packets]
    last = max(range(len(packets)), key=times.__getitem__)
    return RenditionProbe(
        codec=streams[0]["codec_name"],
        width=streams[0]["width"],
        height=streams[0]["height"],
        duration=times[last] + parse_fraction(packets[last].get("duration_time", "0")),
        keyframes=sorted(t for t, p in zip(times, packets, strict=True) if "K" in p["flags"]),
    )


def probe_rendition(playlist: Path, asset: str) -> RenditionProbe:
    done = run_tool(probe_rendition_argv(playlist), asset)
    return parse_rendition_probe(json.loads(done.stdout), asset)


def check_rendition(
    probe: RenditionProbe, rendition: Rendition, duration: Fraction, asset: str
) -> None:
    """Codec, size and duration (source duration within one frame) of one rendition."""
    frame = 1 / rendition.frame_rate
    if probe.codec != "h264" or (probe.width, probe.height) != (rendition.width, rendition.height):
        found = f"{probe.codec} {probe.width}x{probe.height}"
        raise PermanentError(asset, f"rendition {rendition.name} is {found}, not the planned size")
    if abs(probe.duration - duration) > frame:
        raise PermanentError(
            asset,
            f"rendition {rendition.name} lasts {float(probe.duration):.3f} s, "
            f"the source {float(duration):.3f} s (more than one frame apart)",
        )


def check_keyframes(
    probes: list[RenditionProbe], renditions: list[Rendition], cuts: list[Fraction], asset: str
) -> None:
    """Key frames identical across renditions (within a frame) and on every shot cut."""
    reference, top = probes[0].keyframes, renditions[0]
    for probe, rendition in zip(probes[1:], renditions[1:], strict=True):
        tolerance = 1 / rendition.frame_rate
        if len(probe.keyframes) != len(reference) or any(
            abs(a - b) > tolerance for a, b in zip(probe.keyframes, reference, strict=True)
        ):
            raise PermanentError(
                asset, f"key frames of {rendition.name} differ from {top.name}: not switchable"
            )
    frame = 1 / top.frame_rate
    missed = [cut for cut in cuts if not any(abs(cut - k) <= frame for k in reference)]
    if missed:
        raise PermanentError(asset, f"no key frame at the shot cut at {float(missed[0]):.3f} s")


def check_playlists(
    master_path: Path, renditions: list[Rendition], segment_s: int, asset: str
) -> None:
    """The HLS master lists every rendition; each media playlist is a complete VOD playlist."""
    master = m3u8.load(str(master_path))
    sizes = [p.stream_info.resolution for p in master.playlists]
    if sizes != [(r.width, r.height) for r in renditions]:
        raise PermanentError(asset, f"HLS master lists {sizes}, not the planned renditions")
    media = [p.absolute_uri for p in master.playlists] + [m.absolute_uri for m in master.media]
    for uri in media:
        playlist = m3u8.load(uri)
        if not playlist.is_endlist or not playlist.segments:
            raise PermanentError(asset, f"HLS playlist {Path(uri).name} is empty or unfinished")
        if playlist.target_duration > 2 * segment_s:
            raise PermanentError(asset, f"HLS playlist {Path(uri).name} has overlong segments")


def check_mpd(mpd_path: Path, renditions: list[Rendition], duration: Fraction, asset: str) -> None:
    """The MPD is XML with one video Representation per rendition and the right duration."""
    try:
        root = ElementTree.parse(mpd_path).getroot()
    except ElementTree.ParseError as error:
        raise PermanentError(asset, f"the DASH manifest is not valid XML: {error}") from error
    videos = [
        (int(r.get("width", 0)), int(r.get("height", 0)))
        for r in root.iterfind(
            ".//mpd:AdaptationSet[@contentType='video']/mpd:Representation", MPD_NS
        )
    ]
    if videos != [(r.width, r.height) for r in renditions]:
        raise PermanentError(asset, f"the DASH manifest lists {videos}, not the planned renditions")
    declared = _iso_duration(root.get("mediaPresentationDuration", "PT0S"))
    if abs(declared - duration) > 1:
        raise PermanentError(asset, f"the DASH manifest declares {float(declared):.1f} s")


def ssim_windows(
    duration: Fraction, frame: Fraction, count: int, length: Fraction
) -> list[TimeSpan]:
    """``count`` windows of ``length`` seconds, one in the middle of each ``count``-th of the
    programme, each starting on a frame (pure); the whole programme when they would cover it.

    Seeking to a few windows makes the check cost the same for a 3-minute clip and a 3-hour master,
    where comparing every ``step``-th frame of the whole decoded, deinterlaced, scaled master
    outlasted the encode itself on a 60-minute master.
    """
    if count <= 0 or count * length >= duration:
        return [TimeSpan(start=0, end=duration)]
    spacing = duration / count
    starts = [
        math.floor((k * spacing + (spacing - length) / 2) / frame) * frame for k in range(count)
    ]
    return [TimeSpan(start=start, end=start + length) for start in starts]


class MediaSegment(NamedTuple):
    """One media segment of a rendition, ``[start, end)`` in programme time."""

    start: Fraction
    end: Fraction
    uri: str


def media_segments(playlist: Path) -> tuple[str, list[MediaSegment]]:
    """A rendition's init segment and media segments, timed by summing their EXTINF."""
    media = m3u8.load(str(playlist))
    durations = [Fraction(str(segment.duration)) for segment in media.segments]
    ends = list(itertools.accumulate(durations))
    segments = [
        MediaSegment(end - duration, end, segment.uri)
        for end, duration, segment in zip(ends, durations, media.segments, strict=True)
    ]
    return media.segment_map[0].uri, segments


def window_input(
    folder: Path, init: str, segments: list[MediaSegment], window: TimeSpan, asset: str
) -> Input:
    """A rendition over ``window`` (programme time) as one ffmpeg input (pure): its init segment
    and the media segments overlapping the window, joined by the concat protocol (fMP4 fragments
    after their init segment are one file), seeked from the first one's start. ffmpeg 5.1 cannot
    seek in an fMP4 HLS playlist: it decodes from the wrong fragment without its init segment."""
    chosen = [s for s in segments if s.end > window.start and s.start < window.end]
    if not chosen:
        raise PermanentError(asset, f"no segment of the rendition in {window}")
    if "|" in str(folder):  # the concat protocol's separator
        raise PermanentError(asset, f"the package folder {folder} has a '|' in its path")
    files = [init, *(s.uri for s in chosen)]
    url = "concat:" + "|".join(str(folder.resolve() / name) for name in files)
    first = chosen[0].start
    return url, seek_options(TimeSpan(start=window.start - first, end=window.end - first))


def ssim_argv(
    master: Input,
    encoded: list[Input],
    renditions: list[Rendition],
    step: int,
    logs: list[Path],
    progressive: list[Filter] | None = None,
) -> list[str]:
    """One ffmpeg run: the master (path and input options) made progressive and scaled to each
    rung, compared with each rendition (``encoded``, read over the same span) on every
    ``step``-th frame, each rung's per-frame SSIM to its log."""
    source = ffmpeg.input(master[0], **master[1]).video
    for name, args in progressive or []:
        source = source.filter(name, **args)
    refs = source.filter_multi_output("split", len(renditions))
    outputs = []
    for index, ((url, options), rendition, log) in enumerate(
        zip(encoded, renditions, logs, strict=True)
    ):
        rate = format_fraction(rendition.frame_rate)
        # Frames are dropped before the scaler, not after: the same frames reach SSIM, and the
        # lanczos scaler works on 1 frame in ``step`` (at 10, 2.5x less CPU on the master's side).
        # ``fps`` on both sides puts the first frame of each input at 0 and the rest on one grid,
        # so SSIM pairs frame n with frame n whatever the inputs' own timestamps (at a constant
        # frame rate: a variable one is compared whole, from the start, as it was encoded).
        reference = (
            refs[index].filter("fps", rate)
            .filter("framestep", step)
            .filter("scale", rendition.width, rendition.height, flags="lanczos")
            .filter("setsar", 1)
        )  # fmt: skip
        encoded_frames = ffmpeg.input(url, **options).video.filter("fps", rate)
        compared = ffmpeg.filter(
            [encoded_frames.filter("framestep", step), reference], "ssim", stats_file=str(log)
        )
        outputs.append(ffmpeg.output(compared, "-", format="null"))
    argv = ffmpeg.merge_outputs(*outputs).compile()
    return [argv[0], "-hide_banner", "-nostdin", "-loglevel", "error", *argv[1:]]


def mean_ssim(log: Path) -> float | None:
    """Average of the per-frame ``All:`` values of an ssim stats file (None: no frame)."""
    values = [
        float(field.removeprefix("All:"))
        for line in log.read_text().splitlines()
        for field in line.split()
        if field.startswith("All:")
    ]
    return round(sum(values) / len(values), 5) if values else None


def _iso_duration(text: str) -> Fraction:
    """``PT1H2M3.5S`` -> seconds (the subset the DASH muxer writes)."""
    body, seconds = text.removeprefix("PT"), Fraction(0)
    for unit, scale in (("H", 3600), ("M", 60), ("S", 1)):
        if unit in body:
            value, body = body.split(unit, 1)
            seconds += parse_fraction(value) * scale
    return seconds
