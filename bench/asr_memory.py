"""Peak memory of the ASR stage on a generated 2-hour programme, against whole-file loading.

    .venv/bin/python bench/asr_memory.py [--hours 2] [--model NAME] [--json OUT]

The programme is generated: every 10 minutes a real FLEURS French clip, then silence, for 2 h.
Each side runs in its own process and reports its peak RSS (ru_maxrss):
- ``regie``: the asr stage as the flow runs it (fetch, windows of 10 min, the store's model;
  default a tiny random Whisper built on the fly if the store has none), every window with
  speech decoded;
- ``whole-file``: openai-whisper's own path, ``load_audio`` of the whole file and its log-mel
  spectrogram, which ``transcribe`` computes before decoding anything (no decoding: a lower bound).
JSON keys: ``hours``, ``regie_peak_rss_mb``, ``whole_file_peak_rss_mb``, ``ratio``, ``regie_s``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
CLIP = ROOT.parent / "shared" / "data" / "speech" / "fleurs" / "fleurs-fr-002.ogg"


def programme(folder: Path, hours: float) -> Path:
    unit, target = folder / "unit.flac", folder / "programme.flac"
    run = ["ffmpeg", "-v", "error", "-y"]
    subprocess.run([*run, "-i", str(CLIP), "-af", "apad=whole_dur=600", "-ar", "48000",
                    "-ac", "2", str(unit)], check=True)  # fmt: skip
    loops = round(hours * 6) - 1
    subprocess.run([*run, "-stream_loop", str(loops), "-i", str(unit), "-c", "copy", str(target)],
                   check=True)  # fmt: skip
    return target


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_regie(path: Path, model: str | None) -> dict:
    from regie.asr import AsrOptions, transcribe_asset
    from regie.asr.backends import DecodeOptions
    from regie.fetch import fetch
    from regie.probe import probe
    from regie.settings import Settings

    settings = Settings(home=path.parent / "var")
    store = settings.model_store()
    if model is None:
        from tests.whisper_models import openai_checkpoint

        model = "tiny-random"
        store.add(model, openai_checkpoint(path.parent / "tiny.pt"))
    context = settings.stage_context()
    source = fetch(path.as_uri(), context).artefact
    media = probe(source, context).artefact
    started = time.perf_counter()
    options = AsrOptions(model=model, decode=DecodeOptions(beam_size=1, temperatures=(0.0,)))
    outcome = transcribe_asset(source, media, context, store, options)
    return {"peak_rss_mb": round(peak_mb()), "seconds": round(time.perf_counter() - started, 1),
            "words": outcome.artefact.words,
            "duration": float(outcome.artefact.duration)}  # fmt: skip


def run_whole_file(path: Path) -> dict:
    import whisper

    audio = whisper.load_audio(str(path))
    mel = whisper.log_mel_spectrogram(audio)
    return {"peak_rss_mb": round(peak_mb()), "samples": len(audio), "mel_frames": mel.shape[-1]}


def measure(side: str, path: Path, model: str | None) -> dict:
    argv = [sys.executable, __file__, "--side", side, "--audio", str(path)]
    argv += ["--model", model] if model else []
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--model", default=None, help="Store model (default: tiny random).")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/asr_memory.json")
    parser.add_argument("--side", choices=["regie", "whole-file"], help=argparse.SUPPRESS)
    parser.add_argument("--audio", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side = run_regie if args.side == "regie" else run_whole_file
        result = side(args.audio, args.model) if args.side == "regie" else side(args.audio)
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="regie-asr-memory-") as folder:
        path = programme(Path(folder), args.hours)
        regie = measure("regie", path, args.model)
        whole = measure("whole-file", path, None)
    table = Table(title=f"ASR peak memory, {args.hours:g} h programme")
    for column in ("path", "peak RSS MB", "notes"):
        table.add_column(column)
    table.add_row("regie asr stage", str(regie["peak_rss_mb"]),
                  f"{regie['seconds']} s, {regie['words']} words")  # fmt: skip
    table.add_row("whole-file load + mel", str(whole["peak_rss_mb"]), "no decoding")
    Console().print(table)
    result = {
        "hours": args.hours, "regie_peak_rss_mb": regie["peak_rss_mb"],
        "whole_file_peak_rss_mb": whole["peak_rss_mb"],
        "ratio": round(regie["peak_rss_mb"] / whole["peak_rss_mb"], 3), "regie_s": regie["seconds"],
    }  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
