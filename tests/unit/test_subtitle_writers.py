"""WebVTT, SRT and EBU-TT-D written from real French cues, read back by independent parsers."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pysrt
import pytest
import webvtt
from lxml import etree

from regie.subtitles import Cue, CueRules, build_cues
from regie.subtitles.writers import WRITERS, clock
from tests.speech import proportional_words

TT = "{http://www.w3.org/ns/ttml}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
TTP = "{http://www.w3.org/ns/ttml#parameter}"
TTS = "{http://www.w3.org/ns/ttml#styling}"


@pytest.fixture(scope="module")
def cues(shared_data: Path) -> list[Cue]:
    words = []
    for number in range(3):
        text = (shared_data / "speech" / "fleurs" / f"fleurs-fr-00{number}.txt").read_text()
        words += proportional_words(text.strip(), number * 12_000, number * 12_000 + 10_000)
    return build_cues(words, CueRules())


def test_clock_formats() -> None:
    assert clock(3_723_045) == "01:02:03.045"
    assert clock(59_999, ",") == "00:00:59,999"


def test_webvtt_round_trip(tmp_path: Path, cues: list[Cue]) -> None:
    path = tmp_path / "s.vtt"
    path.write_text(WRITERS["webvtt"].render(cues, "fr"), encoding="utf-8")
    parsed = webvtt.read(str(path))
    assert len(parsed) == len(cues) > 3
    for cue, back in zip(cues, parsed, strict=True):
        assert (back.start, back.end) == (clock(cue.start_ms), clock(cue.end_ms))
        assert tuple(back.text.split("\n")) == cue.lines


def test_srt_round_trip(cues: list[Cue]) -> None:
    parsed = pysrt.from_string(WRITERS["srt"].render(cues, "fr"))
    assert len(parsed) == len(cues)
    for cue, back in zip(cues, parsed, strict=True):
        assert (back.start.ordinal, back.end.ordinal) == (cue.start_ms, cue.end_ms)
        assert tuple(back.text.split("\n")) == cue.lines


def test_ebu_tt_d_structure_and_timing(cues: list[Cue]) -> None:
    document = WRITERS["ebu_tt_d"].render(cues, "fr")
    root = etree.parse(StringIO(document.split("\n", 1)[1])).getroot()  # after the declaration
    assert root.tag == f"{TT}tt" and root.get(f"{TTP}timeBase") == "media"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    head, body = list(root)
    assert [child.tag for child in head] == [f"{TT}metadata", f"{TT}styling", f"{TT}layout"]
    styles = {style.get(XML_ID) for style in head.iter(f"{TT}style")}
    regions = {region.get(XML_ID) for region in head.iter(f"{TT}region")}
    assert styles == {"defaultStyle", "spanStyle"} and regions == {"bottom"}
    paragraphs = list(body.iter(f"{TT}p"))
    assert len(paragraphs) == len(cues)
    for cue, p in zip(cues, paragraphs, strict=True):
        assert (p.get("begin"), p.get("end")) == (clock(cue.start_ms), clock(cue.end_ms))
        assert p.get("region") in regions
        spans = p.findall(f"{TT}span")
        assert tuple(span.text for span in spans) == cue.lines
        assert {span.get("style") for span in spans} <= styles
        assert len(p.findall(f"{TT}br")) == len(cue.lines) - 1
        assert p.text is None and all(child.tail is None for child in p)  # no stray spaces


def test_special_characters_are_escaped_not_lost() -> None:
    cue = Cue(start_ms=0, end_ms=2000, lines=("Tom & Jerry <live>", "« --> »"))
    ttml = WRITERS["ebu_tt_d"].render([cue], "fr")
    span_texts = [s.text for s in etree.fromstring(ttml.encode()).iter(f"{TT}span")]
    assert span_texts == ["Tom & Jerry <live>", "« --> »"]
    vtt_text = WRITERS["webvtt"].render([cue], "fr").split("\n", 5)[5]
    assert vtt_text == "Tom &amp; Jerry &lt;live&gt;\n« --&gt; »\n"


def test_an_empty_track_is_still_a_valid_file() -> None:
    assert WRITERS["webvtt"].render([], None) == "WEBVTT\n\n"
    assert WRITERS["srt"].render([], None) == ""
    root = etree.fromstring(WRITERS["ebu_tt_d"].render([], None).encode())
    assert root.find(f"{TT}body/{TT}div") is not None and not list(root.iter(f"{TT}p"))
