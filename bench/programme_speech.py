"""Speech on the programme: the ASR stage against the same model on the isolated clips and plainly.

    .venv/bin/python bench/programme_speech.py --model NAME [--repeat 3] [--json OUT]

In one run, with one loaded model: (1) the French FLEURS clips one by one, each through Régie's
path in French (the model's own quality); (2) the programme that strings those clips together,
through the stage's path (language detected, voice activity, chunks), scored pooled and per
passage, then turned into cues with the programme's shot cuts; (3) a plain faster-whisper
``transcribe()`` of the same programme audio (beam 5, word times, no VAD: the baseline the
stage must beat on WER at ≤ 1.15x its time). The stage and the plain call alternate ``--repeat``
times and each keeps its fastest run (the machine is shared: the minimum is the least disturbed).
RTF = decode seconds / audio seconds.
JSON keys: ``model``, ``isolated_wer``, ``programme_wer``, ``plain_wer``, ``wer_gap``,
``passages``, ``cues`` (the subtitle report), ``rtf`` (stage, plain), ``cost_ratio``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from regie.asr import AsrOptions  # noqa: E402
from regie.asr.audio import read_windows  # noqa: E402
from regie.asr.backends import BACKEND_FOR_FORMAT, load_transcriber  # noqa: E402
from regie.asr.evaluate import Passage, score_passages, wer  # noqa: E402
from regie.asr.stage import transcribe_windows  # noqa: E402
from regie.settings import Settings  # noqa: E402
from regie.subtitles import CueRules, build_cues, check_cues  # noqa: E402
from regie.subtitles.stage import transcript_words  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
PROGRAMME = SHARED / "programme" / "programme-fr.mp4"


def isolated(transcriber, model, name: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Pooled WER of the French clips one by one, and their decode seconds."""
    references, said, seconds = [], [], 0.0
    for text in sorted((SHARED / "speech" / "fleurs").glob("fleurs-fr-*.txt")):
        windows = list(read_windows(text.with_suffix(".ogg"), text.stem))
        started = time.perf_counter()
        document = transcribe_windows(text.stem, windows, transcriber, model,
                                      AsrOptions(model=name, language="fr"))  # fmt: skip
        seconds += time.perf_counter() - started
        references.append(text.read_text().strip())
        said.append(document.text.replace("\n", " "))
    return wer(references, said, "fr"), seconds


def plain_transcribe(model, audio: np.ndarray) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    """faster-whisper's own transcribe() over the whole programme: its text and decode seconds."""
    started = time.perf_counter()
    segments, _ = model.transcribe(audio, language="fr", beam_size=5, word_timestamps=True,
                                   condition_on_previous_text=False)  # fmt: skip
    text = " ".join(segment.text.strip() for segment in segments)
    return text, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--repeat", type=int, default=3, help="Alternated runs of each path.")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/programme_speech.json")
    args = parser.parse_args()
    model = Settings().model_store().resolve(args.model)
    transcriber = load_transcriber(BACKEND_FOR_FORMAT[model.format], model, "cpu")
    truth = json.loads((SHARED / "programme" / "programme-fr.json").read_text())
    passages = [Passage(p["start"], p["end"], p["text"]) for p in truth["speech"]]
    reference = " ".join(p.text for p in passages)

    isolated_wer, isolated_s = isolated(transcriber, model, args.model)
    windows = list(read_windows(PROGRAMME, "programme"))
    audio = np.concatenate([w.samples for w in windows])
    stage_s = plain_s = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        document = transcribe_windows("programme", windows, transcriber, model,
                                      AsrOptions(model=args.model))  # fmt: skip
        stage_s = min(stage_s, time.perf_counter() - started)
        plain_text, seconds = plain_transcribe(transcriber.model, audio)
        plain_s = min(plain_s, seconds)

    fps = Fraction(truth["fps"])
    cuts_ms = [round(cut * 1000 / fps) for cut in truth["cuts"]]
    rules = CueRules(frame_rate=fps)
    cues = build_cues(transcript_words(document.words), rules, cuts_ms)
    result = {
        "model": args.model, "language": document.language,
        "isolated_wer": isolated_wer,
        "programme_wer": wer([reference], [document.text.replace("\n", " ")], "fr"),
        "plain_wer": wer([reference], [plain_text], "fr"),
        "passages": [
            {"start": s.passage.start, "wer": s.wer, "coverage": round(s.coverage, 3),
             "recognised": s.recognised}
            for s in score_passages(document.words, passages, "fr")
        ],
        "first_word_s": document.words[0].start if document.words else None,
        "cues": check_cues(cues, rules, cuts_ms).model_dump(),
        "rtf": {"stage": round(stage_s / document.duration, 4),
                "plain": round(plain_s / document.duration, 4),
                "isolated": round(isolated_s / sum(p.end - p.start for p in passages), 4)},
        "cost_ratio": round(stage_s / plain_s, 3),
    }  # fmt: skip
    result["wer_gap"] = round(result["programme_wer"] - isolated_wer, 4)
    report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


def report(result: dict) -> None:
    table = Table(title=f"Programme speech: {result['model']} (detected {result['language']})")
    for column in ("passage s", "WER", "coverage", "recognised"):
        table.add_column(column)
    for row in result["passages"]:
        table.add_row(f"{row['start']:.1f}", f"{row['wer']:.3f}", f"{row['coverage']:.2f}",
                      row["recognised"][:70])  # fmt: skip
    console = Console()
    console.print(table)
    cues = result["cues"]
    console.print(
        f"WER isolated {result['isolated_wer']:.3f}  programme {result['programme_wer']:.3f} "
        f"(gap {result['wer_gap']:+.3f})  plain transcribe() {result['plain_wer']:.3f}\n"
        f"RTF stage {result['rtf']['stage']:.3f}  plain {result['rtf']['plain']:.3f}  "
        f"cost ratio {result['cost_ratio']:.2f}  first word at {result['first_word_s']} s\n"
        f"cues {cues['cues']}: reading speed ok {cues['reading_speed_ok_share']:.0%}, "
        f"hard violations {cues['hard_rule_violations']}"
    )


if __name__ == "__main__":
    main()
