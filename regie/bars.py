"""Black bars: a 16:9 film letterboxed in a 4:3 frame, a 4:3 archive pillarboxed in 16:9.

Archives hold both, and a broadcaster publishes some with their bars (as aired) and crops others.
``cropdetect`` gives the bounding box of what is not black, accumulated over every frame it sees;
a dark scene would pass for bars, so it reads samples spread over the programme, joined into one
stream: only what stayed black in all of them counts. Bars under 2% of a side are the analogue
blanking of a digitised tape or overscan, not bars.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

from regie.artefacts import BarsKind, BlackBars, VideoStream
from regie.ffmpeg import run_tool
from regie.picture import filter_chain, progressive_filters

SAMPLES_AT = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))  # of the programme
SAMPLE_S = Fraction(1)
MIN_SHARE = Fraction(2, 100)
# A fraction of the range, so 10-bit masters use the same threshold as 8-bit ones (24/255)
BLACK_LIMIT = 0.094
CROP = re.compile(r"crop=(\d+):(\d+):(\d+):(\d+)")
KINDS: dict[tuple[bool, bool], BarsKind] = {  # (letterbox, pillarbox)
    (False, False): "none", (True, False): "letterbox", (False, True): "pillarbox",
    (True, True): "windowbox",
}  # fmt: skip


def cropdetect_argv(
    path: Path, starts: list[Fraction], seconds: Fraction, prefilter: str
) -> list[str]:
    """One ffmpeg reading ``seconds`` at each of ``starts``, joined, through ``cropdetect``."""
    inputs = [
        arg for start in starts
        for arg in ("-ss", f"{float(start):.3f}", "-t", f"{float(seconds):.3f}", "-i", str(path))
    ]  # fmt: skip
    joined = "".join(f"[{n}:v:0]" for n in range(len(starts)))
    graph = (
        f"{joined}concat=n={len(starts)}:v=1:a=0,{prefilter}"
        f"cropdetect=limit={BLACK_LIMIT}:round=2:reset=0"
    )
    return ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", *inputs,
            "-filter_complex", graph, "-an", "-f", "null", "-"]  # fmt: skip


def measure_bars(width: int, height: int, stderr: str) -> BlackBars | None:
    """The bars around a ``width`` x ``height`` picture from cropdetect's log (pure); None when
    it printed nothing (no frame decoded)."""
    found = CROP.findall(stderr)
    if not found:
        return None
    w, h, x, y = (int(n) for n in found[-1])  # the last box holds every frame before it
    top, left = y, x
    bottom, right = height - h - y, width - w - x
    letterbox = min(top, bottom) >= MIN_SHARE * height
    pillarbox = min(left, right) >= MIN_SHARE * width
    kind = KINDS[(letterbox, pillarbox)]
    return BlackBars(top=top, bottom=bottom, left=left, right=right, kind=kind, frames=len(found))


def detect_bars(
    path: Path, video: VideoStream, programme: tuple[Fraction, Fraction], asset: str
) -> BlackBars | None:
    """Measure the bars of the active picture (VBI lines cropped) within ``programme``
    (start, duration in seconds)."""
    start, duration = programme
    starts = [start + share * duration for share in SAMPLES_AT]
    crop_vbi = [f for f in progressive_filters(video) if f[0] == "crop"]
    argv = cropdetect_argv(path, starts, min(SAMPLE_S, duration / 4), filter_chain(crop_vbi))
    height = video.height - video.vbi_lines
    return measure_bars(video.width, height, run_tool(argv, asset).stderr)
