"""Apertium, French into English through Spanish, as training runs it (real Debian packages)."""

from __future__ import annotations

import pytest

from regie.errors import PermanentError
from regie.tagging import translation
from regie.tagging.translation import translate_to_english, translator_identity


def test_french_lines_come_back_in_english_one_for_one() -> None:
    french = [
        "Le ministre de la Santé a annoncé une campagne de vaccination.",
        "",
        "L'équipe\tnationale a gagné le match\nde football.",
        "",
    ]
    english = translate_to_english(french)
    assert len(english) == 4 and english[1] == english[3] == ""
    assert "vaccination" in english[0].lower() and "health" in english[0].lower()
    # one text on one line, whatever whitespace it held
    assert "national squad" in english[2] and "football match" in english[2]
    assert "*" not in "".join(english)  # unknown words pass through unmarked
    assert translate_to_english([]) == []


def test_without_apertium_training_is_refused_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(translation, "installed_modes", frozenset)
    with pytest.raises(PermanentError) as refused:
        translate_to_english(["Bonjour."], "training data")
    assert refused.value.asset == "training data"
    assert "not installed" in refused.value.message and "make apertium" in str(refused.value)


def test_the_identity_names_the_chain_and_the_package_versions() -> None:
    identity = translator_identity()
    assert identity.startswith("apertium fr-es+spa-eng (apertium=")
    assert "apertium-fr-es=" in identity and "apertium-eng-spa=" in identity
