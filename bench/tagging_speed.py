"""Time to tag a 1-hour French transcript with the stage's tagging path (target: 10 s).

    .venv/bin/python bench/tagging_speed.py [--hours 1] [--backend ensemble] [--json OUT]

The transcript is real French text (the SIB-200 train sentences, repeated as needed), one
sentence every 8 s. Timed: loading the tagger (classifier from the model store: run
`regie tagging train` first, or the ensemble leaves it out) and tagging every topical segment,
keywords included. JSON keys: ``hours``, ``segments``, ``total_s``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from regie.asr.transcript import TranscriptSegment  # noqa: E402
from regie.settings import Settings  # noqa: E402
from regie.tagging.segments import topical_segments  # noqa: E402
from regie.tagging.stage import TaggingOptions, tag_segments  # noqa: E402
from regie.tagging.taggers import TaggerContext  # noqa: E402
from regie.tagging.vocabulary import load_vocabulary  # noqa: E402

TEXT = ROOT.parent / "shared" / "data" / "topics" / "sib200" / "fra_Latn_train.tsv"
SENTENCE_S = 8.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--backend", default="ensemble")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/tagging_speed.json")
    args = parser.parse_args()
    sentences = itertools.cycle(pd.read_csv(TEXT, sep="\t")["text"])
    count = int(args.hours * 3600 / SENTENCE_S)
    speech = [TranscriptSegment(start=i * SENTENCE_S, end=(i + 1) * SENTENCE_S - 0.5,
                                text=next(sentences), words=[]) for i in range(count)]  # fmt: skip
    started = time.perf_counter()
    pieces = topical_segments(speech)
    context = TaggerContext(load_vocabulary(), Settings().model_store())
    options = TaggingOptions(tagger=args.backend)
    tags = tag_segments(pieces, "fr", context, options, "bench")
    total = time.perf_counter() - started
    table = Table(title=f"Tagging a {args.hours:g} h French transcript ({args.backend})")
    for column in ("sentences", "segments", "programme topics", "seconds"):
        table.add_column(column)
    labels = ", ".join(t.label_fr for t in tags.topics)
    table.add_row(str(count), str(len(pieces)), labels, f"{total:.2f}")
    Console().print(table)
    result = {"hours": args.hours, "segments": len(pieces), "total_s": round(total, 2)}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
