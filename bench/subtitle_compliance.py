"""Compliance of the cue builder on real reference text: the FLEURS clips and the programme.

    .venv/bin/python bench/subtitle_compliance.py [--json OUT]

Word times are derived from each reference text in proportion to characters over the clip's
speech (no ASR involved: this measures the cue rules, not recognition). Three sets: the French
FLEURS clips one by one, the English ones, and the 2-minute French programme with its 38 shot
cuts (cues must never cross one). Prints a table and writes JSON with, for the programme:
``cues``, ``hard_rule_violations``, ``reading_speed_ok_share``, ``shot_crossings``, and the same
figures per set under ``sets``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.subtitles import Cue, CueRules, Word, build_cues, check_cues  # noqa: E402
from tests.speech import proportional_words  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def clip_ms(path: Path) -> int:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return round(float(out) * 1000)


def fleurs_cues(language: str, rules: CueRules) -> list[Cue]:
    """The clips one after the other, a second of silence between them, as one track."""
    words: list[Word] = []
    offset = 0
    for text_file in sorted((SHARED / "speech" / "fleurs").glob(f"fleurs-{language}-*.txt")):
        duration = clip_ms(text_file.with_suffix(".ogg"))
        words += proportional_words(text_file.read_text().strip(), offset, offset + duration)
        offset += duration + 1000
    return build_cues(words, rules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench/results/subtitle_compliance.json"
    )
    args = parser.parse_args()
    truth = json.loads((SHARED / "programme" / "programme-fr.json").read_text())
    fps = Fraction(truth["fps"])
    rules = CueRules(frame_rate=fps)
    cuts = [round(frame * 1000 / fps) for frame in truth["cuts"]]
    words = [
        word
        for segment in truth["speech"]
        for word in proportional_words(
            segment["text"], round(segment["start"] * 1000), round(segment["end"] * 1000)
        )
    ]
    sets = {
        "fleurs-fr": check_cues(fleurs_cues("fr", rules), rules),
        "fleurs-en": check_cues(fleurs_cues("en", rules), rules),
        "programme-fr (38 cuts)": check_cues(build_cues(words, rules, cuts), rules, cuts),
    }
    table = Table(title="Cue compliance (2 lines x 42 chars, 17 chars/s, 1-7 s, 2-frame gaps)")
    for column in (
        "set",
        "cues",
        "hard violations",
        "shot crossings",
        "reading speed ok",
        "1-7 s ok",
    ):
        table.add_column(column)
    for name, report in sets.items():
        table.add_row(
            name, str(report.cues), str(report.hard_rule_violations), str(report.shot_crossings),
            f"{report.reading_speed_ok_share:.3f}", f"{report.duration_ok_share:.3f}",
        )  # fmt: skip
    Console().print(table)
    programme = sets["programme-fr (38 cuts)"]
    result = {
        "cues": programme.cues,
        "hard_rule_violations": programme.hard_rule_violations,
        "reading_speed_ok_share": programme.reading_speed_ok_share,
        "shot_crossings": programme.shot_crossings,
        "sets": {name: report.model_dump() for name, report in sets.items()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
