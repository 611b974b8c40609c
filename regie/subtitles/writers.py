"""Subtitle writers sharing one base: WebVTT, SRT and EBU-TT-D (EBU Tech 3380 TTML).

Each writer renders a list of cues to text; times are the cues' integer milliseconds, so every
format carries exactly the same frame-snapped timing.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from regie.subtitles.cues import Cue

TT = "http://www.w3.org/ns/ttml"
NAMESPACES = {
    "tt": TT,
    "ttp": "http://www.w3.org/ns/ttml#parameter",
    "tts": "http://www.w3.org/ns/ttml#styling",
    "ttm": "http://www.w3.org/ns/ttml#metadata",
    "ebuttm": "urn:ebu:tt:metadata",
    "ebutts": "urn:ebu:tt:style",
}
XML_NS = "http://www.w3.org/XML/1998/namespace"
EBU_TT_D_STANDARD = "urn:ebu:tt:distribution:2018-04"
for _prefix, _uri in NAMESPACES.items():  # once: the prefixes ElementTree writes
    ET.register_namespace(_prefix, _uri)


def clock(ms: int, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (or with a comma for SRT)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


class SubtitleWriter:
    """Base: a header, one block per cue, a footer."""

    extension = ""
    content_type = "text/plain"

    def render(self, cues: Sequence[Cue], language: str | None) -> str:
        blocks = [self.cue_block(index, cue) for index, cue in enumerate(cues, start=1)]
        return self.header(language) + "\n".join(blocks)

    def header(self, language: str | None) -> str:
        return ""

    def cue_block(self, index: int, cue: Cue) -> str:
        raise NotImplementedError


class WebVTTWriter(SubtitleWriter):
    extension = "vtt"
    content_type = "text/vtt; charset=utf-8"

    def header(self, language: str | None) -> str:
        return f"WEBVTT\nLanguage: {language}\n\n" if language else "WEBVTT\n\n"

    def cue_block(self, index: int, cue: Cue) -> str:
        lines = "\n".join(_vtt_text(line) for line in cue.lines)
        return f"{index}\n{clock(cue.start_ms)} --> {clock(cue.end_ms)}\n{lines}\n"


class SRTWriter(SubtitleWriter):
    extension = "srt"
    content_type = "application/x-subrip; charset=utf-8"

    def cue_block(self, index: int, cue: Cue) -> str:
        lines = "\n".join(cue.lines)
        return f"{index}\n{clock(cue.start_ms, ',')} --> {clock(cue.end_ms, ',')}\n{lines}\n"


class EbuTtDWriter(SubtitleWriter):
    """EBU-TT-D: media time base, white text on a translucent black band, bottom region."""

    extension = "ttml"
    content_type = "application/ttml+xml"

    def render(self, cues: Sequence[Cue], language: str | None) -> str:
        root = ET.Element(_tt("tt"), {
            _q("ttp", "timeBase"): "media", _q("ttp", "cellResolution"): "50 30",
            f"{{{XML_NS}}}lang": language or "und",
        })  # fmt: skip
        head = ET.SubElement(root, _tt("head"))
        _metadata(head)
        _styling(head)
        _layout(head)
        division = ET.SubElement(ET.SubElement(root, _tt("body")), _tt("div"),
                                 {"style": "defaultStyle"})  # fmt: skip
        for index, cue in enumerate(cues, start=1):
            _paragraph(division, index, cue)
        ET.indent(root)
        for paragraph in division:  # spaces between spans and breaks would be shown
            paragraph.text = None
            for child in paragraph:
                child.tail = None
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


WRITERS: dict[str, SubtitleWriter] = {
    "webvtt": WebVTTWriter(),
    "srt": SRTWriter(),
    "ebu_tt_d": EbuTtDWriter(),
}


def _vtt_text(line: str) -> str:
    """WebVTT cue text: ``&`` and ``<`` start escapes and tags; ``-->`` may not appear raw."""
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tt(tag: str) -> str:
    return f"{{{TT}}}{tag}"


def _q(prefix: str, name: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{name}"


def _metadata(head: ET.Element) -> None:
    document = ET.SubElement(ET.SubElement(head, _tt("metadata")), _q("ebuttm", "documentMetadata"))
    ET.SubElement(document, _q("ebuttm", "conformsToStandard")).text = EBU_TT_D_STANDARD


def _styling(head: ET.Element) -> None:
    styling = ET.SubElement(head, _tt("styling"))
    ET.SubElement(styling, _tt("style"), {
        f"{{{XML_NS}}}id": "defaultStyle", _q("tts", "fontFamily"): "proportionalSansSerif",
        _q("tts", "fontSize"): "100%", _q("tts", "lineHeight"): "normal",
        _q("tts", "textAlign"): "center", _q("tts", "color"): "#FFFFFF",
    })  # fmt: skip
    ET.SubElement(styling, _tt("style"), {
        f"{{{XML_NS}}}id": "spanStyle", _q("tts", "backgroundColor"): "#000000C2",
        _q("tts", "color"): "#FFFFFF",
    })  # fmt: skip


def _layout(head: ET.Element) -> None:
    ET.SubElement(ET.SubElement(head, _tt("layout")), _tt("region"), {
        f"{{{XML_NS}}}id": "bottom", _q("tts", "origin"): "10% 10%",
        _q("tts", "extent"): "80% 80%", _q("tts", "displayAlign"): "after",
        _q("tts", "writingMode"): "lrtb",
    })  # fmt: skip


def _paragraph(division: ET.Element, index: int, cue: Cue) -> None:
    paragraph = ET.SubElement(division, _tt("p"), {
        f"{{{XML_NS}}}id": f"sub{index}", "region": "bottom",
        "begin": clock(cue.start_ms), "end": clock(cue.end_ms),
    })  # fmt: skip
    for number, line in enumerate(cue.lines):
        if number:
            ET.SubElement(paragraph, _tt("br"))
        ET.SubElement(paragraph, _tt("span"), {"style": "spanStyle"}).text = line
