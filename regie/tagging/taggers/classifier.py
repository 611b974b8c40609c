"""Supervised tagger: per language, TF-IDF (stems and character n-grams) + logistic regression.

Trained by ``regie tagging train`` from the vocabulary (every concept's name and definition,
labelled with its top-level topic) and labelled development text (SIB-200 train and dev splits,
mapped to IPTC); saved with joblib into the model store, checksummed like every model.
"""

from __future__ import annotations

import joblib
import numpy as np
from sklearn.base import BaseEstimator

from regie.errors import PermanentError
from regie.tagging.taggers.base import TaggerContext


class ClassifierTagger:
    name = "classifier"

    def __init__(self, context: TaggerContext) -> None:
        if context.models is None:
            raise PermanentError(context.classifier, "no model store to load the classifier from")
        bundle = joblib.load(context.models.resolve(context.classifier).path)
        self.pipelines: dict[str, BaseEstimator] = bundle["pipelines"]
        self.tops = [top.qcode for top in context.vocabulary.tops]

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        pipeline = self.pipelines[language]
        probabilities = pipeline.predict_proba(texts)
        scores = np.zeros((len(texts), len(self.tops)))
        for column, qcode in enumerate(pipeline.classes_):
            scores[:, self.tops.index(qcode)] = probabilities[:, column]
        return scores
