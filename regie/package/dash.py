"""The DASH side of a package: an MPD that says what the segments are (pure, XML in and out).

ffmpeg's MPD declares ``maxSegmentDuration`` from its target rather than from its own timeline,
and ``bitstreamSwitching="true"`` although every Representation has its own init segment. These
builders correct both, add the scrubbing thumbnails as a DASH-IF tiled image AdaptationSet, give
the audio its language, and add one text AdaptationSet per subtitle file (sidecar WebVTT and
EBU-TT-D, each with ``lang``, a ``Role`` and a ``Label``).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

NS = "urn:mpeg:dash:schema:mpd:2011"
ROLE_SCHEME = "urn:mpeg:dash:role:2011"
THUMBNAIL_SCHEME = "http://dashif.org/thumbnail_tile"
TRANSLATION_SCHEME = "urn:regie:role:translation"  # an extra Role; players ignore unknown schemes
AUDIO_PURPOSE = ("urn:tva:metadata:cs:AudioPurposeCS:2007", "1")  # audio description
ET.register_namespace("", NS)


@dataclass(frozen=True)
class Thumbnails:
    """Sprite sheets of ``columns`` x ``rows`` tiles, one tile every ``interval_s``."""

    media: str  # template, e.g. thumbnails/sprite-$Number%04d$.jpg
    interval_s: int
    columns: int
    rows: int
    tile_width: int
    tile_height: int
    bandwidth: int = 0  # the largest sheet's bits over the time it covers, once measured

    @property
    def sheet_s(self) -> int:
        return self.interval_s * self.columns * self.rows


@dataclass(frozen=True)
class TextFile:
    """One subtitle file offered to DASH players as a sidecar Representation."""

    uri: str
    mime_type: str  # text/vtt or application/ttml+xml
    language: str
    label: str
    bandwidth: int
    translation: bool = False
    codecs: str | None = None  # im1t for EBU-TT-D (IMSC1 Text)


def finish_mpd(text: str, thumbnails: Thumbnails | None) -> str:
    """Honest maxSegmentDuration and bitstreamSwitching, plus the thumbnails track."""
    root = ET.fromstring(text)
    for adaptation in root.iter(_q("AdaptationSet")):
        if not _one_init(adaptation):
            adaptation.attrib.pop("bitstreamSwitching", None)
    if thumbnails is not None:
        _add_thumbnails(_period(root), thumbnails)
    root.set("maxSegmentDuration", iso_duration(max_segment_s(root)))  # thumbnail sheets included
    return _dump(root)


def name_tracks(text: str, audio_language: str, texts: Sequence[TextFile]) -> str:
    """The programme mix's language (the first audio set; other versions keep theirs), and one
    text AdaptationSet per subtitle file."""
    root = ET.fromstring(text)
    period = _period(root)
    audio = [a for a in period.findall(_q("AdaptationSet")) if a.get("contentType") == "audio"]
    for adaptation in period.findall(_q("AdaptationSet")):
        if adaptation.get("contentType") == "text":
            period.remove(adaptation)
    if audio:
        audio[0].set("lang", audio_language)
        _role(audio[0], "main")
    next_id = 1 + max(int(a.get("id", "0")) for a in period.findall(_q("AdaptationSet")))
    for offset, file in enumerate(texts):
        _add_text(period, next_id + offset, file)
    return _dump(root)


def max_segment_s(root: ET.Element) -> float:
    """The longest segment any SegmentTimeline holds, in seconds."""
    longest = 0.0
    for template in root.iter(_q("SegmentTemplate")):
        timescale = int(template.get("timescale", "1"))
        if template.get("duration"):
            longest = max(longest, int(template.get("duration", "0")) / timescale)
        for entry in template.iter(_q("S")):
            longest = max(longest, int(entry.get("d", "0")) / timescale)
    return longest


def iso_duration(seconds: float) -> str:
    """``PT8.000S``: rounded up to the millisecond, so it is never below the truth."""
    return f"PT{math.ceil(seconds * 1000) / 1000:.3f}S"


def _one_init(adaptation: ET.Element) -> bool:
    """True when every Representation shares one init segment (bitstream switching possible)."""
    shared = adaptation.find(_q("SegmentTemplate"))
    inits = set()
    for representation in adaptation.iter(_q("Representation")):
        template = representation.find(_q("SegmentTemplate"))
        template = shared if template is None else template
        if template is not None:
            name = template.get("initialization", "")
            inits.add(name.replace("$RepresentationID$", representation.get("id", "")))
    return len(inits) <= 1


def _add_thumbnails(period: ET.Element, thumbs: Thumbnails) -> None:
    ids = [int(a.get("id", "0")) for a in period.findall(_q("AdaptationSet"))]
    adaptation = ET.SubElement(period, _q("AdaptationSet"), {
        "id": str(max(ids, default=-1) + 1), "contentType": "image", "mimeType": "image/jpeg",
    })  # fmt: skip
    ET.SubElement(adaptation, _q("SegmentTemplate"), {
        "media": thumbs.media, "timescale": "1", "startNumber": "1",
        "duration": str(thumbs.sheet_s),
    })  # fmt: skip
    representation = ET.SubElement(adaptation, _q("Representation"), {
        "id": "thumbnails", "bandwidth": str(thumbs.bandwidth),
        "width": str(thumbs.tile_width * thumbs.columns),
        "height": str(thumbs.tile_height * thumbs.rows),
    })  # fmt: skip
    ET.SubElement(representation, _q("EssentialProperty"), {
        "schemeIdUri": THUMBNAIL_SCHEME, "value": f"{thumbs.columns}x{thumbs.rows}",
    })  # fmt: skip


def _add_text(period: ET.Element, index: int, file: TextFile) -> None:
    adaptation = ET.SubElement(period, _q("AdaptationSet"), {
        "id": str(index), "contentType": "text", "mimeType": file.mime_type,
        "lang": file.language,
    })  # fmt: skip
    ET.SubElement(adaptation, _q("Label")).text = file.label
    _role(adaptation, "subtitle")
    if file.translation:
        ET.SubElement(adaptation, _q("Role"), {"schemeIdUri": TRANSLATION_SCHEME, "value": "yes"})
    attributes = {"id": f"text-{index}", "bandwidth": str(file.bandwidth)}
    if file.codecs:
        attributes["codecs"] = file.codecs
    representation = ET.SubElement(adaptation, _q("Representation"), attributes)
    ET.SubElement(representation, _q("BaseURL")).text = file.uri


def describe_audio(text: str, languages: Sequence[str], descriptions: Sequence[bool]) -> str:
    """Each audio AdaptationSet's language, and the Accessibility descriptor (DVB/DASH-IF:
    AudioPurposeCS 1, for the visually impaired) on audio descriptions, in audio order."""
    root = ET.fromstring(text)
    sets = [a for a in root.iter(_q("AdaptationSet")) if a.get("contentType") == "audio"]
    for adaptation, language, described in zip(sets, languages, descriptions, strict=True):
        adaptation.set("lang", language)
        if described:
            children = list(adaptation)
            role = next((i for i, c in enumerate(children) if c.tag == _q("Role")), 0)
            scheme, value = AUDIO_PURPOSE
            descriptor = ET.Element(_q("Accessibility"), {"schemeIdUri": scheme, "value": value})
            adaptation.insert(role, descriptor)  # the schema orders Accessibility before Role
    return _dump(root)


def _role(adaptation: ET.Element, value: str) -> None:
    """A DASH Role, placed before segment information as the schema orders an AdaptationSet."""
    for old in adaptation.findall(_q("Role")):
        if old.get("schemeIdUri") == ROLE_SCHEME:
            adaptation.remove(old)
    later = {_q(t) for t in ("BaseURL", "SegmentBase", "SegmentTemplate", "Representation")}
    children = list(adaptation)
    position = next((i for i, c in enumerate(children) if c.tag in later), len(children))
    adaptation.insert(
        position, ET.Element(_q("Role"), {"schemeIdUri": ROLE_SCHEME, "value": value})
    )


def _period(root: ET.Element) -> ET.Element:
    period = root.find(_q("Period"))
    if period is None:
        raise ValueError("the MPD has no Period")
    return period


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _dump(root: ET.Element) -> str:
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue().decode()
