"""Train the classifier tagger and put it in the model store (``regie tagging train``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from regie.models import ModelEntry, ModelStore
from regie.tagging.labelled import read_labelled
from regie.tagging.text import SUPPORTED, StemAnalyzer
from regie.tagging.vocabulary import Vocabulary

SEED = 0


def training_sets(topics: Path) -> dict[str, list[tuple[Path, Path]]]:
    """The development data of ``../shared/data/topics``: SIB-200 train and dev in French and
    English, and the BBC News sample (English news articles)."""
    sib = topics / "sib200.mapping.json"
    data = {
        language: [(topics / "sib200" / f"{code}_{split}.tsv", sib) for split in ("train", "dev")]
        for language, code in (("fr", "fra_Latn"), ("en", "eng_Latn"))
    }
    bbc = (topics / "bbc_news" / "bbc_sample500.csv", topics / "bbc_news.mapping.json")
    data["en"].append(bbc)
    return data


def vocabulary_examples(vocabulary: Vocabulary, language: str) -> pd.DataFrame:
    """Every concept's name and definition, labelled with its top-level topic."""
    return pd.DataFrame({
        "text": [topic.text(language) for topic in vocabulary.topics],
        "label": [topic.top for topic in vocabulary.topics],
    })  # fmt: skip


def labelled_examples(sets: list[tuple[Path, Path]]) -> pd.DataFrame:
    """Development text; the first IPTC code of its category is the training label."""
    frames = [read_labelled(path, mapping) for path, mapping in sets]
    table = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({"text": table["text"], "label": [gold[0] for gold in table["gold"]]})


def make_classifier(language: str):  # type: ignore[no-untyped-def]
    features = make_union(
        TfidfVectorizer(analyzer=StemAnalyzer(language), sublinear_tf=True, ngram_range=(1, 1)),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    return make_pipeline(features, LogisticRegression(C=10, max_iter=2000, random_state=SEED))


def train(vocabulary: Vocabulary, data: dict[str, list[tuple[Path, Path]]]) -> dict[str, object]:
    """One fitted pipeline per language from the vocabulary and ``data[language]`` sets."""
    pipelines = {}
    for language in SUPPORTED:
        examples = pd.concat(
            [vocabulary_examples(vocabulary, language), labelled_examples(data.get(language, []))],
            ignore_index=True,
        )
        pipelines[language] = make_classifier(language).fit(examples["text"], examples["label"])
    return pipelines


def train_into_store(
    store: ModelStore, name: str, vocabulary: Vocabulary, data: dict[str, list[tuple[Path, Path]]]
) -> ModelEntry:
    pipelines = train(vocabulary, data)
    sources = {lang: [str(p) for p, _ in sets] for lang, sets in data.items()}
    with tempfile.TemporaryDirectory(prefix="regie-classifier-") as folder:
        target = Path(folder) / f"{name}.joblib"
        joblib.dump({"pipelines": pipelines, "trained_on": sources}, target)
        return store.add(name, target)
