"""Soak: a long 1080i50 XDCAM HD422 MXF with 8 mono tracks through shots and transcode.

    .venv/bin/python bench/long_master.py [--minutes 60] [--json OUT]

Generates (once, cached under ``var/bench/``) the master with ffmpeg lavfi (the tests' moving
interlaced patterns, a tone per track, timecode 10:00:00:00): a segment of at most
``SEGMENT_MINUTES`` encoded, then repeated by stream copy (encoding the hour itself would take
40 minutes of both cores; the copy is the same MXF, with a cut at each join). It then runs the
shots and transcode stages on it as the flow does, on a file:// work store, while a thread
samples every second the resident memory of this process and its children and the disk used by
the scratch and work folders. Reports against the issue's baseline, in the same run: peak
scratch+work disk over the master's size (target <= 1.5), wall time over the master's duration
(real time = 1), peak RSS, and whether anything is left in scratch afterwards. Prints a table
and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import psutil
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.artefacts import MediaInfo, RenditionSet  # noqa: E402
from regie.fetch import fetch  # noqa: E402
from regie.picture import progressive_filters  # noqa: E402
from regie.probe import probe  # noqa: E402
from regie.programme import seek_options  # noqa: E402
from regie.shots.stage import detect_shots  # noqa: E402
from regie.stage import StageContext  # noqa: E402
from regie.storage import Storage  # noqa: E402
from regie.transcode.command import LadderJob  # noqa: E402
from regie.transcode.encoders import EncoderSettings  # noqa: E402
from regie.transcode.stage import TranscodeOptions, ssim_check, transcode  # noqa: E402
from tests.masters import TIMECODE, xdcam_hd422  # noqa: E402

WORK = ROOT / "var" / "bench" / "long_master"
SEGMENT_MINUTES = 5
T = TypeVar("T")


class Peaks:
    """Peak RSS of this process tree and peak disk under some folders, sampled by a thread."""

    def __init__(self, folders: list[Path], every_s: float = 1.0) -> None:
        self.folders, self.every_s = folders, every_s
        self.rss = self.disk = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.every_s):
            tree = [me, *me.children(recursive=True)]
            rss = 0
            for process in tree:
                try:
                    rss += process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.rss = max(self.rss, rss)
            self.disk = max(self.disk, sum(folder_size(f) for f in self.folders))


class Laps:
    """Wall seconds of each stage, in the order they ran (one stage's cost shows apart)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, stage: str, result: T) -> T:
        now = time.perf_counter()
        self.seconds[stage], self._last = round(now - self._last, 1), now
        return result


def ssim_check_seconds(master: Path, ladder: RenditionSet, info: MediaInfo) -> float:
    """The transcode's SSIM check run again on the published package, so that its cost shows
    apart from the encode's (the logs it writes beside the playlists are removed)."""
    video = info.primary_video
    assert video is not None
    package = Path(ladder.hls_master.removeprefix("file://")).parent
    opts = TranscodeOptions()  # what the run used (``transcode(..., None)``)
    job = LadderJob(
        source=master, output_dir=package, renditions=ladder.renditions, keyframes=[],
        encoder=EncoderSettings(name="libx264", preset="veryfast", reason="not encoding"),
        progressive=progressive_filters(video, opts.deinterlace, opts.crop_bars),
        seek=seek_options(info.programme),
    )  # fmt: skip
    start = info.programme.start if info.programme else Fraction(0)
    started = time.perf_counter()
    ssim_check(job, (start, ladder.duration), video, opts, "soak")
    seconds = round(time.perf_counter() - started, 1)
    for log in package.glob("*.ssim-*.log"):
        log.unlink()
    return seconds


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/long_master.json")
    args = parser.parse_args()
    master = WORK / f"xdcam-{args.minutes:g}min.mxf"
    if not master.exists():
        generate(master, args.minutes)
    work, scratch = WORK / "work", WORK / "scratch"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    context = StageContext(Storage(), work.as_uri(), scratch)
    started = time.perf_counter()
    laps = Laps()
    with Peaks([work, scratch]) as peaks:
        source = laps("fetch", fetch(master.as_uri(), context).artefact)
        info = laps("probe", probe(source, context).artefact)
        shots = laps("shots", detect_shots(source, info, context))
        ladder = laps("transcode", transcode(source, info, shots, context, None).artefact)
    wall = time.perf_counter() - started
    laps.seconds["ssim check, again alone"] = ssim_check_seconds(master, ladder, info)
    size, duration = master.stat().st_size, float(info.duration)
    left = [str(p) for p in scratch.rglob("*") if p.is_file()] if scratch.exists() else []
    result = {
        "minutes": args.minutes, "master_bytes": size, "duration_s": duration,
        "wall_s": round(wall, 1), "wall_over_real_time": round(wall / duration, 3),
        "peak_rss_mb": round(peaks.rss / 2**20), "peak_disk_bytes": peaks.disk,
        "peak_disk_over_master": round(peaks.disk / size, 3), "scratch_left": len(left),
        "shots": len(shots.artefact.shots), "renditions": [r.name for r in ladder.renditions],
        "ssim": {r.name: r.ssim for r in ladder.renditions},
        "stage_s": laps.seconds,
    }  # fmt: skip
    report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


def generate(master: Path, minutes: float) -> None:
    """Encode one segment, then join ``copies`` of it by stream copy into ``master``."""
    master.parent.mkdir(parents=True, exist_ok=True)
    copies = math.ceil(minutes / SEGMENT_MINUTES)
    segment = master.with_name(f"segment-{minutes / copies:g}min.mxf")
    xdcam_hd422(segment, seconds=minutes * 60 / copies)
    playlist = master.with_suffix(".concat")
    playlist.write_text(f"file '{segment.name}'\n" * copies)
    partial = master.with_suffix(".partial.mxf")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-i", str(playlist), "-map", "0",
         "-c", "copy", "-timecode", TIMECODE, str(partial)],
        check=True,
    )  # fmt: skip
    partial.replace(master)
    segment.unlink()
    playlist.unlink()


def report(result: dict) -> None:
    table = Table(title=f"1080i50 XDCAM HD422, 8 tracks, {result['minutes']:g} min")
    for column in ("measure", "value", "target"):
        table.add_column(column)
    table.add_row("wall time / real time", str(result["wall_over_real_time"]), "-")
    table.add_row("peak disk / master size", str(result["peak_disk_over_master"]), "<= 1.5")
    table.add_row("peak RSS (MB)", str(result["peak_rss_mb"]), "flat with length")
    table.add_row("files left in scratch", str(result["scratch_left"]), "0")
    for stage, seconds in result["stage_s"].items():
        table.add_row(f"{stage} / real time", f"{seconds / result['duration_s']:.3f}", "-")
    Console().print(table)


if __name__ == "__main__":
    main()
