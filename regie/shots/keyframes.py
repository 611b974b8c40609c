"""Keyframe JPEGs: one accurate seek per shot, in parallel, instead of a second full decode.

ffmpeg seeks to the keyframe before the target and decodes forward to the exact frame, so each
extraction costs at most one GOP of decoding. Rotation is applied (ffmpeg autorotates) and
non-square pixels are made square so thumbnails show the picture as broadcast.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

from regie.errors import PermanentError
from regie.ffmpeg import run_tool

HALF_MILLISECOND = Fraction(1, 2000)


def keyframe_argv(
    source: Path, seconds: Fraction, target: Path, width: int, prefilter: str = ""
) -> list[str]:
    """ffmpeg command writing the frame shown at ``seconds`` as a JPEG ``width`` pixels wide.

    Args:
        source: The master.
        seconds: Presentation time of the frame.
        target: JPEG to write.
        width: Picture width.
        prefilter: Filters making the picture progressive (``crop=...,bwdif=...,``), or ''.
    """
    # Seek half a millisecond early: the decimal text of ``seconds`` must not round past the frame.
    position = max(Fraction(0), seconds - HALF_MILLISECOND)
    return [
        "ffmpeg", "-v", "error", "-nostdin", "-y", "-ss", f"{float(position):.6f}",
        "-i", str(source), "-map", "0:v:0", "-frames:v", "1",
        "-vf", f"{prefilter}scale=trunc(iw*sar/2)*2:ih,setsar=1,scale={width}:-2",
        "-q:v", "3", str(target),
    ]  # fmt: skip


def extract_keyframes(
    source: Path, times: list[Fraction], folder: Path, width: int, asset: str, prefilter: str = ""
) -> list[Path]:
    """One JPEG per time, named ``shot-0001.jpg`` ..., extracted two at a time."""
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / f"shot-{index:04d}.jpg" for index in range(len(times))]
    commands = [
        keyframe_argv(source, seconds, target, width, prefilter)
        for seconds, target in zip(times, targets, strict=True)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda argv: run_tool(argv, asset), commands))
    missing = [
        seconds for seconds, target in zip(times, targets, strict=True) if not target.exists()
    ]
    if missing:  # ffmpeg exits 0 when the seek lands past the last frame
        raise PermanentError(asset, f"no frame to show at {float(missing[0]):.3f} s")
    return targets
