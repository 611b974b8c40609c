"""The review page of a release: a static page for editors, and the data it shows.

An editor approving a programme checks the subtitles, the cuts and the tags against the picture.
The page (``review/index.html``, its script and style, hls.js and dash.js vendored from npm with
their licences) is the same for every release; what differs is ``review/data.json``, built here
from the stage artefacts: shots with their keyframe pictures, cues of every text track, the
transcript's segments, topics and keywords per part, loudness in and out, SSIM per rung, and
what was skipped or refused. Everything is relative to the release folder, so the page works
from any origin, ``file://`` served locally included (``regie review``). Times are JSON numbers of
seconds, the page's own format: the player seeks to numbers, and the artefacts' exact times are
whole milliseconds or frame times, which a double holds to well under a frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from typing import Any

from regie.artefacts import RenditionSet, ShotList, SubtitleCompliance, TagSet, Transcript
from regie.asr.transcript import TranscriptDocument
from regie.package.languages import language_name
from regie.package.webvtt import parse_cues

PAGE_PACKAGE = "regie.package"
PAGE_FOLDER = "review_page"
REVIEW = "review"
SHOT_PICTURE = "review/shots/{:04d}.jpg"


@dataclass(frozen=True)
class ReviewInputs:
    """Artefacts (and texts already read) the page shows; any may be missing."""

    title: str
    asset_id: str
    release: str
    ladder: RenditionSet
    shots: ShotList | None = None
    # (language, the WebVTT text, whether it is a translation)
    subtitles: list[tuple[str, str, bool]] = field(default_factory=list)
    transcript: Transcript | None = None
    document: TranscriptDocument | None = None
    tags: TagSet | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    compliance: list[tuple[str, SubtitleCompliance]] = field(default_factory=list)


def review_data(inputs: ReviewInputs) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data (pure)."""
    ladder = inputs.ladder
    return {
        "title": inputs.title, "asset_id": inputs.asset_id, "release": inputs.release,
        "duration_s": float(ladder.duration), "hls": "../master.m3u8", "dash": "../manifest.mpd",
        "poster": "../" + _name(ladder.poster),
        "language": inputs.transcript.language if inputs.transcript else None,
        "shots": _shots(inputs.shots), "subtitles": _subtitles(inputs.subtitles),
        "transcript": _transcript(inputs.document), "tags": _tags(inputs.tags),
        "quality": _quality(ladder), "notes": notes(inputs),
    }  # fmt: skip


def notes(inputs: ReviewInputs) -> list[str]:
    """What was skipped or refused, in words an editor can act on."""
    said = [f"{stage} skipped: {reason}" for stage, reason in sorted(inputs.skipped.items())]
    if inputs.transcript is not None and inputs.transcript.reason:
        said.append(f"no speech: {inputs.transcript.reason}")
    if inputs.tags is not None and inputs.tags.reason:
        said.append(f"no tags: {inputs.tags.reason}")
    for language, compliance in inputs.compliance:
        if compliance.hard_rule_violations:
            said.append(f"{language} subtitles break {compliance.hard_rule_violations} "
                        "broadcast rule(s)")  # fmt: skip
    return said


def page_files() -> dict[str, bytes]:
    """The static page and its vendored players, by name in the release (``review/...``)."""
    root = resources.files(PAGE_PACKAGE) / PAGE_FOLDER
    found: dict[str, bytes] = {}
    for folder, prefix in ((root, REVIEW), (root / "vendor", f"{REVIEW}/vendor")):
        for entry in folder.iterdir():
            if entry.is_file() and not entry.name.startswith((".", "_")):
                found[f"{prefix}/{entry.name}"] = entry.read_bytes()
    return found


def data_json(inputs: ReviewInputs) -> str:
    return json.dumps(review_data(inputs), ensure_ascii=False, indent=1)


def _shots(shots: ShotList | None) -> list[dict[str, Any]]:
    if shots is None:
        return []
    return [
        {"index": s.index, "start": float(s.start), "end": float(s.end),
         "picture": SHOT_PICTURE.format(s.index).removeprefix(f"{REVIEW}/") if s.keyframe else None}
        for s in shots.shots
    ]  # fmt: skip


def _subtitles(tracks: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    return [
        {"language": language, "label": language_name(language, translated),
         "translation": translated, "cues": [
             {"start": c.start_ms / 1000, "end": c.end_ms / 1000, "text": c.text}
             for c in parse_cues(vtt)]}
        for language, vtt, translated in tracks
    ]  # fmt: skip


def _transcript(document: TranscriptDocument | None) -> list[dict[str, Any]]:
    if document is None:
        return []
    return [{"start": s.start, "end": s.end, "text": s.text.strip()} for s in document.segments]


def _tags(tags: TagSet | None) -> dict[str, Any]:
    if tags is None:
        return {"topics": [], "entities": [], "segments": []}
    return {
        "topics": [_topic(t) for t in tags.topics],
        "entities": [{"text": e.text, "kind": e.kind, "count": e.count,
                      "ranges": _numbers(e.ranges)} for e in tags.entities],
        "segments": [{"start": float(s.start), "end": float(s.end), "keywords": s.keywords,
                      "topics": [_topic(t) for t in s.topics],
                      "entities": [e.text for e in s.entities]} for s in tags.segments],
    }  # fmt: skip


def _topic(topic: Any) -> dict[str, Any]:
    return {"qcode": topic.qcode, "fr": topic.label_fr, "en": topic.label_en,
            "score": round(topic.score, 3), "ranges": _numbers(topic.ranges)}  # fmt: skip


def _numbers(ranges: list[tuple[Fraction, Fraction]]) -> list[list[float]]:
    return [[float(start), float(end)] for start, end in ranges]


def _quality(ladder: RenditionSet) -> dict[str, Any]:
    return {
        "encoder": ladder.encoder,
        "loudness_in": ladder.loudness_in.model_dump() if ladder.loudness_in else None,
        "loudness_out": ladder.loudness_out.model_dump() if ladder.loudness_out else None,
        "renditions": [{"name": r.name, "size": f"{r.width}x{r.height}",
                        "kbps": r.bitrate_kbps, "ssim": r.ssim} for r in ladder.renditions],
    }  # fmt: skip


def _name(uri: str) -> str:
    """The file name of a transcode output inside the package (poster.jpg)."""
    return uri.rsplit("/", 1)[-1]
