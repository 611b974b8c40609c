"""Development cross-validation of the topic classifier's heads and their mix (no held-out data).

    .venv/bin/python bench/tagging_dev_cv.py [--topics DIR] [--json OUT]

Five stratified folds over each development news set (BBC sample, English; MasakhaNEWS fra_dev,
French): fold k of both sets is left out of every head's training (TF-IDF, e5) and scored; the
SIB-200 sentences and the vocabulary always train. Also "bbc-out" and "fra-out": the BBC sample
or fra_dev left out whole, news from a collection the classifier never saw (fra-out stands for
the held-out English news: UK BBC news the only news in training, and no health article in it).
Heads' scores are kept per fold, so mixes (e5 share, lexical share) are scored without training
again. e5 embeddings and heads' scores are cached under ``var/dev-cache``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline, make_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.tagging import training  # noqa: E402
from regie.tagging.e5 import LEAD_WORDS, load_e5  # noqa: E402
from regie.tagging.taggers.base import TaggerContext  # noqa: E402
from regie.tagging.taggers.lexical import LexicalTagger  # noqa: E402
from regie.tagging.text import SUPPORTED, StemAnalyzer  # noqa: E402
from regie.tagging.vocabulary import load_vocabulary  # noqa: E402

CACHE = ROOT / "var" / "dev-cache" / "e5.npz"
NEWS = {"bbc_news.mapping.json": "en", "masakhanews.mapping.json": "fr"}
FOLDS = 5


class E5Cache:
    """e5 embeddings of texts already cut, by SHA-1, saved between runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path) as stored:
                self.vectors = {key: stored[key] for key in stored.files}

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(text.encode()).hexdigest() for text in texts]
        todo = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}.items()
        )
        if todo:
            started = time.perf_counter()
            found = np.asarray(load_e5().query([t for _, t in todo]), dtype=np.float32)
            self.vectors |= {
                k: v for (k, _), v in zip(todo, found.reshape(len(todo), -1), strict=True)
            }
            print(
                f"  embedded {len(todo)} texts in {time.perf_counter() - started:.0f} s", flush=True
            )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, **self.vectors)
        return np.stack([self.vectors[k] for k in keys])


def chunks(text: str, count: int, size: int = LEAD_WORDS) -> list[str]:
    words = text.split()
    return [
        " ".join(words[i : i + size]) for i in range(0, min(len(words), count * size), size)
    ] or [""]


# ---- TF-IDF variants: language -> pipeline, and whether sources weigh the same -----------------
def tfidf_bigrams(language: str) -> Pipeline:
    features = make_union(
        TfidfVectorizer(analyzer=_StemBigrams(language), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    return make_pipeline(features, LogisticRegression(C=10, max_iter=2000, random_state=0))


class _StemBigrams:
    def __init__(self, language: str) -> None:
        self.stems = StemAnalyzer(language)

    def __call__(self, text: str) -> list[str]:
        stems = self.stems(text)
        return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]


TFIDF: dict[str, tuple[Callable[[str], Pipeline], bool]] = {
    "T0": (training.make_classifier, False),
    "T1-bigrams": (tfidf_bigrams, False),
    "T2-srcw": (training.make_classifier, True),
}


# ---- e5 variants: chunks per news article at training time, class balance, C -----------------
E5 = {
    "E0": {"chunks": 1, "balance": False, "C": 10.0},
    "E1-3chunks": {"chunks": 3, "balance": False, "C": 10.0},
    "E2-balance": {"chunks": 1, "balance": True, "C": 10.0},
    "E3-3chunks-balance": {"chunks": 3, "balance": True, "C": 10.0},
    "E4-balance-vocabulary": {"chunks": 1, "balance": True, "C": 10.0, "vocabulary": True},
}


def spread(model: object, features: object, tops: list[str]) -> np.ndarray:
    probabilities = model.predict_proba(features)  # type: ignore[attr-defined]
    scores = np.zeros((probabilities.shape[0], len(tops)))
    for column, qcode in enumerate(model.classes_):  # type: ignore[attr-defined]
        scores[:, tops.index(qcode)] = probabilities[:, column]
    return scores


def load_scores(name: str, scores: dict[str, dict[str, np.ndarray]]) -> bool:
    path = CACHE.parent / f"scores-{name}.npz"
    if not path.is_file():
        return False
    with np.load(path) as stored:
        scores[name] = {key: stored[key] for key in stored.files}
    return True


def save_scores(name: str, by_split: dict[str, np.ndarray]) -> None:
    np.savez(CACHE.parent / f"scores-{name}.npz", **by_split)


def assign_folds(table: pd.DataFrame) -> None:
    """A ``fold`` column: each news set's stratified fold, -1 for the rest (always trains)."""
    table["fold"] = -1
    for source in NEWS:
        rows = table.index[table["source"] == source]
        splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
        for k, (_, held) in enumerate(splitter.split(rows, table.loc[rows, "label"])):
            table.loc[rows[held], "fold"] = k


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=Path, default=ROOT.parent / "shared/data/topics")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/tagging_dev_cv.json")
    parser.add_argument("--tfidf", default=",".join(TFIDF))
    parser.add_argument("--e5", default=",".join(E5))
    args = parser.parse_args()
    vocabulary = load_vocabulary()
    tops = [top.qcode for top in vocabulary.tops]
    data = training.training_sets(args.topics)
    table = pd.concat(
        [training.labelled_examples(data.sets[lang]).assign(lang=lang) for lang in SUPPORTED],
        ignore_index=True,
    )
    assign_folds(table)
    cache = E5Cache(CACHE)
    lexical = LexicalTagger(TaggerContext(vocabulary=vocabulary))
    splits: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for k in range(FOLDS):
        splits[f"cv{k}"] = (table["fold"].to_numpy() != k, table["fold"].to_numpy() == k)
    bbc = (table["source"] == "bbc_news.mapping.json").to_numpy()
    splits["bbc-out"] = (~bbc, bbc)
    fra = (table["source"] == "masakhanews.mapping.json").to_numpy()
    splits["fra-out"] = (~fra, fra)
    scores: dict[str, dict[str, np.ndarray]] = {}  # head variant -> split -> rows x tops
    tested = {name: np.flatnonzero(test) for name, (_, test) in splits.items()}
    # lead embeddings of every row (tag time reads the first LEAD_WORDS words)
    leads = cache.embed([chunks(t, 1)[0] for t in table["text"]])
    timing: dict[str, float] = {}
    concepts = pd.concat(
        [training.vocabulary_examples(vocabulary, lang).assign(source="vocabulary", lang=lang)
         for lang in SUPPORTED],
        ignore_index=True,
    )  # fmt: skip
    for name in args.e5.split(","):
        spec = E5[name]
        if load_scores(name, scores):
            continue
        scores[name] = {}
        started = time.perf_counter()
        for split, (train, _) in splits.items():
            rows = table[train]
            if spec.get("vocabulary"):
                rows = pd.concat([rows, concepts], ignore_index=True)
            texts, labels, weights = [], [], []
            base = training.balanced(rows["source"])
            if spec["balance"]:
                base = base * training.balanced(rows["label"])
            for (text, label, source), weight in zip(
                rows[["text", "label", "source"]].itertuples(index=False), base, strict=True
            ):
                pieces = chunks(text, int(spec["chunks"])) if source in NEWS else chunks(text, 1)
                texts += pieces
                labels += [label] * len(pieces)
                weights += [weight / len(pieces)] * len(pieces)
            head = LogisticRegression(C=float(spec["C"]), max_iter=3000, random_state=0)
            head.fit(cache.embed(texts), labels, sample_weight=np.asarray(weights))
            scores[name][split] = spread(head, leads[tested[split]], tops)
        timing[name] = time.perf_counter() - started
        save_scores(name, scores[name])
        print(f"{name}: {timing[name]:.0f} s", flush=True)
    for name in args.tfidf.split(","):
        make, weighted = TFIDF[name]
        if load_scores(name, scores):
            continue
        scores[name] = {}
        started = time.perf_counter()
        for split, (train, _) in splits.items():
            out = np.zeros((len(tested[split]), len(tops)))
            for lang in SUPPORTED:
                mine = (table.loc[tested[split], "lang"] == lang).to_numpy()
                if not mine.any():
                    continue
                rows = table[train & (table["lang"] == lang).to_numpy()]
                own = pd.concat(
                    [concepts.loc[concepts["lang"] == lang, ["text", "label", "source"]],
                     rows[["text", "label", "source"]]],
                    ignore_index=True,
                )  # fmt: skip
                pipeline = make(lang)
                if weighted:
                    weights = training.balanced(own["source"])
                    pipeline.fit(
                        own["text"], own["label"], logisticregression__sample_weight=weights
                    )
                else:
                    pipeline.fit(own["text"], own["label"])
                out[mine] = spread(pipeline, table.loc[tested[split][mine], "text"], tops)
            scores[name][split] = out
        timing[name] = time.perf_counter() - started
        save_scores(name, scores[name])
        print(f"{name}: {timing[name]:.0f} s", flush=True)
    scores["lexical"] = {}
    for split in splits:
        out = np.zeros((len(tested[split]), len(tops)))
        for lang in SUPPORTED:
            mine = (table.loc[tested[split], "lang"] == lang).to_numpy()
            if mine.any():
                out[mine] = lexical.top_scores(list(table.loc[tested[split][mine], "text"]), lang)
        scores["lexical"][split] = out
    report(args, table, tops, splits, tested, scores, timing)


def report(args, table, tops, splits, tested, scores, timing) -> None:  # type: ignore[no-untyped-def]
    tfidfs = [n for n in args.tfidf.split(",") if n in scores]
    e5s = [n for n in args.e5.split(",") if n in scores]
    results = []
    for t, e, w, lex in itertools.product(tfidfs, e5s, (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0),
                                          (0.0, 0.5, 1.0)):  # fmt: skip
        row: dict[str, object] = {"tfidf": t, "e5": e, "e5_weight": w, "lexical": lex}
        for source, lang in NEWS.items():
            per_fold = []
            for k in range(FOLDS):
                split = f"cv{k}"
                mixed = mix(scores, split, t, e, w, lex)
                rows = table.loc[tested[split]]
                keep = (rows["source"] == source).to_numpy()
                right = np.asarray(tops)[mixed.argmax(axis=1)] == rows["label"].to_numpy()
                per_fold.append(right[keep].mean())
            row[f"{lang}-cv"] = round(float(np.mean(per_fold)), 4)
            row[f"{lang}-cv-folds"] = [round(float(a), 3) for a in per_fold]
        for split in ("bbc-out", "fra-out"):
            mixed = mix(scores, split, t, e, w, lex)
            rows = table.loc[tested[split]]
            right = np.asarray(tops)[mixed.argmax(axis=1)] == rows["label"].to_numpy()
            row[split] = round(float(right.mean()), 4)
        results.append(row)
    mistakes = confusions(table, tops, tested, scores, tfidfs[0], e5s[0]) if tfidfs and e5s else {}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"timing_s": timing, "results": results, "unseen_errors": mistakes}, indent=1)
    )
    for split, rows in mistakes.items():
        print(split, json.dumps(rows))
    for row in results:
        print(row["tfidf"], row["e5"], row["e5_weight"], row["lexical"],
              row["en-cv"], row["fr-cv"], row["bbc-out"], row["fra-out"])  # fmt: skip


def mix(
    scores: dict[str, dict[str, np.ndarray]],
    split: str,
    tfidf: str,
    e5: str,
    share: float,
    lexical: float,
) -> np.ndarray:
    """The ensemble as the product weighs French text: classifier x4 (TF-IDF and e5 heads at
    ``share``) plus the lexical tagger x ``lexical`` (English text also has a MiniLM head now:
    ``bench/tagging_dev_english.py``)."""
    heads = (1 - share) * scores[tfidf][split] + share * scores[e5][split]
    return 4 * heads + lexical * scores["lexical"][split]


def confusions(table, tops, tested, scores, tfidf, e5, share=0.6, lexical=0.5) -> dict:  # type: ignore[no-untyped-def]
    """Per label of each unseen news set, at the product's mix: how many, how many right, and
    what the wrong ones were taken for (where the next data or member would help)."""
    out = {}
    for split in ("bbc-out", "fra-out"):
        mixed = mix(scores, split, tfidf, e5, share, lexical)
        predicted = np.asarray(tops)[mixed.argmax(axis=1)]
        gold = table.loc[tested[split], "label"].to_numpy()
        out[split] = {
            label: {
                "n": int((gold == label).sum()),
                "right": int(((gold == label) & (predicted == label)).sum()),
                "taken_for": pd.Series(predicted[(gold == label) & (predicted != label)])
                .value_counts().head(3).to_dict(),
            }
            for label in sorted(set(gold))
        }  # fmt: skip
    return out


if __name__ == "__main__":
    main()
