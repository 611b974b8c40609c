"""The default tagger: a weighted mean of every member that can load here.

Weights were chosen on the SIB-200 dev splits with a classifier trained on the train splits only:
the lexical tagger at a small weight tied the classifier alone, and the packaged English embedder
(zero-shot) only lowered it, so the embedder joins only when a store model is named. With the e5
head, 5-fold cross-validation on MasakhaNEWS fra_dev still finds the lexical share harmless
(0.877 with it, 0.877 without). Members missing their library or
model are left out with a warning rather than failing the asset: the lexical tagger always loads,
so the ensemble answers. A transformers NLI or IPTC classification model from the store joins
at weight 1 when it is named: none exists here to choose its weight on.
"""

from __future__ import annotations

import logging

import numpy as np

from regie.errors import PermanentError
from regie.tagging.taggers.base import Tagger, TaggerContext, load_tagger, normalise_rows

log = logging.getLogger("regie.tagging")
MEMBERS = {"classifier": 4.0, "lexical": 0.5}
STORE_MEMBER_WEIGHT = 1.0  # the zero-shot embedder or a transformers model, when one is named


class EnsembleTagger:
    name = "ensemble"

    def __init__(self, context: TaggerContext) -> None:
        self.members: list[tuple[Tagger, float]] = []
        named = {"embedding": context.embedder, "transformer": context.transformer}
        members = MEMBERS | {name: STORE_MEMBER_WEIGHT for name, model in named.items() if model}
        for name, weight in members.items():
            try:
                self.members.append((load_tagger(name, context), weight))
            except PermanentError as error:
                log.warning("tagging ensemble without %s: %s", name, error.message)

    @property
    def member_names(self) -> list[str]:
        return [member.name for member, _ in self.members]

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        total = sum(w * member.top_scores(texts, language) for member, w in self.members)
        return normalise_rows(np.asarray(total))
