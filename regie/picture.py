"""The master's picture as every stage should see it: active lines only, progressive.

Interlace flags lie both ways (progressive content flagged interlaced, PsF, DV that flags
nothing), so the probe runs ``idet`` on a sample and the verdict is the pictures' own when they
say anything, the flag's when idet cannot tell. Interlaced pictures are deinterlaced with
``bwdif`` before any scaling (a scaler mixes the two fields' lines into combing that no filter
can undo). D-10/IMX carries 32 VBI lines above its 576 active ones: they are cropped first.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Literal

from regie.artefacts import ScanDecision, VideoStream
from regie.ffmpeg import run_tool

IDET_MULTI = re.compile(
    r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)"
    r"\s*Undetermined:\s*(\d+)"
)
FLAG_SCAN: dict[str, Literal["progressive", "tff", "bff"]] = {
    "progressive": "progressive", "tt": "tff", "tb": "tff", "bb": "bff", "bt": "bff",
}  # fmt: skip
VBI_FRAMES = {(720, 608): 32, (720, 512): 32}  # D-10 625 and 525 lines: VBI above the picture
Deinterlace = Literal["frame", "field"]
Filter = tuple[str, dict[str, str | int]]  # an ffmpeg filter's name and options


def idet_argv(path: Path, start: Fraction, frames: int) -> list[str]:
    """ffmpeg running ``idet`` on ``frames`` frames of the first video stream from ``start``."""
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-ss", f"{float(start):.3f}",
        "-i", str(path), "-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", str(frames),
        "-vf", "idet", "-f", "null", "-",
    ]  # fmt: skip


def decide_scan(flagged: str | None, counts: tuple[int, int, int, int]) -> ScanDecision:
    """The verdict from the flag and idet's multi-frame counts (pure).

    Interlaced when idet saw more combed frames than progressive ones, in the majority field
    order; the flag decides only when idet classed nothing.
    """
    tff, bff, progressive, undetermined = counts
    fields = tff + bff
    if fields + progressive == 0:
        scan = FLAG_SCAN.get(flagged or "", "progressive")
        reason = f"idet undecided on {undetermined} frames: the flag ({flagged}) decides"
    elif fields > progressive:
        scan = "tff" if tff >= bff else "bff"
        reason = f"idet: {fields} of {fields + progressive} classed frames interlaced"
    else:
        scan = "progressive"
        reason = f"idet: {progressive} of {fields + progressive} classed frames progressive"
    if FLAG_SCAN.get(flagged or "") not in (None, scan):
        reason += f"; the flag ({flagged}) is wrong"
    return ScanDecision(
        flagged=flagged, tff=tff, bff=bff, progressive=progressive, undetermined=undetermined,
        scan=scan, reason=reason,
    )  # fmt: skip


def parse_idet(stderr: str) -> tuple[int, int, int, int]:
    """idet's multi-frame counts (TFF, BFF, progressive, undetermined); zeros if absent."""
    found = IDET_MULTI.findall(stderr)
    if not found:
        return (0, 0, 0, 0)
    tff, bff, progressive, undetermined = (int(n) for n in found[-1])
    return tff, bff, progressive, undetermined


def detect_scan(
    path: Path, flagged: str | None, duration: Fraction, asset: str, frames: int = 100
) -> ScanDecision:
    """Run idet on ``frames`` frames around the middle of the programme (past any leader)."""
    start = max(Fraction(0), duration / 2 - 2)
    done = run_tool(idet_argv(path, start, frames), asset)
    return decide_scan(flagged, parse_idet(done.stderr))


def vbi_lines(codec: str, width: int, height: int) -> int:
    """Lines of vertical blanking stored above the active picture (D-10/IMX MPEG-2)."""
    return VBI_FRAMES.get((width, height), 0) if codec == "mpeg2video" else 0


def progressive_filters(
    video: VideoStream, mode: Deinterlace = "frame", crop_bars: bool = False
) -> list[Filter]:
    """ffmpeg filters giving the active, progressive picture (pure): crop VBI, then bwdif, then
    (``crop_bars``) the measured letterbox or pillarbox bars.

    Args:
        video: The probed stream (its VBI lines, scan decision and bars).
        mode: ``frame``: one frame per frame (25i -> 25p); ``field``: one per field (50p).
        crop_bars: Publish the picture inside the bars rather than the frame as aired.
    """
    filters: list[Filter] = []
    active = video.height - video.vbi_lines
    if video.vbi_lines:
        filters.append(("crop", {"w": video.width, "h": active, "x": 0, "y": video.vbi_lines}))
    if video.scan is not None and video.scan.interlaced:
        send = "send_frame" if mode == "frame" else "send_field"
        filters.append(("bwdif", {"mode": send, "parity": video.scan.scan}))
    if crop_bars and (inside := inside_bars(video)) != (video.width, active):
        bars = video.bars
        assert bars is not None  # inside_bars found some
        x = bars.left if bars.kind in ("pillarbox", "windowbox") else 0
        y = bars.top if bars.kind in ("letterbox", "windowbox") else 0
        filters.append(("crop", {"w": inside[0], "h": inside[1], "x": x, "y": y}))
    return filters


def inside_bars(video: VideoStream) -> tuple[int, int]:
    """Width and height of the active picture without its bars (only sides that have bars)."""
    width, height = video.width, video.height - video.vbi_lines
    bars = video.bars
    if bars is None or bars.kind == "none":
        return width, height
    if bars.kind != "letterbox":
        width -= bars.left + bars.right
    if bars.kind != "pillarbox":
        height -= bars.top + bars.bottom
    return width, height


def without_bars(video: VideoStream) -> VideoStream:
    """The stream as the ladder sees it once its bars are cropped: the display geometry of the
    picture inside them (non-square pixels kept)."""
    width, height = inside_bars(video)
    full_w, full_h = video.width, video.height - video.vbi_lines
    if (width, height) == (full_w, full_h):
        return video
    across, down = (height, full_h), (width, full_w)  # a quarter turn swaps the axes
    if video.rotation not in (90, 270):
        across, down = down, across
    shown_w = round(Fraction(video.display_width * across[0], across[1]))
    shown_h = round(Fraction(video.display_height * down[0], down[1]))
    return video.model_copy(update={"display_width": shown_w, "display_height": shown_h})


def progressive_chain(video: VideoStream | None, mode: Deinterlace = "frame") -> str:
    """:func:`progressive_filters` as a ``-vf`` chain prefix ('' or ending with a comma)."""
    return filter_chain(progressive_filters(video, mode) if video is not None else [])


def filter_chain(filters: list[Filter]) -> str:
    """Filters as a ``-vf`` chain prefix: ``crop=w=720:h=576:x=0:y=32,`` ('' for none)."""
    return "".join(
        f"{name}={':'.join(f'{k}={v}' for k, v in args.items())}," for name, args in filters
    )
