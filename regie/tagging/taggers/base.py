"""The Tagger interface and its registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from regie.models import ModelStore
from regie.registry import Registry
from regie.tagging.vocabulary import Vocabulary

TAGGERS: Registry[Tagger] = Registry(
    "tagger",
    {
        "lexical": "regie.tagging.taggers.lexical:LexicalTagger",
        "embedding": "regie.tagging.taggers.embedding:EmbeddingTagger",
        "classifier": "regie.tagging.taggers.classifier:ClassifierTagger",
        "transformer": "regie.tagging.taggers.transformer:TransformerTagger",
        "ensemble": "regie.tagging.taggers.ensemble:EnsembleTagger",
    },
    extra="tagging",
)


@dataclass(frozen=True)
class TaggerContext:
    """What taggers may load: the vocabulary, the model store and which models to use."""

    vocabulary: Vocabulary
    models: ModelStore | None = None
    embedder: str | None = None  # a store model; None: the packaged all-MiniLM-L6-v2
    classifier: str = "iptc-classifier"
    transformer: str | None = None  # a store NLI or IPTC sequence-classification model


class Tagger(Protocol):
    """Scores texts against the top-level topics: rows are texts, columns ``vocabulary.tops``."""

    name: str

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        """Non-negative scores summing to 1 per row."""
        ...


def load_tagger(name: str, context: TaggerContext) -> Tagger:
    """The tagger ``name`` ready to score.

    Raises:
        PermanentError: Unknown tagger, its library missing, or its model not in the store.
    """
    return TAGGERS.load(name, name)(context)


def normalise_rows(scores: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1 (a row of zeros stays uniform: no evidence either way)."""
    scores = np.clip(scores, 0, None)
    sums = scores.sum(axis=1, keepdims=True)
    uniform = np.full_like(scores, 1 / scores.shape[1])
    return np.where(sums > 0, scores / np.where(sums > 0, sums, 1), uniform)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    shifted = (scores - scores.max(axis=1, keepdims=True)) / temperature
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
