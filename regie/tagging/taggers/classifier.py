"""Supervised tagger: heads per language, weighted.

- TF-IDF (stems and character n-grams) + logistic regression, one per language, trained on the
  vocabulary (every concept's name and definition, labelled with its top-level topic) and the
  labelled text in that language (French news: MasakhaNEWS' development split);
- logistic regression over multilingual-e5 embeddings of a text's opening words
  (``regie.tagging.e5``), one for both languages, trained on every labelled text;
- for English, logistic regression over all-MiniLM-L6-v2 embeddings of the whole text (the
  packaged encoder, ``regie.tagging.encoder``), trained on the English text and the French news
  translated into English.

``regie tagging train`` fits them and saves them with joblib into the model store, checksummed
like every model. An embedding head is left out with a warning when its encoder is missing, fails
to load or is not the build it was trained with (the others share its weight); the TF-IDF head
always answers.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable

import joblib
import numpy as np
from sklearn.base import BaseEstimator

from regie.errors import PermanentError
from regie.tagging.e5 import e5_identity, embed_leads, load_e5
from regie.tagging.encoder import embed_documents, encoder_identity, load_encoder
from regie.tagging.taggers.base import TaggerContext

log = logging.getLogger("regie.tagging")
Embed = Callable[[list[str]], np.ndarray]
# Each language's heads and their shares, chosen on development data only. French
# (bench/tagging_dev_cv.py: 5 folds of the BBC sample and of fra_dev, each out of every head's
# training, and each news set left out whole): e5 at 0.6, fra_dev folds 0.891, fra_dev unseen 0.697.
# English (bench/tagging_dev_english.py, the same folds plus fra_dev translated into English):
# with the MiniLM head, BBC folds 0.964 (0.958 without), BBC unseen 0.862 (0.794), translated
# fra_dev folds 0.848 (0.768), translated fra_dev unseen 0.758 (0.668).
SHARES = {
    "fr": {"tfidf": 0.4, "e5": 0.6},
    "en": {"tfidf": 0.3, "e5": 0.4, "minilm": 0.3},
}


class ClassifierTagger:
    name = "classifier"

    def __init__(self, context: TaggerContext) -> None:
        if context.models is None:
            raise PermanentError(context.classifier, "no model store to load the classifier from")
        bundle = joblib.load(context.models.resolve(context.classifier).path)
        self.pipelines: dict[str, BaseEstimator] = bundle["pipelines"]
        # embedding head -> (its model, what turns texts into its features)
        self.embedding_heads: dict[str, tuple[BaseEstimator, Embed]] = {}
        if _e5_here(bundle["e5"]):
            self.embedding_heads["e5"] = (bundle["e5_head"], embed_leads)
        if _minilm_here(bundle.get("minilm")):
            self.embedding_heads["minilm"] = (bundle["minilm_head"], _embed_minilm)
        self.tops = [top.qcode for top in context.vocabulary.tops]

    @property
    def heads(self) -> list[str]:
        """The heads that score text here."""
        return ["tfidf", *self.embedding_heads]

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        """The language's heads that are here, weighed by their shares (rescaled to sum to 1).
        An embedding head whose encoder fails to load (it loads on first use) is left out."""
        scored = []
        for head, share in SHARES[language].items():
            if head not in self.heads:
                continue
            try:
                scored.append((share, self.head_scores(head, texts, language)))
            except PermanentError as error:
                log.warning("classifier: %s head left out: %s", head, error.message)
                del self.embedding_heads[head]
        total = sum(share * scores for share, scores in scored)
        return np.asarray(total) / sum(share for share, _ in scored)

    def head_scores(self, head: str, texts: list[str], language: str) -> np.ndarray:
        """One head's probabilities for ``texts``."""
        if head == "tfidf":
            return self.spread(self.pipelines[language], texts)
        model, embed = self.embedding_heads[head]
        return self.spread(model, embed(texts))

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


def _minilm_here(trained_with: str | None) -> bool:
    """Whether the packaged MiniLM the head was trained on is installed here. Checked without
    importing it: torch is loaded only when English text is scored."""
    if trained_with is None:
        log.warning("classifier: trained before the MiniLM head existed: retrain it to have it")
        return False
    here = encoder_identity(None, None)
    if here != trained_with:
        log.warning("classifier: trained with %s, here %s: MiniLM head left out",
                    trained_with, here)  # fmt: skip
        return False
    if importlib.util.find_spec("sentence_transformers") is None:
        log.warning("classifier: sentence-transformers is not installed: MiniLM head left out")
        return False
    return True


def _embed_minilm(texts: list[str]) -> np.ndarray:
    return embed_documents(load_encoder(None, None), texts)
