"""Chunks of speech for Whisper (pure): joining regions, dropping words outside speech."""

from __future__ import annotations

import numpy as np

from regie.asr.audio import SAMPLE_RATE
from regie.asr.speech import Span, first_speech, keep_spoken, plan_chunks, unheard
from regie.asr.transcript import TranscribedWord, TranscriptSegment


def _span(start_s: float, end_s: float) -> Span:
    return Span(round(start_s * SAMPLE_RATE), round(end_s * SAMPLE_RATE))


def test_regions_join_across_short_pauses_up_to_thirty_seconds() -> None:
    regions = [_span(2, 9), _span(9.5, 20), _span(20.4, 31), _span(31.5, 40), _span(45, 46)]
    chunks = plan_chunks(regions, chunk_s=30, join_gap_s=1.0)
    # pauses under 1 s join regions while the chunk stays within 30 s; 4 s of silence splits
    assert chunks == [_span(2, 31), _span(31.5, 40), _span(45, 46)]
    assert all(c.end - c.start <= 30 * SAMPLE_RATE for c in chunks)
    assert plan_chunks([], 30, 1.0) == []


def test_speech_no_word_came_near_is_owed_a_second_decoding() -> None:
    regions = [_span(35.7, 43.3), _span(44.0, 53.0), _span(55.0, 64.0)]
    # the model heard the first sentence of the 35.7-53.0 chunk and stopped; the third region
    # has a 3 s stretch in its middle with no word, and a word 0.2 s from its end
    heard = [(35.8, 36.2), (36.3, 42.8), (55.1, 58.0), (61.6, 63.8)]
    assert unheard(regions, heard, min_s=1.0) == [_span(44.0, 53.0), _span(58.5, 61.1)]
    # speech that words cover from end to end, pauses included, owes nothing
    assert unheard([_span(1.8, 9.2)], [(2.0, 4.0), (4.8, 6.2), (6.9, 8.9)], min_s=1.0) == []
    assert unheard([_span(1.8, 9.2)], [], min_s=1.0) == [_span(1.8, 9.2)]


def _segment(*words: tuple[str, float, float]) -> TranscriptSegment:
    timed = [TranscribedWord(text=t, start=s, end=e) for t, s, e in words]
    return TranscriptSegment(start=timed[0].start, end=timed[-1].end,
                             text=" ".join(t for t, _, _ in words), words=timed)  # fmt: skip


def test_words_outside_speech_are_dropped_and_the_segment_rewritten() -> None:
    spoken = _segment(("Bonjour", 2.0, 2.4), ("à", 2.5, 2.6), ("tous", 2.6, 3.0))
    invented = _segment(("Merci", 6.0, 6.3), ("d'avoir", 6.3, 6.7), ("regardé", 6.7, 7.2))
    mixed = _segment(("Au", 8.9, 9.1), ("revoir", 9.1, 9.5), ("Amara", 12.0, 12.5))
    kept = keep_spoken([spoken, invented, mixed], [_span(1.8, 3.2), _span(8.8, 10)])
    assert kept[0] == spoken
    assert [w.text for s in kept for w in s.words] == ["Bonjour", "à", "tous", "Au", "revoir"]
    assert kept[1].text == "Au revoir" and kept[1].end == 9.5


def test_language_is_detected_on_speech_not_on_what_comes_before_it() -> None:
    samples = np.concatenate([np.full(SAMPLE_RATE * 5, 0.5), np.full(SAMPLE_RATE * 40, 0.1)])
    voiced = first_speech(samples, [_span(5, 45)], seconds=30)
    assert len(voiced) == 30 * SAMPLE_RATE and np.all(voiced == np.float64(0.1))
