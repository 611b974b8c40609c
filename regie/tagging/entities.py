"""Named entities per segment: a transformers token-classification model from the model store.

Only when the tagging options name one (a French and English NER fine-tune imported with
``regie models add``, say): no such model ships with Régie. Segments are read in chunks of words
the model can take; an entity's text is cut from the segment by its character offsets, so it
keeps its case and accents; entities below ``MIN_SCORE`` are dropped, repeats merged.
"""

from __future__ import annotations

import os

from regie.artefacts import NamedEntity
from regie.models import ModelStore
from regie.tagging.text import word_chunks

MIN_SCORE = 0.5
CHUNK_WORDS = 150  # under 512 word pieces


class EntityRecogniser:
    def __init__(self, models: ModelStore, name: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import pipeline

        path = str(models.resolve(name).path)
        self.pipeline = pipeline(
            "token-classification", model=path, aggregation_strategy="simple", device=-1
        )

    def find(self, text: str, span: tuple[float, float]) -> list[NamedEntity]:
        """The distinct entities of one segment's ``text``, most confident first."""
        best: dict[tuple[str, str], float] = {}
        chunks = word_chunks(text, CHUNK_WORDS)
        for chunk, found in zip(chunks, self.pipeline(chunks) if chunks else [], strict=True):
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


def programme_entities(per_segment: list[list[NamedEntity]]) -> list[NamedEntity]:
    """Each entity once, with every segment it occurs in; the most widespread first."""
    merged: dict[tuple[str, str], NamedEntity] = {}
    for entities in per_segment:
        for entity in entities:
            key = (entity.text, entity.kind)
            seen = merged.get(key)
            merged[key] = entity if seen is None else seen.model_copy(update={
                "score": max(seen.score, entity.score), "ranges": seen.ranges + entity.ranges,
            })  # fmt: skip
    return sorted(merged.values(), key=lambda e: (-len(e.ranges), -e.score))
