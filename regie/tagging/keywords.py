"""Keywords per segment: TF-IDF over the programme's segments, stop words removed (French or
English), single words and two-word phrases."""

from __future__ import annotations

import numpy as np

from regie.tagging.text import stop_words

WORD = r"(?u)\b[^\W\d_][\w'-]{2,}\b"


def keywords(texts: list[str], language: str, per_text: int = 8) -> list[list[str]]:
    """The ``per_text`` most distinctive terms of each text among ``texts``."""
    if not any(text.strip() for text in texts):
        return [[] for _ in texts]
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: only when tagging

    vectorizer = TfidfVectorizer(
        stop_words=sorted(stop_words(language)), token_pattern=WORD, ngram_range=(1, 2),
        sublinear_tf=True, lowercase=True,
    )  # fmt: skip
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # only stop words
        return [[] for _ in texts]
    terms = vectorizer.get_feature_names_out()
    ranked = []
    for row in matrix:
        weights = row.toarray()[0]
        order = [i for i in np.argsort(-weights, kind="stable") if weights[i] > 0]
        ranked.append(_without_overlaps([str(terms[i]) for i in order], per_text))
    return ranked


def _without_overlaps(terms: list[str], limit: int) -> list[str]:
    """Best terms, leaving out a word already inside a chosen phrase (and vice versa)."""
    chosen: list[str] = []
    for term in terms:
        words = set(term.split())
        if any(words & set(other.split()) for other in chosen):
            continue
        chosen.append(term)
        if len(chosen) == limit:
            break
    return chosen
