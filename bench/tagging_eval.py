"""Top-1 top-level accuracy and macro-F1 of a tagger against labelled topic text.

    .venv/bin/python bench/tagging_eval.py --backend NAME [--data FILE_OR_DIR --mapping FILE]
        [--lang fr|en] [--json OUT]

Default sets: the SIB-200 test splits (French and English) and the BBC News sample (English),
with their IPTC mappings from ``../shared/data/topics``. A prediction is right when its top-level
qcode is one of the category's ``iptc`` codes; macro-F1 is over the source categories (a wrong
prediction counts as "other"). The classifier is read from the model store
(``regie tagging train`` puts it there); the ensemble leaves out members it cannot load.
JSON keys: ``accuracy``, ``macro_f1``, ``n`` (over every set), and per set under ``sets``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from regie.settings import Settings  # noqa: E402
from regie.tagging.labelled import read_labelled  # noqa: E402
from regie.tagging.taggers import TaggerContext, load_tagger  # noqa: E402
from regie.tagging.vocabulary import load_vocabulary  # noqa: E402

TOPICS = ROOT.parent / "shared" / "data" / "topics"
DEFAULT_SETS = [
    ("sib200-fr-test", TOPICS / "sib200/fra_Latn_test.tsv", TOPICS / "sib200.mapping.json", "fr"),
    ("sib200-en-test", TOPICS / "sib200/eng_Latn_test.tsv", TOPICS / "sib200.mapping.json", "en"),
    ("bbc-sample", TOPICS / "bbc_news/bbc_sample500.csv", TOPICS / "bbc_news.mapping.json", "en"),
]


def evaluate(tagger, tops: list[str], path: Path, mapping: Path, language: str) -> dict:  # type: ignore[no-untyped-def]
    table = read_labelled(path, mapping)
    started = time.perf_counter()
    scores = tagger.top_scores(list(table["text"]), language)
    elapsed = time.perf_counter() - started
    predicted = [tops[i] for i in scores.argmax(axis=1)]
    right = [p in gold for p, gold in zip(predicted, table["gold"], strict=True)]
    mapped = [c if ok else "other" for c, ok in zip(table["category"], right, strict=True)]
    categories = sorted(set(table["category"]))
    return {
        "n": len(table), "correct": sum(right), "accuracy": round(sum(right) / len(table), 4),
        "macro_f1": round(f1_score(table["category"], mapped, labels=categories,
                                   average="macro", zero_division=0), 4),
        "seconds": round(elapsed, 2),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="ensemble")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--mapping", type=Path)
    parser.add_argument("--lang", default="en", choices=["fr", "en"])
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/tagging_eval.json")
    args = parser.parse_args()
    vocabulary = load_vocabulary()
    context = TaggerContext(vocabulary=vocabulary, models=Settings().model_store())
    tagger = load_tagger(args.backend, context)
    tops = [top.qcode for top in vocabulary.tops]
    sets = DEFAULT_SETS
    if args.data:
        files = sorted(args.data.glob("*.[tc]sv")) if args.data.is_dir() else [args.data]
        sets = [(f.stem, f, args.mapping, args.lang) for f in files]
    results = {name: evaluate(tagger, tops, path, mapping, lang)
               for name, path, mapping, lang in sets}  # fmt: skip
    report(args, results)


def report(args, results: dict[str, dict]) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=f"Tagging, top-1 top-level topic: {args.backend}")
    for column in ("set", "n", "accuracy", "macro-F1", "seconds"):
        table.add_column(column)
    for name, r in results.items():
        table.add_row(name, str(r["n"]), f"{r['accuracy']:.3f}", f"{r['macro_f1']:.3f}",
                      str(r["seconds"]))  # fmt: skip
    Console().print(table)
    n = sum(r["n"] for r in results.values())
    summary = {
        "backend": args.backend, "n": n,
        "accuracy": round(sum(r["correct"] for r in results.values()) / n, 4),
        "macro_f1": round(sum(r["macro_f1"] * r["n"] for r in results.values()) / n, 4),
        "sets": results,
    }  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
