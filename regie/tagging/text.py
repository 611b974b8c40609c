"""Language-aware word features: tokens, stop words and Snowball stems (French and English)."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer
from snowballstemmer.basestemmer import BaseStemmer
from stop_words import get_stop_words

SUPPORTED = ("fr", "en")
STEMMERS = {"fr": "french", "en": "english"}
APOSTROPHE = "\u2019"  # French typography's apostrophe
TOKEN = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def word_chunks(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of at most ``size`` words (models read a bounded length)."""
    words = text.split()
    return [" ".join(words[start : start + size]) for start in range(0, len(words), size)]


@cache
def stop_words(language: str) -> frozenset[str]:
    return frozenset(get_stop_words(language))


class StemAnalyzer:
    """Lower-cased word stems without stop words; a picklable scikit-learn ``analyzer``."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, text: str) -> list[str]:
        stops = stop_words(self.language)
        words = [w for w in TOKEN.findall(text.lower().replace(APOSTROPHE, "'")) if w not in stops]
        return _stemmer(self.language).stemWords(words)


@cache
def _stemmer(language: str) -> BaseStemmer:
    return snowballstemmer.stemmer(STEMMERS[language])
