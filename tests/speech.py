"""Timed words from a reference text, for testing and measuring cue rules without an ASR model."""

from __future__ import annotations

from regie.subtitles import Word

SPEECH_FILL = 0.9  # words take 90% of their share of the time; the rest is pauses


def proportional_words(text: str, start_ms: int, end_ms: int) -> list[Word]:
    """Word times proportional to characters, as a forced aligner would roughly give."""
    tokens = text.split()
    weights = [len(token) + 1 for token in tokens]
    total, clock, words = sum(weights), float(start_ms), []
    for token, weight in zip(tokens, weights, strict=True):
        span = (end_ms - start_ms) * weight / total
        words.append(
            Word(text=token, start_ms=round(clock), end_ms=round(clock + span * SPEECH_FILL))
        )
        clock += span
    return words
