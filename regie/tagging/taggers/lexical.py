"""Lexical tagger: TF-IDF over stems, each topic described by its own and its descendants' words.

No neural model. A top-level topic's document is the names (twice) and definitions of every
concept under it in the text's language, so "football" or "élection" point to sport or politics.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from regie.tagging.taggers.base import TaggerContext, softmax
from regie.tagging.text import StemAnalyzer
from regie.tagging.vocabulary import Topic, Vocabulary

TEMPERATURE = 0.05


class LexicalTagger:
    name = "lexical"

    def __init__(self, context: TaggerContext) -> None:
        self.vocabulary = context.vocabulary
        self._fitted: dict[str, tuple[TfidfVectorizer, np.ndarray]] = {}

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        vectorizer, topics = self._fit(language)
        similarity = cosine_similarity(vectorizer.transform(texts), topics)
        return softmax(similarity, TEMPERATURE)

    def _fit(self, language: str) -> tuple[TfidfVectorizer, np.ndarray]:
        if language not in self._fitted:
            documents = topic_documents(self.vocabulary, language)
            vectorizer = TfidfVectorizer(analyzer=StemAnalyzer(language), sublinear_tf=True)
            self._fitted[language] = (vectorizer, vectorizer.fit_transform(documents))
        return self._fitted[language]


def topic_documents(vocabulary: Vocabulary, language: str) -> list[str]:
    """One document per top-level topic: every concept text under it."""
    under: dict[str, list[str]] = defaultdict(list)
    for topic in vocabulary.topics:
        under[topic.top].append(_concept_text(topic, language))
    return [" ".join(under[top.qcode]) for top in vocabulary.tops]


def _concept_text(topic: Topic, language: str) -> str:
    name = topic.name.get(language) or topic.name["en"]
    return f"{name} {name} {topic.definition.get(language, '')}"
