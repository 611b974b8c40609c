"""Keywords per segment, as an editor would keep them: content words and the phrases they make.

With a spaCy analysis (French): the named entities, the lemmas of nouns, proper nouns and
adjectives, and the runs of them inside one noun phrase (``Jeux olympiques``, never two words from
either side of a comma); a term is counted by its lemmas and shown in the form said most often
(an entity's own form first). Without one (English): the words and phrases between two punctuation
marks. Either way stop words (two lists and fillers of speech) and words the ASR was unsure of are
left out, and TF-IDF over the programme's segments ranks what is distinctive of each; a phrase
said as often as its words ranks above them.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any

import numpy as np

from regie.tagging.entities import entity_spans
from regie.tagging.nlp import misheard
from regie.tagging.segments import TopicalSegment
from regie.tagging.text import stop_words

CONTENT = {"NOUN", "PROPN", "ADJ"}
MAX_WORDS = 3  # longest phrase kept
PHRASE_BONUS = 0.5  # a phrase said as often as its words is the better keyword
CLAUSE = re.compile(r"[.,;:!?()\[\]«»\"\u2026]+|\s[-\u2013\u2014]\s")
WORD = re.compile(r"(?u)^[^\W\d_][\w'\u2019-]{2,}$")

FILLERS = {  # said often, meaning little
    "fr": frozenset({"chose", "choses", "truc", "gens", "fois", "monsieur", "madame", "voilà",
                     "bon", "bref", "euh", "oui", "non"}),
    "en": frozenset({"thing", "things", "people", "way", "lot", "yes", "okay", "well"}),
}  # fmt: skip
Term = tuple[str, str]  # (key: lower-cased lemmas, form as said)


def keywords(
    pieces: list[TopicalSegment], docs: list[Any] | None, language: str, per_text: int = 8
) -> list[list[str]]:
    """The ``per_text`` most distinctive terms of each piece (``docs``: their spaCy analyses)."""
    if docs is None:
        terms = [clause_terms(_masked(piece), language) for piece in pieces]
    else:
        terms = [
            phrase_terms(doc, piece, language) for doc, piece in zip(docs, pieces, strict=True)
        ]
    return ranked(terms, per_text)


@cache
def keyword_stop_words(language: str) -> frozenset[str]:
    """The stop-words library's list, spaCy's (when installed) and fillers of speech."""
    try:
        spacy_list = importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS
    except ImportError:
        spacy_list = set()
    return stop_words(language) | frozenset(spacy_list) | FILLERS.get(language, frozenset())


def phrase_terms(doc: Any, piece: TopicalSegment, language: str) -> list[Term]:
    """Named entities, content words, and their runs inside a noun phrase, of a spaCy document."""
    stops = keyword_stop_words(language)
    runs: list[list[Any]] = []
    run: list[Any] = []  # spaCy tokens
    chunk_of = _chunk_ids(doc)
    for token in doc:
        keep = (token.pos_ in CONTENT and not token.is_stop and not token.like_num
                and WORD.match(token.text) and token.lemma_.lower() not in stops
                and not misheard(token, piece))  # fmt: skip
        same_phrase = bool(run) and chunk_of.get(token.i, -1) == chunk_of.get(run[-1].i, -2)
        if run and not (keep and same_phrase and token.i == run[-1].i + 1):
            runs.append(run)
            run = []
        if keep:
            run.append(token)
    runs += [run] if run else []
    names = [(" ".join(t.lemma_.lower() for t in span), span.text)
             for span in entity_spans(doc, piece)]  # fmt: skip
    return names + [
        (" ".join(t.lemma_.lower() for t in gram), " ".join(_form(t) for t in gram))
        for found in runs for gram in _grams(found)
    ]  # fmt: skip


def clause_terms(text: str, language: str) -> list[Term]:
    """Words and runs of words between punctuation marks; stop words, and a change between
    capitalised words (a name) and lower-case ones, break the runs."""
    stops, terms = keyword_stop_words(language), []
    for clause in CLAUSE.split(text):
        run: list[str] = []
        for word in [*clause.split(), ""]:
            keep = bool(word) and bool(WORD.match(word)) and word.lower() not in stops
            if keep and (not run or run[-1][0].isupper() == word[0].isupper()):
                run.append(word)
                continue
            terms += [(" ".join(gram).lower(), " ".join(_cased(gram))) for gram in _grams(run)]
            run = [word] if keep else []
    return terms


def ranked(terms: list[list[Term]], per_text: int) -> list[list[str]]:
    """TF-IDF over the pieces' terms; each term shown in its most frequent form."""
    if not any(terms):
        return [[] for _ in terms]
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: only when tagging

    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for key, form in (term for found in terms for term in found):
        forms[key][form] += 1
    vectorizer = TfidfVectorizer(analyzer=lambda found: [key for key, _ in found],
                                 sublinear_tf=True)  # fmt: skip
    matrix = vectorizer.fit_transform(terms)
    vocabulary = vectorizer.get_feature_names_out()
    length = np.array([len(key.split()) for key in vocabulary])
    chosen = []
    for row in matrix:
        weights = row.toarray()[0] * (1 + PHRASE_BONUS * (length - 1))
        order = [i for i in np.argsort(-weights, kind="stable") if weights[i] > 0]
        keys = _without_overlaps([str(vocabulary[i]) for i in order], per_text)
        chosen.append([forms[key].most_common(1)[0][0] for key in keys])
    return chosen


def _masked(piece: TopicalSegment) -> str:
    """The text with each unsure word turned into punctuation: no term holds or spans it."""
    text = piece.text
    for start, end in piece.doubtful:
        text = text[:start] + "." * (end - start) + text[end:]
    return text


def _grams(run: list[Any]) -> list[list[Any]]:
    """Every run of 1 to ``MAX_WORDS`` consecutive items."""
    return [run[i : i + n] for n in range(1, MAX_WORDS + 1) for i in range(len(run) - n + 1)]


def _chunk_ids(doc: Any) -> dict[int, int]:
    """Token index -> the noun phrase it is in (tokens outside any phrase are absent)."""
    return {token.i: n for n, chunk in enumerate(doc.noun_chunks) for token in chunk}


def _cased(words: list[str]) -> list[str]:
    """A name keeps its capitals; other words are shown in lower case."""
    return (
        words
        if all(w[0].isupper() for w in words) and len(words) > 1
        else [w.lower() for w in words]
    )


def _form(token: Any) -> str:
    return token.text if token.pos_ == "PROPN" else token.text.lower()


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
