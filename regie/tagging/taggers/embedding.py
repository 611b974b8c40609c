"""Zero-shot embedding tagger: sentence-transformers from the model store, offline.

Each top-level topic is the mean embedding of its own and its subtopics' names and definitions,
in the text's language and in English (the default model, all-MiniLM-L6-v2, is English; a
multilingual model from the store does better in French). Texts go to the nearest topics.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from regie.tagging.encoder import embed_documents, load_encoder
from regie.tagging.taggers.base import TaggerContext, softmax

TEMPERATURE = 0.03
PROTOTYPE_DEPTH = 2  # a topic and its direct subtopics; deeper ones blur it and cost time


class EmbeddingTagger:
    name = "embedding"

    def __init__(self, context: TaggerContext) -> None:
        self.vocabulary = context.vocabulary
        self.model = load_encoder(context.models, context.embedder)
        self._prototypes: dict[str, np.ndarray] = {}

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        embedded = embed_documents(self.model, texts)
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
