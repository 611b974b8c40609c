"""Tagging stage: a transcript -> IPTC Media Topics per topical segment and for the programme,
keywords per segment, a TagSet with a JSON file and an EBUCore-style sidecar.

An empty transcript, a language the taggers do not cover or too little speech gives an empty
TagSet with its reason, never a failure. The classifier's digest is part of the key, so a
retrained classifier tags again.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from pydantic import Field

from regie.artefacts import NamedEntity, SegmentTags, ShotList, TagSet, TopicTag, Transcript
from regie.asr.stage import load_document
from regie.fields import OptionalText
from regie.models import ModelStore
from regie.stage import Stage, StageContext, StageOptions, StageOutcome, StageRun, run_stage
from regie.tagging.e5 import e5_identity
from regie.tagging.encoder import encoder_identity
from regie.tagging.entities import EntityRecogniser, programme_entities, spacy_entities
from regie.tagging.keywords import keywords
from regie.tagging.nlp import INSTALL_HINT, analyse, installed_pipeline, pipelines_identity
from regie.tagging.segments import TopicalSegment, topical_segments
from regie.tagging.taggers import TaggerContext, load_tagger
from regie.tagging.text import SUPPORTED
from regie.tagging.vocabulary import Vocabulary, load_vocabulary

TAGGING = Stage("tagging", "3", TagSet)  # 3: segment times and ranges as Seconds
MIN_WORDS = 20
Span = tuple[Fraction, Fraction]  # (start, end) in seconds


# Spelled out so that a form offers a choice; tests/test_wiring.py checks it against TAGGERS.
TaggerName = Literal["ensemble", "classifier", "lexical", "embedding", "transformer"]


class TaggingOptions(StageOptions):
    """Which tagger, and how sure it must be."""

    tagger: TaggerName = Field(
        "ensemble", description="ensemble: every tagger that is installed, scores combined."
    )
    classifier: str = Field("iptc-classifier", description="Classifier model in the store.")
    embedder: OptionalText = Field(
        None, description="sentence-transformers model in the store; blank: the packaged one."
    )
    transformer: OptionalText = Field(
        None, description="transformers NLI or IPTC classification model in the store; blank: none."
    )
    entity_model: OptionalText = Field(
        None, description="transformers token-classification (NER) model in the store; blank: "
        "no named entities.",
    )  # fmt: skip
    min_score: float = Field(0.3, ge=0, le=1, description="Least score for a topic to be given.")
    max_topics: int = Field(
        3, ge=1, description="Most topics given to the programme and to each segment."
    )


def tag_transcript(
    transcript: StageOutcome[Transcript],
    shots: StageOutcome[ShotList] | None,
    context: StageContext,
    models: ModelStore,
    options: TaggingOptions | None = None,
) -> StageOutcome[TagSet]:
    """Tag the transcript's segments, or return the manifest of an earlier identical run."""
    opts = options or TaggingOptions()
    artefact = transcript.artefact
    cuts = [float(t) for t in shots.artefact.cut_times()] if shots else []

    def produce(run: StageRun) -> TagSet:
        document = load_document(context, artefact)
        language = document.language
        reason = _why_not(artefact, language, len(document.words))
        if reason:
            return _empty(artefact, language, opts.tagger, reason)
        assert language is not None  # _why_not refuses a transcript without a known language
        pieces = topical_segments(document.segments, cuts)
        tagger_context = TaggerContext(
            load_vocabulary(), models, opts.embedder, opts.classifier, opts.transformer
        )
        tagset = tag_segments(pieces, language, tagger_context, opts, artefact.asset_id)
        return _publish(tagset, run)

    inputs = {
        "asr": transcript.manifest.key,
        "classifier": models.identity(opts.classifier),
        "encoder": encoder_identity(models, opts.embedder),
        "minilm": encoder_identity(None, None),  # the classifier's English head reads with it
        "e5": e5_identity(),
        "nlp": pipelines_identity(),
    } | {
        field: models.identity(name)
        for field, name in (("transformer", opts.transformer), ("entities", opts.entity_model))
        if name is not None
    }
    if shots is not None:
        inputs["shots"] = shots.manifest.key
    return run_stage(TAGGING, artefact.asset_id, inputs, opts, context, produce)


def tag_segments(
    pieces: list[TopicalSegment],
    language: str,
    context: TaggerContext,
    options: TaggingOptions,
    asset_id: str,
) -> TagSet:
    """Topics, keywords and named entities (with a NER model) for each segment, and the
    programme's topics and entities from all of them."""
    tagger = load_tagger(options.tagger, context)
    texts = [p.text for p in pieces]
    # e5's engine and NumPy leave the GIL while they compute: spaCy runs meanwhile on the other core
    with ThreadPoolExecutor(max_workers=1) as pool:
        scoring = pool.submit(tagger.top_scores, texts, language)
        docs = analyse(texts, language)
        scores = scoring.result()
    words = keywords(pieces, docs, language)
    found, recogniser = _entities(pieces, docs, language, context.models, options.entity_model)
    vocabulary = context.vocabulary
    segments = [
        SegmentTags(start=p.span[0], end=p.span[1], keywords=kw, entities=named,
                    topics=_chosen(vocabulary, row, [p.span], options, tagger.name))
        for p, row, kw, named in zip(pieces, scores, words, found, strict=True)
    ]  # fmt: skip
    lengths = np.array([max(p.end - p.start, 0.1) for p in pieces])
    overall = (scores * lengths[:, None]).sum(axis=0) / lengths.sum()
    topics = [
        tag.model_copy(update={"ranges": _ranges_of(tag.qcode, segments)})
        for tag in _chosen(vocabulary, overall, [], options, tagger.name)
    ]
    return TagSet(asset_id=asset_id, language=language, tagger=tagger.name, topics=topics,
                  segments=segments, entities=programme_entities(found),
                  entity_recogniser=recogniser)  # fmt: skip


def _entities(
    pieces: list[TopicalSegment],
    docs: list[Any] | None,
    language: str,
    models: ModelStore | None,
    name: str | None,
) -> tuple[list[list[NamedEntity]], str]:
    """Each piece's entities, and what found them (or why there are none)."""
    if name is not None and models is not None:
        recogniser = EntityRecogniser(models, name)
        found = [recogniser.find(p.text, p.span) for p in pieces]
        return found, models.identity(name)
    if docs is None:
        return [[] for _ in pieces], f"none: no spaCy pipeline for {language!r} ({INSTALL_HINT})"
    found = [spacy_entities(doc, p) for doc, p in zip(docs, pieces, strict=True)]
    return found, str(installed_pipeline(language))


def _chosen(
    vocabulary: Vocabulary,
    row: np.ndarray,
    ranges: list[Span],
    options: TaggingOptions,
    method: str,
) -> list[TopicTag]:
    order = [i for i in np.argsort(-row) if row[i] >= options.min_score][: options.max_topics]
    return [_tag(vocabulary.tops[i].qcode, vocabulary, float(row[i]), ranges, method)
            for i in order]  # fmt: skip


def _tag(
    qcode: str, vocabulary: Vocabulary, score: float, ranges: list[Span], method: str
) -> TopicTag:
    topic = vocabulary.by_qcode[qcode]
    return TopicTag(
        qcode=qcode, uri=topic.uri, label_fr=topic.name.get("fr", topic.name["en"]),
        label_en=topic.name["en"], level=topic.level, score=round(score, 4), method=method,
        ranges=ranges,
    )  # fmt: skip


def _ranges_of(qcode: str, segments: list[SegmentTags]) -> list[Span]:
    return [(s.start, s.end) for s in segments if any(t.qcode == qcode for t in s.topics)]


def _why_not(transcript: Transcript, language: str | None, words: int) -> str | None:
    if not words:
        return f"empty transcript ({transcript.reason or 'no words'})"
    if language not in SUPPORTED:
        return f"language {language!r} is not covered (taggers know {', '.join(SUPPORTED)})"
    if words < MIN_WORDS:
        return f"too little speech to tag ({words} words)"
    return None


def _empty(transcript: Transcript, language: str | None, tagger: str, reason: str) -> TagSet:
    return TagSet(asset_id=transcript.asset_id, language=language, tagger=tagger, topics=[],
                  segments=[], reason=reason)  # fmt: skip


def _publish(tagset: TagSet, run: StageRun) -> TagSet:
    uris = {
        name: run.publish_text(name, json.dumps(body, ensure_ascii=False, indent=1),
                               "application/json")
        for name, body in [("tags.json", tagset.model_dump(mode="json")),
                           ("ebucore.json", ebucore(tagset))]
    }  # fmt: skip
    return tagset.model_copy(
        update={"json_uri": uris["tags.json"], "ebucore_uri": uris["ebucore.json"]}
    )


def ebucore(tagset: TagSet) -> dict[str, Any]:
    """EBUCore-style subjects, per programme and per part: IPTC topics (their URIs in
    ``@typeLink``, qcodes in ``dc:subject``), then named entities typed by their NER kind."""

    def subjects(tags: list[TopicTag], entities: list[NamedEntity]) -> list[dict[str, Any]]:
        topics = [{"@typeLabel": "IPTC Media Topic", "@typeLink": t.uri, "dc:subject": t.qcode,
                   "dc:title": [{"@xml:lang": "fr", "#text": t.label_fr},
                                {"@xml:lang": "en", "#text": t.label_en}],
                   "@score": t.score} for t in tags]  # fmt: skip
        named = [{"@typeLabel": f"named entity {e.kind}", "dc:subject": e.text, "@score": e.score}
                 for e in entities]  # fmt: skip
        return topics + named

    # part times stay JSON numbers of seconds (ms-exact, so printed exactly): the sidecar is read
    # outside Régie, in the form it has always had
    return {"ebucore:coreMetadata": {
        "@xml:lang": tagset.language,
        "ebucore:subject": subjects(tagset.topics, tagset.entities),
        "ebucore:part": [
            {"@partStartTime": float(s.start), "@partEndTime": float(s.end),
             "ebucore:subject": subjects(s.topics, s.entities), "ebucore:keyword": s.keywords}
            for s in tagset.segments
        ],
    }}  # fmt: skip
