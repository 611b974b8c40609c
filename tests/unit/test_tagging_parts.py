"""Tagging's pure parts: the packaged vocabulary, topical segments and keywords."""

from __future__ import annotations

from importlib import resources

from regie.asr.transcript import TranscriptSegment
from regie.tagging.keywords import keywords
from regie.tagging.segments import topical_segments
from regie.tagging.vocabulary import load_vocabulary


def _speech(starts: list[float], length: float = 9.0) -> list[TranscriptSegment]:
    return [TranscriptSegment(start=s, end=s + length, text=f"phrase {i}", words=[])
            for i, s in enumerate(starts)]  # fmt: skip


def test_vocabulary_has_the_17_top_level_topics_in_both_languages() -> None:
    vocabulary = load_vocabulary()
    assert len(vocabulary.tops) == 17 and len(vocabulary.topics) == 1099  # retired ones left out
    assert all(t.name.get("fr") and t.name.get("en") for t in vocabulary.tops)
    soccer = vocabulary.by_qcode["medtop:20001065"]
    assert soccer.name == {"fr": "Football", "en": "soccer"} and soccer.level == 3
    assert vocabulary.top_of("medtop:20001065").qcode == "medtop:15000000"
    attribution = resources.files("regie.tagging").joinpath("data").joinpath("ATTRIBUTION.txt")
    assert "CC" in attribution.read_text() or "Creative Commons" in attribution.read_text()


def test_segments_close_on_a_cut_after_a_minute_and_never_exceed_three() -> None:
    speech = _speech([i * 10.0 for i in range(40)])  # 400 s of 9 s sentences, 1 s pauses
    pieces = topical_segments(speech, cuts=[69.5, 250.0])
    assert [p.start for p in pieces][:2] == [0.0, 70.0]  # closed at the cut in the pause at 69.5
    assert all(p.end - p.start <= 180 for p in pieces)
    assert all(p.end - p.start >= 60 for p in pieces[:-1])
    assert " ".join(p.text for p in pieces) == " ".join(s.text for s in speech)


def test_without_cuts_segments_close_at_the_target_length() -> None:
    pieces = topical_segments(_speech([i * 10.0 for i in range(30)]))
    assert [round(p.end - p.start) for p in pieces] == [99, 99, 99]


def test_keywords_leave_out_french_stop_words_and_prefer_distinctive_terms() -> None:
    texts = [
        "Le Paris Saint-Germain a battu Marseille, et le match au Parc des Princes fut serré.",
        "Le gouvernement a présenté le budget, et le Parlement débattra du budget mardi.",
    ]
    first, second = keywords(texts, "fr")
    assert "budget" in second[:2] and not any("budget" in term for term in first)
    assert not {"le", "et", "des", "au", "du"} & {
        w for term in first + second for w in term.split()
    }
