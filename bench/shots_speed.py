"""Throughput of shot detection on a 1080p25 reel, against ffmpeg's own decode speed.

    .venv/bin/python bench/shots_speed.py [--json OUT] [--backends fast,transnetv2,pyscenedetect]

Builds (once, cached under ``var/bench/``) a reel of about 2.5 minutes at 1920x1080, 25 fps, from
the shared clips, upscaled and letterboxed; then measures in one run the frames per second of
ffmpeg decode-only with default flags (the reference limit) and of each backend, each given the
whole file (detectors are built once, outside the timing). The machine is shared: methods are
measured in interleaved rounds and each keeps its best round, so a burst of load on the host
does not land on one method only. Prints a table and writes JSON with ``decode_fps`` and
``backends`` (name -> fps).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reels import build_reel  # noqa: E402
from regie.shots.detector import ShotDetector, get_detector  # noqa: E402

SOURCES = ["programme/programme-fr.mp4", "video/testvideo.mp4", "video/goldeneye-vfr-drop3.mp4"]
REEL = ROOT / "var" / "bench" / "reel-1080p25.mp4"


def decode_fps(reel: Path, frames: int) -> float:
    """ffmpeg decoding every frame with its default flags, writing nothing."""
    started = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(reel), "-f", "null", "-"], check=True)
    return frames / (time.perf_counter() - started)


def backend_fps(detector: ShotDetector, reel: Path) -> tuple[float, int]:
    started = time.perf_counter()
    detection = detector.detect(reel, "reel")
    return detection.frame_count / (time.perf_counter() - started), detection.frame_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench" / "results" / "shots_speed.json"
    )
    parser.add_argument("--backends", default="fast,transnetv2,pyscenedetect")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    reel = build_reel(REEL, SOURCES)
    detectors = {name: get_detector(name) for name in args.backends.split(",")}
    best: dict[str, float] = dict.fromkeys(detectors, 0.0)
    reference, frames = 0.0, 0
    for _ in range(args.rounds):
        for name, detector in detectors.items():
            fps, frames = backend_fps(detector, reel)
            best[name] = max(best[name], fps)
        reference = max(reference, decode_fps(reel, frames))
    report(reference, best, frames, args.json)
    return 0


def report(reference: float, backends: dict[str, float], frames: int, out: Path) -> None:
    table = Table(title=f"Shot detection throughput, 1080p25 reel of {frames} frames")
    for column in ("what", "frames/s", "x decode-only", "x PySceneDetect"):
        table.add_column(column)
    baseline = backends.get("pyscenedetect")
    table.add_row("ffmpeg decode-only (reference)", f"{reference:.0f}", "1.00", "")
    for name, fps in backends.items():
        versus = f"{fps / baseline:.2f}" if baseline else ""
        table.add_row(name, f"{fps:.0f}", f"{fps / reference:.2f}", versus)
    Console().print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"frames": frames, "decode_fps": reference, "backends": backends}
    out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    sys.exit(main())
