"""Supervised tagger: two heads, averaged.

- TF-IDF (stems and character n-grams) + logistic regression, one per language, trained on the
  vocabulary (every concept's name and definition, labelled with its top-level topic) and the
  labelled development text in that language;
- logistic regression over English sentence embeddings (all-MiniLM-L6-v2 by default), trained on
  the English examples, which hold the only labelled *news* (the BBC sample). French text reaches
  it translated (Apertium, ``regie.tagging.translation``): French has no labelled news here.

``regie tagging train`` fits both and saves them with joblib into the model store, checksummed
like every model. A head that cannot run here (no encoder, no translator, an encoder that is not
the one it was trained with) is left out with a warning; the TF-IDF head always answers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import joblib
import numpy as np
from sklearn.base import BaseEstimator

from regie.errors import PermanentError
from regie.tagging.encoder import embed_documents, encoder_identity, load_encoder
from regie.tagging.taggers.base import TaggerContext
from regie.tagging.translation import INSTALL_HINT, Translator, find_translator

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger("regie.tagging")
ENGLISH = "en"


class ClassifierTagger:
    name = "classifier"

    def __init__(self, context: TaggerContext) -> None:
        if context.models is None:
            raise PermanentError(context.classifier, "no model store to load the classifier from")
        bundle = joblib.load(context.models.resolve(context.classifier).path)
        self.pipelines: dict[str, BaseEstimator] = bundle["pipelines"]
        self.english_head: BaseEstimator = bundle["english_head"]
        self.tops = [top.qcode for top in context.vocabulary.tops]
        self.encoder = _encoder(context, bundle["encoder"], bundle["encoder_identity"])
        # English needs none (and must not be warned about)
        self.translators: dict[str, Translator | None] = {ENGLISH: None}

    def heads(self, language: str) -> list[str]:
        """The heads that score text in ``language`` here."""
        reaches_english = language == ENGLISH or self._translator(language) is not None
        return ["tfidf"] + (["english-embeddings"] if self.encoder and reaches_english else [])

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        scores = [self.spread(self.pipelines[language], texts)]
        if "english-embeddings" in self.heads(language):
            translator = self._translator(language)
            english = texts if translator is None else translator.translate(texts)
            assert self.encoder is not None  # heads() offers this head only with an encoder
            embedded = embed_documents(self.encoder, english)
            scores.append(self.spread(self.english_head, embedded))
        return np.mean(scores, axis=0)

    def spread(self, model: BaseEstimator, features: object) -> np.ndarray:
        """The model's probabilities, one column per top-level topic (zero where it has none)."""
        probabilities = model.predict_proba(features)
        scores = np.zeros((probabilities.shape[0], len(self.tops)))
        for column, qcode in enumerate(model.classes_):
            scores[:, self.tops.index(qcode)] = probabilities[:, column]
        return scores

    def _translator(self, language: str) -> Translator | None:
        if language not in self.translators:
            self.translators[language] = find_translator(language, ENGLISH)
            if self.translators[language] is None:
                log.warning("classifier: no %s->en translator (%s): %s text gets the TF-IDF "
                            "head only", language, INSTALL_HINT, language)  # fmt: skip
        return self.translators[language]


def _encoder(
    context: TaggerContext, name: str | None, trained_with: str
) -> SentenceTransformer | None:
    """The encoder the English head was trained on, or None (with a warning) if it is not here."""
    here = encoder_identity(context.models, name)
    if here != trained_with:
        log.warning("classifier: trained with encoder %s, here %s: English head left out",
                    trained_with, here)  # fmt: skip
        return None
    try:
        return load_encoder(context.models, name)
    except PermanentError as error:
        log.warning("classifier: English head left out: %s", error.message)
        return None
