"""Train the classifier tagger and put it in the model store (``regie tagging train``).

The French TF-IDF head also learns from the English news, translated into French by Apertium:
SIB-200 is encyclopaedic sentences and no French news is labelled here, so without it the French
head knows the news only from the vocabulary's definitions (economy and business least of all:
SIB-200 has no such category). Training therefore needs the ``en->fr`` Apertium chain.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from regie.errors import PermanentError
from regie.models import ModelEntry, ModelStore
from regie.tagging.encoder import embed_documents, encoder_identity, load_encoder
from regie.tagging.labelled import read_labelled
from regie.tagging.text import SUPPORTED, StemAnalyzer
from regie.tagging.translation import INSTALL_HINT, find_translator
from regie.tagging.vocabulary import Vocabulary

SEED = 0
Labelled = tuple[Path, Path]  # a labelled text file and its IPTC mapping


@dataclass(frozen=True)
class TrainingData:
    """Labelled sets per language, and English sets each other language learns from translated."""

    sets: dict[str, list[Labelled]]
    translated: dict[str, list[Labelled]]

    def files(self) -> list[Path]:
        every = [*self.sets.values(), *self.translated.values()]
        return sorted({path for sets in every for path, _ in sets})

    def describe(self) -> dict[str, list[str]]:
        described = {lang: [str(p) for p, _ in sets] for lang, sets in self.sets.items()}
        for lang, sets in self.translated.items():
            described[lang] += [f"{p} (translated from English)" for p, _ in sets]
        return described


def training_sets(topics: Path, splits: tuple[str, ...] = ("train", "dev")) -> TrainingData:
    """The development data of ``../shared/data/topics``: SIB-200 ``splits`` in French and
    English, and the BBC News sample (English news articles, for French too, translated)."""
    sib = topics / "sib200.mapping.json"
    sets = {
        language: [(topics / "sib200" / f"{code}_{split}.tsv", sib) for split in splits]
        for language, code in (("fr", "fra_Latn"), ("en", "eng_Latn"))
    }
    bbc = (topics / "bbc_news" / "bbc_sample500.csv", topics / "bbc_news.mapping.json")
    sets["en"].append(bbc)
    return TrainingData(sets=sets, translated={"fr": [bbc]})


def vocabulary_examples(vocabulary: Vocabulary, language: str) -> pd.DataFrame:
    """Every concept's name and definition, labelled with its top-level topic."""
    return pd.DataFrame({
        "text": [topic.text(language) for topic in vocabulary.topics],
        "label": [topic.top for topic in vocabulary.topics],
    })  # fmt: skip


def labelled_examples(sets: list[Labelled]) -> pd.DataFrame:
    """Development text; the first IPTC code of its category is the training label."""
    frames = [read_labelled(path, mapping) for path, mapping in sets]
    if not frames:
        return pd.DataFrame({"text": [], "label": []})
    table = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({"text": table["text"], "label": [gold[0] for gold in table["gold"]]})


def translated_examples(sets: list[Labelled], language: str) -> pd.DataFrame:
    """English development text translated into ``language``.

    Raises:
        PermanentError: The English -> ``language`` Apertium chain is not installed.
    """
    table = labelled_examples(sets)
    if table.empty:
        return table
    translator = find_translator("en", language)
    if translator is None:
        raise PermanentError("tagging training", f"no en->{language} translator", INSTALL_HINT)
    return table.assign(text=translator.translate(list(table["text"]), "tagging training"))


def examples_in(vocabulary: Vocabulary, data: TrainingData, language: str) -> pd.DataFrame:
    return pd.concat(
        [vocabulary_examples(vocabulary, language),
         labelled_examples(data.sets.get(language, [])),
         translated_examples(data.translated.get(language, []), language)],
        ignore_index=True,
    )  # fmt: skip


def make_classifier(language: str) -> Pipeline:
    features = make_union(
        TfidfVectorizer(analyzer=StemAnalyzer(language), sublinear_tf=True, ngram_range=(1, 1)),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    return make_pipeline(features, LogisticRegression(C=10, max_iter=2000, random_state=SEED))


def make_english_head() -> LogisticRegression:
    """Over unit-length sentence embeddings; C=1 chose itself on SIB-200 dev (C=10, 100 lost)."""
    return LogisticRegression(C=1, max_iter=3000, random_state=SEED)


def train(vocabulary: Vocabulary, data: TrainingData, encoder: object) -> dict[str, object]:
    """The TF-IDF pipeline of each language and the English head over ``encoder``'s embeddings."""
    examples = {language: examples_in(vocabulary, data, language) for language in SUPPORTED}
    pipelines = {language: make_classifier(language).fit(table["text"], table["label"])
                 for language, table in examples.items()}  # fmt: skip
    english = examples["en"]
    embedded = embed_documents(encoder, list(english["text"]))  # type: ignore[arg-type]
    return {"pipelines": pipelines,
            "english_head": make_english_head().fit(embedded, english["label"])}  # fmt: skip


def train_into_store(
    store: ModelStore,
    name: str,
    vocabulary: Vocabulary,
    data: TrainingData,
    encoder: str | None = None,
) -> ModelEntry:
    """Train (``encoder``: a store model, None for the packaged one) and add to the store."""
    heads = train(vocabulary, data, load_encoder(store, encoder))
    bundle = heads | {"encoder": encoder, "encoder_identity": encoder_identity(store, encoder),
                      "trained_on": data.describe()}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="regie-classifier-") as folder:
        target = Path(folder) / f"{name}.joblib"
        joblib.dump(bundle, target)
        return store.add(name, target)
