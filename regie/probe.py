"""Probe stage: ffprobe turns a master into :class:`MediaInfo`, or a precise refusal.

Refusals are permanent and each has its own kind, so a backfill report says *why* an archive item
cannot be processed: empty, not media, truncated, a still image, a playlist or subtitle file, no
audio or video, absurd dimensions, an unsupported codec. ffprobe reads only the container index, so
a truncated file whose index is intact looks whole: the last seconds are also decoded, which finds
the missing tail wherever the cut happened.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from regie.artefacts import AudioStream, MediaInfo, SourceAsset, VideoStream
from regie.audio_layout import resolve_layout
from regie.bars import detect_bars
from regie.errors import ProbeError, ToolError
from regie.fetch import local_source
from regie.ffmpeg import run_tool, stderr_tail, tool_version
from regie.leader import LeaderRules, detect_leader
from regie.picture import detect_scan, vbi_lines
from regie.stage import Stage, StageContext, StageOptions, StageOutcome, StageRun, run_stage
from regie.timing import Seconds, parse_fraction

PROBE = Stage("probe", "4", MediaInfo)
SNIFF_BYTES = 64
BMFF_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")
PLAYLIST_MAGIC = {b"#EXTM3U": "an HLS playlist", b"ffconcat": "an ffconcat playlist"}
SUBTITLE_FORMATS = frozenset({"srt", "ass", "webvtt", "microdvd", "subviewer", "jacosub", "sami"})
LeaderChoice = Literal["trim", "keep"]
IMAGE_CODECS = frozenset({"png", "bmp", "tiff", "webp", "gif", "jpeg2000", "targa"})


class ProbeOptions(StageOptions):
    """Limits on what counts as a programme master."""

    max_width: int = 8192
    max_height: int = 8192
    min_side: int = 16
    tail_check_s: float = 2.0
    idet_frames: int = Field(100, description="Frames idet classes to confirm the field order.")
    measure_bars: bool = Field(True, description="Measure letterbox/pillarbox bars (cropdetect).")
    audio_layout: str = Field(
        "auto",
        description="Audio tracks: auto, a preset (stereo, mono, 5.1) or a declaration such as "
        "1+2:programme:fra,3+4:original:eng,5:description:fra (tracks counted from 1 over every "
        "channel of every audio stream).",
    )
    leader: LeaderChoice = Field(
        "trim", description="A tape leader (bars and tone, black, slate) and tail black: trim "
        "publishes the programme alone, keep the whole master (the leader is still reported).",
    )  # fmt: skip
    leader_rules: LeaderRules = Field(default_factory=LeaderRules)


def probe(
    source: SourceAsset, context: StageContext, options: ProbeOptions | None = None
) -> StageOutcome[MediaInfo]:
    """Probe a fetched asset, or return the manifest of an earlier identical probe."""
    opts = options or ProbeOptions()

    def produce(run: StageRun) -> MediaInfo:
        run.tools["ffprobe"] = tool_version("ffprobe")
        return probe_file(local_source(source, context), source.asset_id, opts)

    inputs = {"source": source.sha256}
    return run_stage(PROBE, source.asset_id, inputs, opts, context, produce)


def probe_file(path: Path, asset: str, options: ProbeOptions | None = None) -> MediaInfo:
    """Describe ``path`` or refuse it.

    Raises:
        ProbeError: The file is not a playable programme master (its ``kind`` says why).
    """
    opts = options or ProbeOptions()
    size = path.stat().st_size
    with path.open("rb") as stream:
        header = stream.read(SNIFF_BYTES)
    refuse_by_header(header, size, asset)
    try:
        report = json.loads(run_tool(ffprobe_argv(path), asset).stdout)
    except ToolError as error:
        raise classify_ffprobe_failure(error.stderr_tail, header, asset) from error
    info = media_info_from_ffprobe(report, asset, size)
    check_playable(info, opts)
    if info.duration > 0:
        check_tail(path, asset, info, opts.tail_check_s)
    info = info.model_copy(
        update={"audio_layout": resolve_layout(info.audio, opts.audio_layout, asset)}
    )
    leader, programme = detect_leader(path, info, opts.leader_rules, keep=opts.leader == "keep")
    update = {"leader": leader, "programme": programme}
    info = info.model_copy(update=update)
    return info.model_copy(update={"video": _looked_at(path, info, opts)})


def _looked_at(path: Path, info: MediaInfo, options: ProbeOptions) -> list[VideoStream]:
    """The video streams, the first with its field order confirmed by idet and its black bars
    measured within the programme."""
    if not info.video:
        return info.video
    first, *rest = info.video
    found: dict[str, object] = {}
    duration = first.duration or info.duration
    if options.idet_frames > 0:
        found["scan"] = detect_scan(
            path, first.field_order, duration, info.asset_id, options.idet_frames
        )
    if options.measure_bars and duration > 0:
        span = (info.programme.start, info.programme.duration) if info.programme else (
            Fraction(0), duration)  # fmt: skip
        found["bars"] = detect_bars(path, first, span, info.asset_id)
    return [first.model_copy(update=found), *rest]


def ffprobe_argv(path: Path) -> list[str]:
    """ffprobe command describing the container and every stream as JSON."""
    return [
        "ffprobe", "-v", "error", "-print_format", "json",
        "-show_format", "-show_streams", "-protocol_whitelist", "file", str(path),
    ]  # fmt: skip


def tail_decode_argv(path: Path, seconds: float) -> list[str]:
    """ffmpeg command decoding the last ``seconds`` of every audio and video stream."""
    return [
        "ffmpeg", "-v", "error", "-nostdin", "-sseof", f"-{seconds:g}", "-i", str(path),
        "-map", "0:v?", "-map", "0:a?", "-f", "null", "-",
    ]  # fmt: skip


def refuse_by_header(header: bytes, size: int, asset: str) -> None:
    """Refuse what is recognisable before ffprobe opens it (and may follow references)."""
    if size == 0:
        raise ProbeError(asset, "empty", "empty file (0 bytes)")
    for magic, what in PLAYLIST_MAGIC.items():
        if header.startswith(magic):
            raise ProbeError(asset, "wrong_container", f"{what}, not a media master")


def classify_ffprobe_failure(stderr: str, header: bytes, asset: str) -> ProbeError:
    """Name the reason ffprobe could not open a file."""
    size_line = next((ln for ln in stderr.splitlines() if "Picture size" in ln), "")
    if "invalid" in size_line:
        detail = size_line.split("] ")[-1].strip()
        return ProbeError(asset, "absurd_dimensions", f"absurd dimensions ({detail})")
    if "moov atom not found" in stderr and header[4:8] in BMFF_BOXES:
        return ProbeError(asset, "truncated", "truncated MP4/MOV: the index (moov) is missing")
    if "Invalid data found" in stderr:
        kind = "text" if _looks_like_text(header) else "unrecognised data"
        return ProbeError(asset, "not_media", f"not a media file ({kind})")
    return ProbeError(asset, "corrupt", f"unreadable media ({stderr_tail(stderr, 1)})")


def check_playable(info: MediaInfo, options: ProbeOptions) -> None:
    """Refuse containers and streams that no later stage can work with."""
    asset, format_name = info.asset_id, info.container
    if format_name in SUBTITLE_FORMATS:
        raise ProbeError(asset, "wrong_container", f"a {format_name} subtitle file, not a master")
    if format_name == "image2" or format_name.endswith("_pipe") or _is_still(info):
        raise ProbeError(asset, "still_image", f"a still image ({format_name}), not a programme")
    if not info.video and not info.audio:
        raise ProbeError(asset, "no_streams", "no audio or video stream")
    for video in info.video:
        too_big = video.width > options.max_width or video.height > options.max_height
        if too_big or min(video.width, video.height) < options.min_side:
            limit = f"{options.max_width}x{options.max_height}"
            size = f"{video.width}x{video.height}"
            raise ProbeError(
                asset, "absurd_dimensions", f"absurd dimensions {size} (limit {limit})"
            )


def check_tail(path: Path, asset: str, info: MediaInfo, seconds: float) -> None:
    """Decode the end of the file: a truncated file fails there whatever its index claims."""
    done = run_tool(tail_decode_argv(path, seconds), asset)
    errors = done.stderr.strip()
    if "partial file" in errors or "End of file" in errors:
        reason = f"truncated: the data stops before the declared end ({info.duration} s)"
        raise ProbeError(asset, "truncated", reason)
    if errors:
        raise ProbeError(asset, "corrupt", f"decoding the end failed ({stderr_tail(errors, 1)})")


def media_info_from_ffprobe(data: dict[str, Any], asset: str, size: int) -> MediaInfo:
    """Pure conversion of ffprobe's JSON into :class:`MediaInfo`.

    Raises:
        ProbeError: A stream uses a codec ffmpeg does not know.
    """
    fmt = data.get("format", {})
    streams = data.get("streams", [])
    for stream in streams:
        if stream.get("codec_type") in {"video", "audio"} and not stream.get("codec_name"):
            tag = stream.get("codec_tag_string", "?")
            reason = f"unsupported {stream['codec_type']} codec (tag {tag})"
            raise ProbeError(asset, "unsupported_codec", reason)
    return MediaInfo(
        asset_id=asset,
        container=fmt.get("format_name", "unknown"),
        duration=_seconds(fmt.get("duration")),
        start_time=_seconds(fmt.get("start_time")),
        size=size,
        bit_rate=int(fmt["bit_rate"]) if fmt.get("bit_rate") else None,
        video=[_video(s) for s in streams if _is_picture(s)],
        audio=[_audio(s) for s in streams if s.get("codec_type") == "audio"],
        subtitle_streams=sum(s.get("codec_type") == "subtitle" for s in streams),
        timecode=(timecode := start_timecode(fmt, streams)),
        drop_frame=timecode is not None and (";" in timecode or "." in timecode),
    )


def start_timecode(fmt: dict[str, Any], streams: list[dict[str, Any]]) -> str | None:
    """The master's start timecode: the container's (MXF, DV), else a stream's (MOV tmcd)."""
    for tags in [fmt.get("tags", {}), *(s.get("tags", {}) for s in streams)]:
        if tags.get("timecode"):
            return str(tags["timecode"])
    return None


def rotation_clockwise(stream: dict[str, Any]) -> int:
    """Display rotation in clockwise degrees from the display matrix or the legacy tag."""
    legacy = stream.get("tags", {}).get("rotate")
    if legacy is not None:
        return int(legacy) % 360
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            # ffprobe reports the matrix angle counter-clockwise.
            return int(-float(side["rotation"])) % 360
    return 0


def _video(stream: dict[str, Any]) -> VideoStream:
    width, height = int(stream["width"]), int(stream["height"])
    sar = _ratio(stream.get("sample_aspect_ratio"), default=1)
    vbi = vbi_lines(stream["codec_name"], width, height)
    if vbi:  # the coded frame's display aspect belongs to the active picture (D-10 practice)
        aspect = _ratio(stream.get("display_aspect_ratio"), default=0) or sar * width / height
        sar = aspect * (height - vbi) / width
    rotation = rotation_clockwise(stream)
    shown_w, shown_h = round(width * sar), height - vbi
    if rotation in (90, 270):
        shown_w, shown_h = shown_h, shown_w
    rate = _ratio(stream.get("r_frame_rate"), default=0)
    average = _ratio(stream.get("avg_frame_rate"), default=rate)
    return VideoStream(
        index=stream["index"],
        codec=stream["codec_name"],
        profile=stream.get("profile"),
        pix_fmt=stream.get("pix_fmt"),
        width=width,
        height=height,
        sample_aspect_ratio=sar,
        display_aspect_ratio=parse_fraction(f"{shown_w}/{shown_h}"),
        rotation=rotation,
        display_width=shown_w,
        display_height=shown_h,
        frame_rate=rate,
        avg_frame_rate=average,
        vfr=bool(rate and average and abs(average / rate - 1) > 0.01),
        time_base=_ratio(stream.get("time_base"), default=0),
        start_time=_seconds(stream.get("start_time")),
        duration=_seconds(stream["duration"]) if stream.get("duration") else None,
        frames=int(stream["nb_frames"]) if stream.get("nb_frames") else None,
        field_order=stream.get("field_order"),
        vbi_lines=vbi,
    )


def _audio(stream: dict[str, Any]) -> AudioStream:
    return AudioStream(
        index=stream["index"],
        codec=stream["codec_name"],
        sample_rate=int(stream.get("sample_rate", 0)),
        channels=int(stream.get("channels", 0)),
        channel_layout=stream.get("channel_layout"),
        language=stream.get("tags", {}).get("language"),
        start_time=_seconds(stream.get("start_time")),
        duration=_seconds(stream["duration"]) if stream.get("duration") else None,
    )


def _is_picture(stream: dict[str, Any]) -> bool:
    """A video stream that is not cover art attached to an audio file."""
    attached = stream.get("disposition", {}).get("attached_pic", 0)
    return stream.get("codec_type") == "video" and not attached


def _is_still(info: MediaInfo) -> bool:
    video = info.primary_video
    return video is not None and video.codec in IMAGE_CODECS and (video.frames or 0) <= 1


def _seconds(value: Any) -> Seconds:
    return parse_fraction(value) if value not in (None, "N/A") else parse_fraction(0)


def _ratio(value: Any, default: Fraction | int) -> Fraction:
    if value in (None, "N/A", "0:1", "0/0", "0/1"):
        return parse_fraction(default)
    return parse_fraction(value)


def _looks_like_text(header: bytes) -> bool:
    try:
        header.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch >= 0x20 or ch in b"\t\r\n" for ch in header)
