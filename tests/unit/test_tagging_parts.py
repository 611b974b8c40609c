"""Tagging's pure parts: the packaged vocabulary, topical segments and keywords."""

from __future__ import annotations

from importlib import resources

from regie.asr.transcript import TranscribedWord, TranscriptSegment
from regie.tagging.keywords import keywords
from regie.tagging.segments import TopicalSegment, topical_segments
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


def _pieces(texts: list[str], unsure: str = "", target_s: float = 5) -> list[TopicalSegment]:
    """Texts said 10 s apart, the word ``unsure`` heard with a low probability."""
    speech = [
        TranscriptSegment(start=10.0 * i, end=10.0 * i + 9, text=text,
                          words=[TranscribedWord(text=w, start=10.0 * i, end=10.0 * i + 1,
                                                 probability=0.1 if w == unsure else 0.9)
                                 for w in text.split()])
        for i, text in enumerate(texts)
    ]  # fmt: skip
    return topical_segments(speech, min_s=min(target_s, 60), target_s=target_s)


def test_keywords_leave_out_stop_words_and_prefer_distinctive_terms() -> None:
    texts = [
        "The government presented the budget, and Parliament will debate the budget on Tuesday.",
        "Manchester United beat Liverpool, and the match at Anfield was rather tight.",
    ]
    first, second = keywords(_pieces(texts), None, "en")
    assert first[0] == "budget" and not any("budget" in term for term in second)
    assert "Manchester United" in second and "beat" in second and "anfield" in second
    assert not {"the", "and", "at", "rather", "was"} & {
        w for t in first + second for w in t.split()
    }


def test_keywords_never_join_words_across_punctuation_or_keep_an_unsure_word() -> None:
    text = "Ainsi le sport, plutôt santé publique. Cela dit, santé publique et sport scolaire."
    [terms] = keywords(_pieces([text], unsure="scolaire."), None, "fr")
    assert "santé publique" in terms
    assert not [t for t in terms if t in {"sport santé", "ainsi sport", "plutôt", "cela"}]
    assert not [t for t in terms if "scolaire" in t]


def test_a_piece_knows_the_times_of_each_of_its_sentences() -> None:
    [piece] = _pieces(["Paris gagne.", "Lyon perd."], target_s=90)
    assert piece.text == "Paris gagne. Lyon perd."
    assert piece.span_at(0) == (0.0, 9.0) and piece.span_at(piece.text.index("Lyon")) == (
        10.0,
        19.0,
    )
