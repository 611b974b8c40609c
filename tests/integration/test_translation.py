"""French -> English through Debian's Apertium (fr-es then spa-eng), the real tool."""

from __future__ import annotations

import pytest

from regie.tagging import translation
from regie.tagging.translation import find_translator


@pytest.fixture
def translator() -> translation.Translator:
    found = find_translator("fr", "en")
    if found is None:
        pytest.fail(f"Apertium's fr-es and spa-eng modes are missing: make apertium "
                    f"({translation.INSTALL_HINT})")  # fmt: skip
    return found


def test_each_text_comes_back_translated_on_its_own_line(
    translator: translation.Translator,
) -> None:
    texts = [
        "La banque centrale a relevé ses taux alors que l'inflation frappe les actionnaires.",
        "",
        "Le match [2-1] a eu lieu à 20h\\30 :\n victoire du PSG !",
        "Élection présidentielle, le 12 mai.",
    ]
    english = translator.translate(texts)
    assert len(english) == 4 and english[1] == ""
    assert "central bank" in english[0] and "inflation" in english[0]
    assert "shareholders" in english[0]
    assert "[2-1]" in english[2] and "PSG" in english[2] and "\n" not in english[2]
    assert "presidential" in english[3].lower() and "May" in english[3]


def test_identity_names_the_modes_and_package_versions(translator: translation.Translator) -> None:
    assert translator.modes == ("fr-es", "spa-eng")
    assert translator.identity.startswith("apertium fr-es+spa-eng (")
    assert "apertium-fr-es=" in translator.identity and "apertium-eng-spa=" in translator.identity


def test_no_translator_for_an_unknown_pair() -> None:
    assert find_translator("de", "en") is None


def test_no_translator_without_apertium(without_apertium: None) -> None:
    assert find_translator("fr", "en") is None
