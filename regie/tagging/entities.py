"""Named entities per segment, with their mentions counted and timed, and for the programme.

Two sources. By default spaCy's pipeline for the language (``regie.tagging.nlp``): a mention is
named without the words that lead into it (``à Paris``, ``de France`` are ``Paris``, ``France``),
and placed at the piece of speech that holds it. Or, when the tagging options name one, a
transformers token-classification model from the model store: segments are read in chunks of words
the model can take, an entity's text is cut from the segment by its character offsets, so it keeps
its case and accents, and entities below ``MIN_SCORE`` are dropped.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

from regie.artefacts import NamedEntity
from regie.models import ModelStore
from regie.tagging.nlp import misheard
from regie.tagging.segments import TopicalSegment
from regie.tagging.text import word_chunks

MIN_SCORE = 0.5
CHUNK_WORDS = 150  # under 512 word pieces
LEAD_IN = {"ADP", "DET", "PUNCT"}  # prepositions and articles spaCy sometimes takes in


class EntityRecogniser:
    def __init__(self, models: ModelStore, name: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import pipeline

        path = str(models.resolve(name).path)
        self.pipeline = pipeline(
            "token-classification", model=path, aggregation_strategy="simple", device=-1
        )

    def find(self, text: str, span: tuple[Fraction, Fraction]) -> list[NamedEntity]:
        """The distinct entities of one segment's ``text``, most confident first."""
        best: dict[tuple[str, str], float] = {}
        chunks = word_chunks(text, CHUNK_WORDS)
        # one list of entity dicts per chunk (transformers types the output as a bare list)
        found_per_chunk: list[list[dict[str, Any]]] = self.pipeline(chunks) if chunks else []
        for chunk, found in zip(chunks, found_per_chunk, strict=True):
            for entity in found:
                name = chunk[entity["start"] : entity["end"]].strip()
                key = (name, entity["entity_group"])
                if entity["score"] >= MIN_SCORE and name:
                    best[key] = max(best.get(key, 0.0), float(entity["score"]))
        return sorted(
            (NamedEntity(text=name, kind=kind, score=round(score, 4), ranges=[span])
             for (name, kind), score in best.items()),
            key=lambda e: -e.score,
        )  # fmt: skip


def spacy_entities(doc: Any, piece: TopicalSegment) -> list[NamedEntity]:
    """The entities spaCy found in ``doc`` (the analysis of ``piece.text``), mentions merged."""
    mentions = [
        NamedEntity(text=span.text, kind=span.label_, score=1.0,
                    ranges=[piece.span_at(span.start_char)])
        for span in entity_spans(doc, piece)
    ]  # fmt: skip
    return merged_entities([mentions])


def entity_spans(doc: Any, piece: TopicalSegment) -> list[Any]:
    """Each entity spaCy found in ``doc``, as a span without the words leading into it; none
    with a misheard word, none without a capital (a name is written with one)."""
    from spacy.tokens import Span  # loaded already: ``doc`` is spaCy's

    spans = []
    for span in doc.ents:
        start, end = span.start, span.end
        while start < end and doc[start].pos_ in LEAD_IN:
            start += 1
        while start < end and doc[end - 1].pos_ == "PUNCT":
            end -= 1
        named = doc[start:end]
        if any(c.isupper() for c in named.text) and not any(misheard(t, piece) for t in named):
            spans.append(Span(doc, start, end, label=span.label_))
    return spans


def merged_entities(groups: list[list[NamedEntity]]) -> list[NamedEntity]:
    """Each entity once (case aside), its mentions counted, where it is said in time order; the
    most mentioned first."""
    merged: dict[tuple[str, str], NamedEntity] = {}
    for entities in groups:
        for entity in entities:
            key = (entity.text.casefold(), entity.kind)
            seen = merged.get(key)
            merged[key] = entity if seen is None else seen.model_copy(update={
                "score": max(seen.score, entity.score), "count": seen.count + entity.count,
                "ranges": sorted(set(seen.ranges + entity.ranges)),
            })  # fmt: skip
    return sorted(merged.values(), key=lambda e: (-e.count, -len(e.ranges), -e.score))


def programme_entities(per_segment: list[list[NamedEntity]]) -> list[NamedEntity]:
    """Each entity once, with every place it occurs in; the most mentioned first."""
    return merged_entities(per_segment)
