"""Benchmark reels: the shared clips one after the other at 1920x1080, 25 fps, built once.

Real footage (upscaled and letterboxed, as an archive's SD and HD masters would be on a 1080p
programme), encoded as H.264 like an archive proxy; optionally under the first clip's
soundtrack, padded with silence, for benchmarks that also process audio.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FIT_1080P = (
    "scale=1920:1080:force_original_aspect_ratio=decrease,"
    "pad=1920:1080:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,format=yuv420p"
)


def build_reel(target: Path, clips: list[str], soundtrack: bool = False) -> Path:
    """Concatenate ``clips`` (paths under shared/data) into ``target`` unless it exists."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    inputs = [arg for clip in clips for arg in ("-i", str(SHARED / clip))]
    fits = ";".join(f"[{i}:v]{FIT_1080P}[v{i}]" for i in range(len(clips)))
    joined = "".join(f"[v{i}]" for i in range(len(clips)))
    graph = f"{fits};{joined}concat=n={len(clips)}:v=1:a=0[v]"
    audio = ["-map", "[a]", "-c:a", "aac", "-b:a", "192k"] if soundtrack else []
    # apad with -shortest never ends in ffmpeg 5.1: pad to the reel's exact length instead
    graph += f";[0:a]apad=whole_dur={_total_seconds(clips)}[a]" if soundtrack else ""
    partial = target.with_suffix(".partial.mp4")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[v]",
         *audio, "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", str(partial)],
        check=True,
    )  # fmt: skip
    return partial.rename(target)


def _total_seconds(clips: list[str]) -> float:
    durations = [
        subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=duration", "-of", "csv=p=0", str(SHARED / clip)],
            capture_output=True, text=True, check=True,
        ).stdout
        for clip in clips
    ]  # fmt: skip
    return sum(float(d) for d in durations)
