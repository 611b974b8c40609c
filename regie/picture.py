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


def progressive_filters(video: VideoStream, mode: Deinterlace = "frame") -> list[Filter]:
    """ffmpeg filters giving the active, progressive picture (pure): crop VBI, then bwdif.

    Args:
        video: The probed stream (its VBI lines and scan decision).
        mode: ``frame``: one frame per frame (25i -> 25p); ``field``: one per field (50p).
    """
    filters: list[Filter] = []
    if video.vbi_lines:
        active = video.height - video.vbi_lines
        filters.append(("crop", {"w": video.width, "h": active, "x": 0, "y": video.vbi_lines}))
    if video.scan is not None and video.scan.interlaced:
        send = "send_frame" if mode == "frame" else "send_field"
        filters.append(("bwdif", {"mode": send, "parity": video.scan.scan}))
    return filters


def progressive_chain(video: VideoStream | None, mode: Deinterlace = "frame") -> str:
    """:func:`progressive_filters` as a ``-vf`` chain prefix ('' or ending with a comma)."""
    return filter_chain(progressive_filters(video, mode) if video is not None else [])


def filter_chain(filters: list[Filter]) -> str:
    """Filters as a ``-vf`` chain prefix: ``crop=w=720:h=576:x=0:y=32,`` ('' for none)."""
    return "".join(
        f"{name}={':'.join(f'{k}={v}' for k, v in args.items())}," for name, args in filters
    )
