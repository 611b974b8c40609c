"""Word error rate and real-time factor of a store model on the shared speech clips.

    .venv/bin/python bench/asr_eval.py --model NAME [--backend B] [--device D] [--json OUT]

Clips: the FLEURS French and English test clips (reference beside each) and jfk.flac. Each clip is
transcribed through Régie's own path (ffmpeg windows -> backend -> TranscriptDocument) in its known
language; WER is computed with jiwer after Whisper's normalisers (English for English, basic for
French), per clip and pooled per language. RTF = decode seconds / audio seconds (model loading
excluded, printed apart). JSON keys: ``model``, ``backend``, ``wer`` (per language), ``rtf``,
``clips``. Works with whatever the model store holds (REGIE_MODEL_STORE).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import jiwer
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from regie.asr import AsrOptions  # noqa: E402
from regie.asr.audio import read_windows  # noqa: E402
from regie.asr.backends import BACKEND_FOR_FORMAT, load_transcriber  # noqa: E402
from regie.asr.stage import transcribe_windows  # noqa: E402
from regie.settings import Settings  # noqa: E402

SPEECH = ROOT.parent / "shared" / "data" / "speech"
JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


def clips() -> list[tuple[str, Path, str, str]]:
    """(name, audio, language, reference) for every clip with an exact reference."""
    found = [("jfk", SPEECH / "jfk.flac", "en", JFK)]
    for text in sorted((SPEECH / "fleurs").glob("fleurs-*.txt")):
        language = text.stem.split("-")[1]
        found.append((text.stem, text.with_suffix(".ogg"), language, text.read_text().strip()))
    return found


def normaliser(language: str):  # type: ignore[no-untyped-def]
    from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer

    return EnglishTextNormalizer() if language == "en" else BasicTextNormalizer()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/asr_eval.json")
    args = parser.parse_args()
    model = Settings().model_store().resolve(args.model)
    backend = BACKEND_FOR_FORMAT[model.format] if args.backend == "auto" else args.backend
    loading = time.perf_counter()
    transcriber = load_transcriber(backend, model, args.device)
    load_s = time.perf_counter() - loading
    rows, pooled = [], {}
    for name, audio, language, reference in clips():
        options = AsrOptions(model=args.model, language=language)
        windows = list(read_windows(audio, name))
        started = time.perf_counter()
        document = transcribe_windows(name, windows, transcriber, model, options)
        elapsed = time.perf_counter() - started
        norm = normaliser(language)
        truth, said = norm(reference), norm(document.text.replace("\n", " "))
        pooled.setdefault(language, ([], []))
        pooled[language][0].append(truth)
        pooled[language][1].append(said)
        wer = round(jiwer.wer(truth, said), 4)
        rows.append({"clip": name, "language": language, "audio_s": document.duration,
                     "decode_s": round(elapsed, 3), "wer": wer})  # fmt: skip
    report(args, backend, load_s, rows, pooled)


def report(args, backend, load_s, rows, pooled) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=f"ASR: {args.model} on {backend} (model load {load_s:.1f} s)")
    for column in ("clip", "lang", "audio s", "decode s", "RTF", "WER"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["clip"], row["language"], f"{row['audio_s']:.1f}",
                      f"{row['decode_s']:.2f}", f"{row['decode_s'] / row['audio_s']:.3f}",
                      f"{row['wer']:.3f}")  # fmt: skip
    wer = {lang: round(jiwer.wer(t, h), 4) for lang, (t, h) in pooled.items()}
    rtf = round(sum(r["decode_s"] for r in rows) / sum(r["audio_s"] for r in rows), 4)
    Console().print(table)
    Console().print(f"pooled WER {wer}  RTF {rtf}")
    result = {"model": args.model, "backend": backend, "wer": wer, "rtf": rtf, "clips": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
