"""Checks on a finished ladder: what a player and a QC operator would catch, before publishing.

Every rendition is probed from its own HLS playlist (codec, size, duration, key frames from the
packet flags, no decoding), playlists are parsed with ``m3u8``, the MPD as XML, the output audio
is measured again for loudness, and SSIM against the master scaled to each rung's size is computed
in one ffmpeg process on every Nth frame. Anything wrong raises, so no manifest is written.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import ffmpeg
import m3u8
from pydantic import BaseModel, ConfigDict

from regie.artefacts import Rendition
from regie.errors import PermanentError
from regie.ffmpeg import run_tool
from regie.picture import Filter
from regie.timing import Seconds, format_fraction, parse_fraction

MPD_NS = {"mpd": "urn:mpeg:dash:schema:mpd:2011"}
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


def ssim_argv(
    source: Path,
    playlists: list[Path],
    renditions: list[Rendition],
    step: int,
    progressive: list[Filter] | None = None,
    seek: dict[str, str] | None = None,
) -> list[str]:
    """One ffmpeg run: the master (its programme, with ``seek``) made progressive and scaled to
    each rung, SSIM of every ``step``-th frame to a log."""
    master = ffmpeg.input(str(source), **(seek or {})).video
    for name, args in progressive or []:
        master = master.filter(name, **args)
    refs = master.filter_multi_output("split", len(renditions))
    outputs = []
    for index, (playlist, rendition) in enumerate(zip(playlists, renditions, strict=True)):
        rate = format_fraction(rendition.frame_rate)
        # Frames are dropped before the scaler, not after: the same frames reach SSIM, and the
        # lanczos scaler works on 1 frame in ``step`` (at 10, 2.5x less CPU on the master's side).
        reference = (
            refs[index].filter("fps", rate)
            .filter("framestep", step)
            .filter("scale", rendition.width, rendition.height, flags="lanczos")
            .filter("setsar", 1)
        )  # fmt: skip
        encoded = ffmpeg.input(str(playlist)).video.filter("framestep", step)
        log = playlist.with_suffix(".ssim.log")
        compared = ffmpeg.filter([encoded, reference], "ssim", stats_file=str(log))
        outputs.append(ffmpeg.output(compared, "-", format="null"))
    argv = ffmpeg.merge_outputs(*outputs).compile()
    return [argv[0], "-hide_banner", "-nostdin", "-loglevel", "error", *argv[1:]]


def mean_ssim(log: Path) -> float:
    """Average of the per-frame ``All:`` values of an ssim stats file."""
    values = [
        float(field.removeprefix("All:"))
        for line in log.read_text().splitlines()
        for field in line.split()
        if field.startswith("All:")
    ]
    return round(sum(values) / len(values), 5) if values else 0.0


def _iso_duration(text: str) -> Fraction:
    """``PT1H2M3.5S`` -> seconds (the subset the DASH muxer writes)."""
    body, seconds = text.removeprefix("PT"), Fraction(0)
    for unit, scale in (("H", 3600), ("M", 60), ("S", 1)):
        if unit in body:
            value, body = body.split(unit, 1)
            seconds += parse_fraction(value) * scale
    return seconds
