"""The ABR ladder: configured rungs pruned to what the source can honestly feed.

A rung is named by its short side (``1080`` is 1920x1080 landscape or 1080x1920 portrait), so one
ladder serves every orientation. No rung is above the source's resolution or frame rate; sizes
follow the display aspect ratio (rotation and non-square pixels resolved by the probe) and are
even, as H.264 4:2:0 requires. Frame rates are lowered by halving (50 -> 25, 59.94 -> 29.97) so
that every output frame is a source frame.
"""

from __future__ import annotations

from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from regie.artefacts import Rendition, VideoStream


class Rung(BaseModel):
    """One configured rung of the ladder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lines: int = Field(description="Short side in pixels (height of a landscape picture).")
    bitrate_kbps: int = Field(description="Average video bitrate; maxrate and bufsize follow.")
    max_fps: int = Field(60, description="Frame rate cap for this rung.")
    preset: str | None = Field(None, description="x264 preset for this rung (None: the stage's).")


# Apple's HLS authoring specification, trimmed to five rungs; low rungs capped at 30 fps.
# The top rungs have bitrate to spare and carry most of the pixels: x264 `superfast` there costs
# about 0.001 SSIM and saves a third of the encoding time (bench/transcode_speed.py). The low
# rungs are starved of bits, so they keep the finer motion search, which costs little at their size.
DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung(lines=1080, bitrate_kbps=6000, preset="superfast"),
    Rung(lines=720, bitrate_kbps=3000, preset="superfast"),
    Rung(lines=540, bitrate_kbps=2000),
    Rung(lines=360, bitrate_kbps=800, max_fps=30),
    Rung(lines=234, bitrate_kbps=300, max_fps=30),
)
MAXRATE_FACTOR = Fraction(11, 10)
BUFSIZE_FACTOR = 2
MAX_FPS = 60


def plan_renditions(video: VideoStream, ladder: tuple[Rung, ...]) -> list[Rendition]:
    """The renditions to encode for ``video``, largest first (pure).

    Rungs above the source's short side are dropped; a source smaller than every rung gets one
    rendition at its own size with the lowest rung's bitrate, so no asset is left without output.
    """
    short_side = min(video.display_width, video.display_height)
    rungs = sorted(ladder, key=lambda r: r.lines, reverse=True)
    kept = [r for r in rungs if r.lines <= short_side]
    if not kept:
        kept = [rungs[-1].model_copy(update={"lines": _even(short_side)})]
    return [_resolve(rung, video) for rung in kept]


def output_frame_rate(source_rate: Fraction, cap: int) -> Fraction:
    """The source rate, halved until it is at most ``cap`` (and never above 60)."""
    rate = source_rate if source_rate > 0 else Fraction(25)
    limit = min(cap, MAX_FPS)
    while rate > limit:
        rate /= 2
    return rate


def output_size(video: VideoStream, lines: int) -> tuple[int, int]:
    """Even width and height with ``lines`` on the short side and the display aspect ratio."""
    aspect = Fraction(video.display_width, video.display_height)
    if aspect >= 1:
        return _even(lines * aspect), _even(lines)
    return _even(lines), _even(lines / aspect)


def _resolve(rung: Rung, video: VideoStream) -> Rendition:
    width, height = output_size(video, rung.lines)
    return Rendition(
        name=f"{rung.lines}p",
        width=width,
        height=height,
        frame_rate=output_frame_rate(video.frame_rate, rung.max_fps),
        bitrate_kbps=rung.bitrate_kbps,
        maxrate_kbps=int(rung.bitrate_kbps * MAXRATE_FACTOR),
        bufsize_kbps=rung.bitrate_kbps * BUFSIZE_FACTOR,
        preset=rung.preset,
    )


def _even(value: Fraction | int) -> int:
    return max(2, 2 * round(Fraction(value) / 2))
