"""Development cross-validation of the English heads: the MiniLM head, the translated French news.

    .venv/bin/python bench/tagging_dev_english.py [--topics DIR] [--json OUT]

The folds of ``bench/tagging_dev_cv.py`` (5 stratified folds of the BBC sample and of fra_dev,
fold k out of every head's training; "bbc-out" and "fra-out": a news set left out whole), with
fra_dev also translated into English by Apertium (``regie.tagging.translation``) as a third news
set, "translated": English news of today's kind with health in it, which the English held-out
news has and the BBC sample lacks. A translated article shares its original's fold, and
"fra-out" leaves out both. Heads: TF-IDF per language and e5 (as the product trains them, with or
without the translations), and an English logistic regression over all-MiniLM-L6-v2 embeddings
of whole texts or of their first ``CHUNK_WORDS`` words ("lead"), C 1 or 10, with or without the
translations; and the product's e5 head with the MiniLM one (C=10, translations) with SIB-200's
sentences weighed down (``SIB_WEIGHTS``). Also, in MiniLM's place, the nearest topic centroid of
MiniLM vectors, and in e5's, a joint head (logistic regression over MiniLM and e5 side by side;
it scores English only, so its rows' French columns mean nothing). English rows are scored by the
mix of the three heads at the shares listed (their weighted mean as in the product; the product's
heads also by a weighted mean of logs), French rows as the product does. Accuracy per news set:
BBC folds, fra_dev folds, translated folds, then BBC unseen, fra_dev unseen, translated unseen.
Heads' scores are cached under ``var/dev-cache``, by a digest of the table they were made from.
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
from scipy.special import softmax

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tagging_dev_cv import CACHE, FOLDS, E5Cache, assign_folds, chunks, spread  # noqa: E402

from regie.tagging import training  # noqa: E402
from regie.tagging.encoder import CHUNK_WORDS, embed_documents, load_encoder  # noqa: E402
from regie.tagging.taggers.base import TaggerContext  # noqa: E402
from regie.tagging.taggers.classifier import SHARES  # noqa: E402
from regie.tagging.taggers.ensemble import MEMBERS  # noqa: E402
from regie.tagging.taggers.lexical import LexicalTagger  # noqa: E402
from regie.tagging.text import SUPPORTED  # noqa: E402
from regie.tagging.vocabulary import load_vocabulary  # noqa: E402

BBC, FRA, TRANSLATED = "bbc_news.mapping.json", "masakhanews.mapping.json", "translated"
SIB = "sib200.mapping.json"
# SIB-200 sentences weighed down in both embedding heads (the product and its MiniLM at C=10)
SIB_WEIGHTS = (0.5, 0.25)
CENTROID_TEMPERATURE = 0.05
CENTROID = f"centroid-T{CENTROID_TEMPERATURE:g}+tr"  # the cache is by name: T is in it
EPSILON = 1e-4  # floor of a head's probability in the log pool (a head's unknown topics are 0)
ENGLISH_SHARES = [
    (0.4, 0.6, 0.0),
    (0.3, 0.4, 0.3),
    (0.2, 0.4, 0.4),
    (0.3, 0.5, 0.2),
    (0.4, 0.3, 0.3),
    (0.25, 0.5, 0.25),
]  # fmt: skip  (tfidf, e5, minilm)


def development_table(topics: Path) -> pd.DataFrame:
    """Every labelled row with its language and fold, fra_dev's translations appended."""
    data = training.training_sets(topics)
    table = pd.concat(
        [training.labelled_examples(data.sets[lang]).assign(lang=lang) for lang in SUPPORTED],
        ignore_index=True,
    )
    assign_folds(table)
    french = table[table["source"] == FRA]
    translated = training.translated_examples(data.translated)
    translated = translated.assign(lang="en", source=TRANSLATED, fold=french["fold"].to_numpy())
    return pd.concat([table, translated], ignore_index=True)


def development_splits(table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    fold, source = table["fold"].to_numpy(), table["source"].to_numpy()
    splits = {f"cv{k}": (fold != k, fold == k) for k in range(FOLDS)}
    splits["bbc-out"] = (source != BBC, source == BBC)
    french = np.isin(source, [FRA, TRANSLATED])
    splits["fra-out"] = (~french, french)
    return splits


class Heads:
    """Each head variant's scores per split (rows: the split's tested rows), cached on disk."""

    def __init__(self, table: pd.DataFrame, splits: dict, tops: list[str]) -> None:  # type: ignore[type-arg]
        self.table, self.splits, self.tops = table, splits, tops
        self.tested = {name: np.flatnonzero(test) for name, (_, test) in splits.items()}
        self.translated = (table["source"] == TRANSLATED).to_numpy()
        self.scores: dict[str, dict[str, np.ndarray]] = {}
        # cached scores are those of this very table (texts, translations, labels, folds)
        rows = table[["text", "label", "fold"]].astype(str).agg("\t".join, axis=1)
        self.digest = hashlib.sha1("\n".join(rows).encode()).hexdigest()[:12]

    def run(self, name: str, score: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
        path = CACHE.parent / f"english-{self.digest}-{name}.npz"
        if path.is_file():
            with np.load(path) as stored:
                self.scores[name] = {key: stored[key] for key in stored.files}
            return
        started = time.perf_counter()
        self.scores[name] = {
            split: score(train, self.tested[split]) for split, (train, _) in self.splits.items()
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **self.scores[name])
        print(f"{name}: {time.perf_counter() - started:.0f} s", flush=True)

    def trained_on(self, train: np.ndarray, translations: bool) -> np.ndarray:
        return train & (translations | ~self.translated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=Path, default=ROOT.parent / "shared/data/topics")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench/results/tagging_dev_english.json"
    )
    args = parser.parse_args()
    vocabulary = load_vocabulary()
    tops = [top.qcode for top in vocabulary.tops]
    table = development_table(args.topics)
    heads = Heads(table, development_splits(table), tops)
    lang = table["lang"].to_numpy()
    leads = E5Cache(CACHE).embed([chunks(text, 1)[0] for text in table["text"]])
    concepts = {lang: training.vocabulary_examples(vocabulary, lang) for lang in SUPPORTED}

    sib = (table["source"] == SIB).to_numpy()

    def weights(rows: np.ndarray, sib_weight: float) -> np.ndarray:
        return training.embedding_weights(table[rows]) * np.where(sib[rows], sib_weight, 1.0)

    def e5(
        translations: bool, sib_weight: float = 1.0
    ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        def score(train: np.ndarray, tested: np.ndarray) -> np.ndarray:
            rows = heads.trained_on(train, translations)
            head = training.make_e5_head().fit(leads[rows], table.loc[rows, "label"],
                                               sample_weight=weights(rows, sib_weight))  # fmt: skip
            return spread(head, leads[tested], tops)

        return score

    def tfidf(translations: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        def score(train: np.ndarray, tested: np.ndarray) -> np.ndarray:
            out = np.zeros((len(tested), len(tops)))
            for language in SUPPORTED:
                mine = lang[tested] == language
                if not mine.any():
                    continue
                rows = heads.trained_on(train, translations) & (lang == language)
                own = pd.concat([concepts[language], table.loc[rows, ["text", "label"]]])
                pipeline = training.make_classifier(language).fit(own["text"], own["label"])
                out[mine] = spread(pipeline, table.loc[tested[mine], "text"], tops)
            return out

        return score

    english = lang == "en"
    whole = list(table.loc[english, "text"])
    texts = {"whole": whole, "lead": [chunks(text, 1, CHUNK_WORDS)[0] for text in whole]}
    vectors = {}
    for reading, read in texts.items():
        path = CACHE.parent / f"english-{heads.digest}-minilm-{reading}-vectors.npy"
        if not path.is_file():
            embedded = np.zeros((len(table), 384), dtype=np.float32)
            embedded[english] = embed_documents(load_encoder(None, None), read)
            np.save(path, embedded)
        vectors[reading] = np.load(path)

    vectors["joint"] = np.hstack([vectors["whole"], leads])  # MiniLM and e5 side by side

    def minilm(
        translations: bool, c: float, reading: str, sib_weight: float = 1.0
    ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """The MiniLM head over ``vectors[reading]`` (the joint head over "joint")."""
        read = vectors[reading]

        def score(train: np.ndarray, tested: np.ndarray) -> np.ndarray:
            rows = heads.trained_on(train, translations) & english
            head = training.make_minilm_head().set_params(C=c)
            head.fit(read[rows], table.loc[rows, "label"],
                     sample_weight=weights(rows, sib_weight))  # fmt: skip
            out = np.zeros((len(tested), len(tops)))
            mine = english[tested]
            out[mine] = spread(head, read[tested[mine]], tops)
            return out

        return score

    def centroids(read: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """Nearest topic centroid (weighted mean of its MiniLM vectors), softmax at
        ``CENTROID_TEMPERATURE``: a head that cannot overfit the training collections."""

        def score(train: np.ndarray, tested: np.ndarray) -> np.ndarray:
            rows = heads.trained_on(train, True) & english
            labels, weight = table.loc[rows, "label"].to_numpy(), weights(rows, 1.0)
            trained = read[rows]
            classes = sorted(set(labels))
            centres = np.stack([weight[labels == c] @ trained[labels == c] for c in classes])
            centres /= np.linalg.norm(centres, axis=1, keepdims=True)
            out = np.zeros((len(tested), len(tops)))
            mine = english[tested]
            logits = read[tested[mine]] @ centres.T / CENTROID_TEMPERATURE
            out[np.ix_(mine, [tops.index(c) for c in classes])] = softmax(logits, axis=1)
            return out

        return score

    for translations in (False, True):
        suffix = "+tr" if translations else ""
        heads.run(f"tfidf{suffix}", tfidf(translations))
        heads.run(f"e5{suffix}", e5(translations))
        for c, reading in itertools.product((1.0, 10.0), texts):
            prefix = "minilm" if reading == "whole" else "minilm-lead"
            heads.run(f"{prefix}-C{c:g}{suffix}", minilm(translations, c, reading))
    heads.run(CENTROID, centroids(vectors["whole"]))
    heads.run("e5|minilm-C10+tr", minilm(True, 10.0, "joint"))
    for sib_weight in SIB_WEIGHTS:
        heads.run(f"e5@sib{sib_weight:g}", e5(False, sib_weight))
        heads.run(f"minilm-C10+tr@sib{sib_weight:g}", minilm(True, 10.0, "whole", sib_weight))
    lexical = LexicalTagger(TaggerContext(vocabulary=vocabulary))

    def lexical_scores(_: np.ndarray, tested: np.ndarray) -> np.ndarray:
        out = np.zeros((len(tested), len(tops)))
        for language in SUPPORTED:
            mine = lang[tested] == language
            if mine.any():
                out[mine] = lexical.top_scores(list(table.loc[tested[mine], "text"]), language)
        return out

    heads.run("lexical", lexical_scores)
    report(args, heads)


def accuracy(heads: Heads, split: str, source: str, names: tuple[str, str, str], shares,  # type: ignore[no-untyped-def]
             pool: str = "mean") -> float:  # fmt: skip
    """The ensemble as the product weighs it on ``source``'s rows, English at ``shares``; the
    English heads pooled by their weighted mean (the product) or by a weighted mean of logs."""
    scores = [heads.scores[name][split] for name in names]
    french = SHARES["fr"]["tfidf"] * scores[0] + SHARES["fr"]["e5"] * scores[1]
    if pool == "mean":
        english = sum(share * head for share, head in zip(shares, scores, strict=True))
    else:
        logs = sum(
            share * np.log(head + EPSILON) for share, head in zip(shares, scores, strict=True)
        )
        english = softmax(logs, axis=1)
    rows = heads.table.loc[heads.tested[split]]
    classifier = np.where((rows["lang"] == "en").to_numpy()[:, None], english, french)
    mixed = MEMBERS["classifier"] * classifier + MEMBERS["lexical"] * heads.scores["lexical"][split]
    right = np.asarray(heads.tops)[mixed.argmax(axis=1)] == rows["label"].to_numpy()
    return float(right[(rows["source"] == source).to_numpy()].mean())


def report(args: argparse.Namespace, heads: Heads) -> None:
    results = []
    minilms = [name for name in heads.scores if name.startswith("minilm") and "@" not in name]
    combos = [(f"tfidf{suffix}", f"e5{suffix}", minilm)
              for suffix, minilm in itertools.product(("", "+tr"), minilms)]  # fmt: skip
    combos += [("tfidf", f"e5@sib{w:g}", f"minilm-C10+tr@sib{w:g}") for w in SIB_WEIGHTS]
    # the centroid head in MiniLM's place; the joint head in e5's (at (0.4, 0.6, 0) it is alone)
    combos += [("tfidf", "e5", CENTROID), ("tfidf", "e5|minilm-C10+tr", "minilm-C10+tr")]
    pooled = [(names, "mean") for names in combos] + [(("tfidf", "e5", "minilm-C10+tr"), "log")]
    for (names, pool), shares in itertools.product(pooled, ENGLISH_SHARES):
        row: dict[str, object] = {"heads": names, "pool": pool, "shares": shares}
        for source, label in ((BBC, "bbc"), (FRA, "fra"), (TRANSLATED, "translated")):
            folds = [accuracy(heads, f"cv{k}", source, names, shares, pool) for k in range(FOLDS)]
            row[f"{label}-cv"] = round(float(np.mean(folds)), 4)
        for source, label in ((BBC, "bbc-out"), (FRA, "fra-out"), (TRANSLATED, "translated-out")):
            split = "bbc-out" if source == BBC else "fra-out"
            row[label] = round(accuracy(heads, split, source, names, shares, pool), 4)
        results.append(row)
        print(" ".join(names), pool, shares, *(row[k] for k in list(row)[3:]), flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"results": results}, indent=1))


if __name__ == "__main__":
    main()
