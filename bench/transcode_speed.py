"""Speed and quality of Régie's ladder against the per-rendition way (PeerTube's), same rungs.

    .venv/bin/python bench/transcode_speed.py [--json OUT] [--seconds N] [--rounds N]

Builds (once, cached under ``var/bench/``) a 1080p25 reel of real footage with sound from the
shared clips (about 2.5 minutes), then measures in one run:

- (a) Régie's ladder: the loudness measurement pass, then one ffmpeg process that decodes once
  and encodes and packages the four rungs (the stage's own command, ``build_ladder_argv``);
- (b) the per-rendition way: one ffmpeg process per rung, each decoding the master, libx264
  ``-preset veryfast``, same sizes, bitrates, VBV and key frames, AAC audio in each (PeerTube);
- (c) ffmpeg decode-only;
- (d) Régie's ladder with ``bwdif`` before the scalers, as an interlaced master gets it: the
  same reel, so (d) / (a) is the CPU cost of deinterlacing (``deinterlace_cost``).

Methods run in interleaved rounds and keep their best round (the machine is shared); the CPU
seconds of their ffmpeg processes are counted too (``cpu_s``, ``deinterlace_cpu_cost``), a figure
that load on a shared host does not inflate as much as wall time. ``--seconds N`` measures the
reel's first N seconds only, ``--methods`` a subset. SSIM of
every rung against the master scaled to its size is measured for (a) and (b) on every 5th frame.
Prints a table and writes JSON: ``ladder_x_realtime``, ``naive_x_realtime``, ``decode_x_realtime``,
``speedup`` (b time / a time), ``rungs``, ``ssim`` ({"ladder": {rung: s}, "naive": {rung: s}}).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reels import build_reel  # noqa: E402
from regie.artefacts import AudioLayout, Rendition  # noqa: E402
from regie.picture import Filter  # noqa: E402
from regie.probe import probe_file  # noqa: E402
from regie.transcode.command import LadderJob, build_ladder_argv  # noqa: E402
from regie.transcode.encoders import select_encoder  # noqa: E402
from regie.transcode.keyframes import force_key_frames_arg, keyframe_times  # noqa: E402
from regie.transcode.ladder import DEFAULT_LADDER, plan_renditions  # noqa: E402
from regie.transcode.loudness import LoudnessTarget, measure_loudness, normalise_filter  # noqa: E402
from regie.transcode.validate import Input, mean_ssim, ssim_argv  # noqa: E402

CLIPS = ["programme/programme-fr.mp4", "video/testvideo.mp4", "video/bigbuckbunny.mp4"]
WORK = ROOT / "var" / "bench" / "transcode"
RUNGS = 4
SSIM_STEP = 5
BWDIF: list[Filter] = [("bwdif", {"mode": "send_frame", "parity": "tff"})]


@dataclass(frozen=True)
class Plan:
    """What every method encodes: the rungs, their key frames, the master's audio layout."""

    renditions: list[Rendition]
    keyframes: list[Fraction]
    layout: AudioLayout


def ladder(reel: Path, plan: Plan, out: Path, progressive: list[Filter] | None = None) -> None:
    """(a): Régie's two loudness passes and single ladder process, as the stage runs them;
    (d) the same with ``progressive`` filters (bwdif) before the scalers."""
    target, layout = LoudnessTarget(), plan.layout
    measured = measure_loudness(reel, target, "bench", (layout, layout.programme))
    renditions, keyframes = plan.renditions, plan.keyframes
    job = LadderJob(
        source=reel, output_dir=out, renditions=renditions, keyframes=keyframes,
        encoder=select_encoder("libx264", "veryfast"), audio=layout,
        gains=[normalise_filter(measured, target)], progressive=progressive or [], sprites=None,
    )  # fmt: skip
    out.mkdir(parents=True)
    subprocess.run(build_ladder_argv(job), check=True)


def naive(reel: Path, plan: Plan, out: Path) -> None:
    """(b): one process per rung, each decoding the master (PeerTube's way)."""
    out.mkdir(parents=True)
    keyframes = plan.keyframes
    for r in plan.renditions:
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(reel), "-vf", f"scale={r.width}:{r.height}",
             "-c:v", "libx264", "-preset", "veryfast", "-b:v", f"{r.bitrate_kbps}k",
             "-maxrate", f"{r.maxrate_kbps}k", "-bufsize", f"{r.bufsize_kbps}k",
             "-force_key_frames", force_key_frames_arg(keyframes), "-sc_threshold", "0",
             "-c:a", "aac", "-b:a", "128k", "-f", "hls", "-hls_time", "6",
             "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
             "-hls_fmp4_init_filename", f"init-{r.name}.mp4",
             "-hls_segment_filename", str(out / f"{r.name}-%05d.m4s"),
             str(out / f"{r.name}.m3u8")],
            check=True,
        )  # fmt: skip


def children_cpu_s() -> float:
    """User + system CPU seconds of the finished child processes (ffmpeg) so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def excerpt(reel: Path, seconds: float) -> Path:
    """The reel's first ``seconds`` (stream copy), cached beside it."""
    cut = reel.with_name(f"{reel.stem}-{seconds:g}s.mp4")
    if not cut.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(reel), "-t", f"{seconds:g}",
                        "-c", "copy", str(cut)], check=True)  # fmt: skip
    return cut


def decode_only(reel: Path) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(reel), "-f", "null", "-"], check=True)


def ssim_of(
    reel: Path, playlists: list[Path], renditions: list[Rendition]
) -> dict[str, float | None]:
    """SSIM of every rung against the whole reel."""
    logs = [p.with_suffix(".ssim.log") for p in playlists]
    encoded: list[Input] = [(str(p), {}) for p in playlists]
    subprocess.run(ssim_argv((str(reel), {}), encoded, renditions, SSIM_STEP, logs), check=True)
    return {r.name: mean_ssim(log) for r, log in zip(renditions, logs, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/transcode_speed.json")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seconds", type=float, help="Only the reel's first N seconds.")
    parser.add_argument("--methods", default="ladder,deinterlaced,naive,decode")
    args = parser.parse_args()
    reel = build_reel(WORK / "reel-1080p25-audio.mp4", CLIPS, soundtrack=True)
    if args.seconds:
        reel = excerpt(reel, args.seconds)
    info = probe_file(reel, "bench")
    video = info.primary_video
    assert video is not None and video.duration is not None and info.audio_layout is not None
    renditions = plan_renditions(video, DEFAULT_LADDER)[:RUNGS]
    keyframes = keyframe_times(video.duration, [], renditions[0].frame_rate)
    plan = Plan(renditions, keyframes, info.audio_layout)
    every = {
        "ladder": lambda: ladder(reel, plan, WORK / "ladder"),
        "deinterlaced": lambda: ladder(reel, plan, WORK / "deinterlaced", BWDIF),
        "naive": lambda: naive(reel, plan, WORK / "naive"),
        "decode": lambda: decode_only(reel),
    }
    runs = {name: every[name] for name in args.methods.split(",")}
    best = dict.fromkeys(every, float("nan")) | dict.fromkeys(runs, float("inf"))
    cpu = dict.fromkeys(every, float("nan")) | dict.fromkeys(runs, float("inf"))
    for _ in range(args.rounds):
        for name, method in runs.items():
            shutil.rmtree(WORK / name, ignore_errors=True)
            started, used = time.perf_counter(), children_cpu_s()
            method()
            best[name] = min(best[name], time.perf_counter() - started)
            cpu[name] = min(cpu[name], children_cpu_s() - used)
    seconds = float(video.duration)
    ssim = {
        "ladder": ssim_of(reel, [WORK / f"ladder/media_{i}.m3u8" for i in range(RUNGS)], renditions)
        if "ladder" in runs
        else {},
        "naive": ssim_of(reel, [WORK / f"naive/{r.name}.m3u8" for r in renditions], renditions)
        if "naive" in runs
        else {},
    }
    result = {
        "reel_s": round(seconds, 2),
        "ladder_x_realtime": round(seconds / best["ladder"], 3),
        "naive_x_realtime": round(seconds / best["naive"], 3),
        "decode_x_realtime": round(seconds / best["decode"], 3),
        "speedup": round(best["naive"] / best["ladder"], 3),
        "deinterlaced_x_realtime": round(seconds / best["deinterlaced"], 3),
        "deinterlace_cost": round(best["deinterlaced"] / best["ladder"], 3),
        "cpu_s": {name: round(value, 1) for name, value in cpu.items()},
        "deinterlace_cpu_cost": round(cpu["deinterlaced"] / cpu["ladder"], 3),
        "rungs": [r.name for r in renditions],
        "presets": {r.name: r.preset or "veryfast" for r in renditions},
        "ssim": ssim,
    }
    report(result, best)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


def report(result: dict, best: dict[str, float]) -> None:
    table = Table(title=f"1080p25 reel, {result['reel_s']} s, rungs {', '.join(result['rungs'])}")
    for column in ("method", "seconds", "x real time", *result["rungs"]):
        table.add_column(column)
    for name, label in (("ladder", "(a) Régie ladder"), ("naive", "(b) per rendition")):
        ssim = [_four(result["ssim"][name].get(r)) for r in result["rungs"]]
        table.add_row(label, f"{best[name]:.1f}", str(result[f"{name}_x_realtime"]), *ssim)
    table.add_row("(c) decode only", f"{best['decode']:.1f}", str(result["decode_x_realtime"]))
    deinterlaced = f"{best['deinterlaced']:.1f}", str(result["deinterlaced_x_realtime"])
    table.add_row("(d) ladder after bwdif", *deinterlaced)
    Console().print(table)
    Console().print(f"speedup (b / a): {result['speedup']}")
    Console().print(
        f"deinterlace cost (d / a): wall {result['deinterlace_cost']}, "
        f"CPU {result['deinterlace_cpu_cost']} ({result['cpu_s']})"
    )


def _four(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.4f}"


if __name__ == "__main__":
    main()
