"""Train the classifier tagger and put it in the model store (``regie tagging train``).

Each language's TF-IDF head learns from the vocabulary and the labelled text in that language,
French news included (MasakhaNEWS' development split, BBC Afrique); the e5 head learns from every
labelled text in both languages at once: multilingual-e5 puts French and English in one space, so
the English news (BBC) teaches it French topics too, with no translation. The English MiniLM head
learns from the English text and from the French news translated into English by Apertium: the
only news here with health in it, and of today's kind.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
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
from regie.tagging.encoder import embed_documents, encoder_identity, load_encoder
from regie.tagging.labelled import read_labelled
from regie.tagging.text import SUPPORTED, StemAnalyzer
from regie.tagging.translation import translate_to_english, translator_identity
from regie.tagging.vocabulary import Vocabulary

SEED = 0
E5_C = 10.0
MINILM_C = 10.0
Labelled = tuple[Path, Path]  # a labelled text file and its IPTC mapping


@dataclass(frozen=True)
class TrainingData:
    """Labelled sets per language, and French sets the English MiniLM head reads translated."""

    sets: dict[str, list[Labelled]]
    translated: list[Labelled] = field(default_factory=list)

    def files(self) -> list[Path]:
        every = [*(s for sets in self.sets.values() for s in sets), *self.translated]
        return sorted({path for path, _ in every})

    def describe(self) -> dict[str, list[str]]:
        sets = self.sets | {"fr->en": self.translated}
        return {name: [str(path) for path, _ in labelled] for name, labelled in sets.items()}


def training_sets(topics: Path, splits: tuple[str, ...] = ("train", "dev")) -> TrainingData:
    """The development data of ``../shared/data/topics``: SIB-200 ``splits`` in French and
    English, MasakhaNEWS' French development split (also translated, for the MiniLM head) and
    the BBC News sample (English)."""
    sib = topics / "sib200.mapping.json"
    sets = {
        language: [(topics / "sib200" / f"{code}_{split}.tsv", sib) for split in splits]
        for language, code in (("fr", "fra_Latn"), ("en", "eng_Latn"))
    }
    masakhanews = topics / "masakhanews"
    french_news = (masakhanews / "fra_dev.tsv", masakhanews / "masakhanews.mapping.json")
    sets["fr"].append(french_news)
    sets["en"].append((topics / "bbc_news" / "bbc_sample500.csv", topics / "bbc_news.mapping.json"))
    return TrainingData(sets=sets, translated=[french_news])


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


def embedding_weights(table: pd.DataFrame) -> np.ndarray:
    """An embedding head's sample weights: every source and every label weigh the same."""
    return balanced(table["source"]) * balanced(table["label"])


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


def make_minilm_head() -> LogisticRegression:
    """Over unit-length all-MiniLM-L6-v2 embeddings (``bench/tagging_dev_english.py``: C=10
    scored BBC unseen 0.862 in the mix against 0.856 at C=1)."""
    return LogisticRegression(C=MINILM_C, max_iter=3000, random_state=SEED)


def translated_examples(sets: list[Labelled]) -> pd.DataFrame:
    """French labelled text in English, its source named ``<mapping> fr->en``."""
    table = labelled_examples(sets)
    if table.empty:
        return table
    return table.assign(text=translate_to_english(list(table["text"]), "training data"),
                        source=table["source"] + " fr->en")  # fmt: skip


def train(vocabulary: Vocabulary, data: TrainingData) -> dict[str, object]:
    """The TF-IDF pipeline of each language (vocabulary and labelled text in it), the e5 head
    (the labelled text of every language) and the English MiniLM head (the English text and the
    translated French news); in the embedding heads each source and each label weigh the same.

    Raises:
        PermanentError: French sets are to be translated and Apertium is not installed.
    """
    labelled = {language: labelled_examples(data.sets.get(language, [])) for language in SUPPORTED}
    pipelines = {}
    for language, table in labelled.items():
        own = pd.concat([vocabulary_examples(vocabulary, language), table[["text", "label"]]],
                        ignore_index=True)  # fmt: skip
        pipelines[language] = make_classifier(language).fit(own["text"], own["label"])
    every = pd.concat(labelled.values(), ignore_index=True)
    e5_head = make_e5_head().fit(embed_leads(list(every["text"])), every["label"],
                                 sample_weight=embedding_weights(every))  # fmt: skip
    english = pd.concat([labelled["en"], translated_examples(data.translated)], ignore_index=True)
    vectors = embed_documents(load_encoder(None, None), list(english["text"]))
    minilm_head = make_minilm_head().fit(vectors, english["label"],
                                         sample_weight=embedding_weights(english))  # fmt: skip
    return {"pipelines": pipelines, "e5_head": e5_head, "minilm_head": minilm_head}


def train_into_store(
    store: ModelStore, name: str, vocabulary: Vocabulary, data: TrainingData
) -> ModelEntry:
    """Train and add to the store, with what it learnt from and the encoders it needs."""
    bundle = train(vocabulary, data) | {
        "e5": e5_identity(),
        "minilm": encoder_identity(None, None),
        "translator": translator_identity() if data.translated else None,
        "trained_on": data.describe(),
    }
    with tempfile.TemporaryDirectory(prefix="regie-classifier-") as folder:
        target = Path(folder) / f"{name}.joblib"
        joblib.dump(bundle, target)
        return store.add(name, target)
