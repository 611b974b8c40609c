"""The ladder as one ffmpeg command, built as data with ffmpeg-python (pure).

One process decodes the master once. The picture is made progressive (VBI lines cropped, fields
deinterlaced with bwdif before any scaling) and normalised to a constant frame rate, then scaled
in cascade (1080 -> 720 -> 540 -> ...): each rung is scaled from the one above, which costs a
fraction of scaling every rung from the full-size picture, and a thumbnail branch hangs off the
smallest rung. The display aspect is set after each scale, the same for every rung (the DASH
muxer wants one per adaptation set), so pixels are square but for even-size rounding; set before
the scale, the scaler turns it into a new SAR and a wrong shape. Every video stream gets the same
forced key frames. Each audio version (programme mix first) is assembled from its tracks and gets
the second pass of EBU R128 loudness normalisation. The DASH muxer writes CMAF segments once, with
the MPD and the HLS playlists over the same files.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg
from pydantic import BaseModel, ConfigDict

from regie.artefacts import AudioLayout, Rendition
from regie.audio_layout import version_stream
from regie.picture import Filter
from regie.timing import format_fraction
from regie.transcode.audio import version_metadata
from regie.transcode.encoders import EncoderSettings, video_codec_options
from regie.transcode.keyframes import force_key_frames_arg
from regie.transcode.loudness import GainFilter

MANIFEST_MPD = "manifest.mpd"
MASTER_M3U8 = "master.m3u8"
INIT_TEMPLATE = "init-$RepresentationID$.mp4"
SEGMENT_TEMPLATE = "seg-$RepresentationID$-$Number%05d$.m4s"
GLOBAL_ARGS = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-y"]


class SpriteSpec(BaseModel):
    """Scrubbing thumbnails: one picture every ``interval_s``, tiled into sprite sheets."""

    model_config = ConfigDict(frozen=True)

    interval_s: int = 5
    width: int = 160
    height: int = 90
    columns: int = 5
    rows: int = 5


class LadderJob(BaseModel):
    """Everything the ladder command depends on."""

    model_config = ConfigDict(frozen=True)

    source: Path
    output_dir: Path
    renditions: list[Rendition]
    keyframes: list[Fraction]
    encoder: EncoderSettings
    aspect: Fraction = Fraction(16, 9)  # the master's display aspect, kept by every rung
    progressive: list[Filter] = []  # VBI crop and deinterlacing, before anything else
    audio: AudioLayout | None = None
    seek: dict[str, str] = {}  # input options reading the programme alone (-ss, -t)
    gains: list[GainFilter | None] = []  # per version; None for silence, which has no loudness
    audio_bitrate_kbps: int = 128
    segment_s: int = 6
    sprites: SpriteSpec | None = None


def build_ladder_argv(job: LadderJob) -> list[str]:
    """The ffmpeg command that encodes, segments and packages the whole ladder."""
    source = ffmpeg.input(str(job.source), **job.seek)
    videos, thumbs = _video_branches(source.video, job)
    streams: list[Any] = list(videos)
    options: dict[str, Any] = {}
    for index, rendition in enumerate(job.renditions):
        options |= video_codec_options(index, rendition, job.encoder)
        options[f"force_key_frames:v:{index}"] = force_key_frames_arg(job.keyframes)
    if job.audio is not None:
        for version, gain in zip(job.audio.versions, job.gains, strict=True):
            audio = version_stream(source, version, job.audio)
            if gain is not None:
                audio = audio.filter(gain.name, **gain.options)
            # loudnorm may work at 192 kHz: resample back to broadcast 48 kHz after it
            streams.append(audio.filter("aresample", 48000))
        options |= {"c:a": "aac", "b:a": f"{job.audio_bitrate_kbps}k", "ac": 2, "ar": 48000}
        options |= version_metadata(job.audio.versions, len(job.renditions))
    outputs = [ffmpeg.output(*streams, str(job.output_dir / MANIFEST_MPD), **options, **_dash(job))]
    if thumbs is not None and job.sprites is not None:
        sheet = str(job.output_dir / "thumbnails" / "sprite-%04d.jpg")
        outputs.append(ffmpeg.output(thumbs, sheet, format="image2", **{"q:v": 4}))
    program, *rest = ffmpeg.merge_outputs(*outputs).compile()
    return [program, *GLOBAL_ARGS, *(str(arg) for arg in rest)]  # globals before inputs


def _video_branches(video: Any, job: LadderJob) -> tuple[list[Any], Any | None]:
    """Cascade: each rung scaled from the one above; sprites from the smallest."""
    top = job.renditions[0]
    dar = f"{job.aspect.numerator}/{job.aspect.denominator}"
    for name, args in job.progressive:
        video = video.filter(name, **args)
    parent = video.filter("fps", format_fraction(top.frame_rate))
    parent_rate = top.frame_rate
    branches: list[Any] = []
    wanted = len(job.renditions) + (1 if job.sprites else 0)
    for rendition in job.renditions:
        if rendition.frame_rate != parent_rate:
            parent = parent.filter("fps", format_fraction(rendition.frame_rate))
            parent_rate = rendition.frame_rate
        scaled = parent.filter("scale", rendition.width, rendition.height, flags="bicubic")
        if len(branches) + 1 == wanted:
            branches.append(scaled.filter("setdar", dar).filter("format", "yuv420p"))
            break
        pair = scaled.filter_multi_output("split", 2)
        branches.append(pair[0].filter("setdar", dar).filter("format", "yuv420p"))
        parent = pair[1]
    if job.sprites is None:
        return branches, None
    sprite = job.sprites
    thumbs = (
        parent.filter("fps", f"1/{sprite.interval_s}")
        .filter("scale", sprite.width, sprite.height)
        .filter("setsar", 1)
        .filter("tile", f"{sprite.columns}x{sprite.rows}")
    )
    return branches, thumbs


def _dash(job: LadderJob) -> dict[str, Any]:
    versions = job.audio.versions if job.audio else []
    first = len(job.renditions)
    sets = " ".join(
        ["id=0,streams=v", *(f"id={n + 1},streams={first + n}" for n in range(len(versions)))]
    )
    return {
        "format": "dash",
        "seg_duration": job.segment_s,
        "use_template": 1,
        "use_timeline": 1,
        "hls_playlist": 1,
        "hls_master_name": MASTER_M3U8,
        "adaptation_sets": sets,
        "init_seg_name": INIT_TEMPLATE,
        "media_seg_name": SEGMENT_TEMPLATE,
        # an edit list skips the AAC encoder's priming samples: audio and video start together
        "format_options": "movflags=+cmaf:use_editlist=1",
    }
