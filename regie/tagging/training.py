"""Train the classifier tagger and put it in the model store (``regie tagging train``).

Each language's TF-IDF head learns from the vocabulary and the labelled text in that language,
French news included (MasakhaNEWS' development split, BBC Afrique); the e5 head learns from every
labelled text in both languages at once: multilingual-e5 puts French and English in one space, so
the English news (BBC) teaches it French topics too, with no translation.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.utils.class_weight import compute_sample_weight

from regie.models import ModelEntry, ModelStore
from regie.tagging.e5 import e5_identity, embed_leads
from regie.tagging.labelled import read_labelled
from regie.tagging.text import SUPPORTED, StemAnalyzer
from regie.tagging.vocabulary import Vocabulary

SEED = 0
E5_C = 10.0
Labelled = tuple[Path, Path]  # a labelled text file and its IPTC mapping


@dataclass(frozen=True)
class TrainingData:
    """Labelled sets per language."""

    sets: dict[str, list[Labelled]]

    def files(self) -> list[Path]:
        return sorted({path for sets in self.sets.values() for path, _ in sets})

    def describe(self) -> dict[str, list[str]]:
        return {language: [str(path) for path, _ in sets] for language, sets in self.sets.items()}


def training_sets(topics: Path, splits: tuple[str, ...] = ("train", "dev")) -> TrainingData:
    """The development data of ``../shared/data/topics``: SIB-200 ``splits`` in French and
    English, MasakhaNEWS' French development split and the BBC News sample (English)."""
    sib = topics / "sib200.mapping.json"
    sets = {
        language: [(topics / "sib200" / f"{code}_{split}.tsv", sib) for split in splits]
        for language, code in (("fr", "fra_Latn"), ("en", "eng_Latn"))
    }
    masakhanews = topics / "masakhanews"
    sets["fr"].append((masakhanews / "fra_dev.tsv", masakhanews / "masakhanews.mapping.json"))
    sets["en"].append((topics / "bbc_news" / "bbc_sample500.csv", topics / "bbc_news.mapping.json"))
    return TrainingData(sets=sets)


def vocabulary_examples(vocabulary: Vocabulary, language: str) -> pd.DataFrame:
    """Every concept's name and definition, labelled with its top-level topic."""
    return pd.DataFrame({
        "text": [topic.text(language) for topic in vocabulary.topics],
        "label": [topic.top for topic in vocabulary.topics],
    })  # fmt: skip


def labelled_examples(sets: list[Labelled]) -> pd.DataFrame:
    """Development text; the first IPTC code of its category is the training label, and its
    source is the collection its mapping names (``sib200``, ``masakhanews``, ``bbc_news``)."""
    frames = [read_labelled(path, mapping).assign(source=mapping.name) for path, mapping in sets]
    if not frames:
        return pd.DataFrame({"text": [], "label": [], "source": []})
    table = pd.concat(frames, ignore_index=True)
    labels = [gold[0] for gold in table["gold"]]
    return pd.DataFrame({"text": table["text"], "label": labels, "source": table["source"]})


def balanced(groups: pd.Series) -> np.ndarray:
    """Sample weights under which every group weighs the same in total (mean weight 1): by source,
    the 1,600 SIB-200 sentences no longer outweigh the 211 French news articles; by label, topics
    the news sets lack (health has no English article) are not drowned by the ones they have."""
    return compute_sample_weight("balanced", groups)


def make_classifier(language: str) -> Pipeline:
    features = make_union(
        TfidfVectorizer(analyzer=StemAnalyzer(language), sublinear_tf=True, ngram_range=(1, 1)),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    return make_pipeline(features, LogisticRegression(C=10, max_iter=2000, random_state=SEED))


def make_e5_head() -> LogisticRegression:
    """Over unit-length e5 embeddings. C=10 chose itself by 5-fold cross-validation on fra_dev
    (each fold's articles out of all training): 0.853 against 0.796 (C=1) and 0.829 (C=100)."""
    return LogisticRegression(C=E5_C, max_iter=3000, random_state=SEED)


def train(vocabulary: Vocabulary, data: TrainingData) -> dict[str, object]:
    """The TF-IDF pipeline of each language (vocabulary and labelled text in it) and the e5 head
    (the labelled text of every language, each source and each label weighing the same)."""
    labelled = {language: labelled_examples(data.sets.get(language, [])) for language in SUPPORTED}
    pipelines = {}
    for language, table in labelled.items():
        own = pd.concat([vocabulary_examples(vocabulary, language), table[["text", "label"]]],
                        ignore_index=True)  # fmt: skip
        pipelines[language] = make_classifier(language).fit(own["text"], own["label"])
    every = pd.concat(labelled.values(), ignore_index=True)
    weights = balanced(every["source"]) * balanced(every["label"])
    e5_head = make_e5_head().fit(embed_leads(list(every["text"])), every["label"],
                                 sample_weight=weights)  # fmt: skip
    return {"pipelines": pipelines, "e5_head": e5_head}


def train_into_store(
    store: ModelStore, name: str, vocabulary: Vocabulary, data: TrainingData
) -> ModelEntry:
    """Train and add to the store, with what it learnt from and the e5 model it needs."""
    bundle = train(vocabulary, data) | {"e5": e5_identity(), "trained_on": data.describe()}
    with tempfile.TemporaryDirectory(prefix="regie-classifier-") as folder:
        target = Path(folder) / f"{name}.joblib"
        joblib.dump(bundle, target)
        return store.add(name, target)
