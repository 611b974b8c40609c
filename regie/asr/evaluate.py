"""Scoring a transcript against reference passages: WER and per-passage coverage (pure).

Text is normalised as the Whisper papers do (English normaliser for English, the basic one for
other languages) before jiwer counts errors. A passage is a stretch of the programme with its
reference text; the words recognised inside it (by their midpoint, with a little slack) are
scored against it, so a lost or garbled passage shows even when the overall WER looks fine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from regie.asr.transcript import TranscribedWord, join_words

SLACK_S = 0.5


@dataclass(frozen=True)
class Passage:
    """Reference speech between ``start`` and ``end`` seconds."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class PassageScore:
    passage: Passage
    recognised: str
    wer: float
    hits: int
    reference_words: int

    @property
    def coverage(self) -> float:
        """Share of the reference words found, in order."""
        return self.hits / max(1, self.reference_words)


def normaliser(language: str) -> Callable[[str], str]:
    from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer

    return EnglishTextNormalizer() if language == "en" else BasicTextNormalizer()


def wer(references: Sequence[str], hypotheses: Sequence[str], language: str) -> float:
    """Pooled word error rate after normalisation."""
    import jiwer

    norm = normaliser(language)
    return round(jiwer.wer([norm(r) for r in references], [norm(h) for h in hypotheses]), 4)


def score_passages(
    words: Sequence[TranscribedWord], passages: Sequence[Passage], language: str
) -> list[PassageScore]:
    """Each passage scored against the words recognised inside it."""
    import jiwer

    norm = normaliser(language)
    scores = []
    for passage in passages:
        low, high = passage.start - SLACK_S, passage.end + SLACK_S
        inside = [w for w in words if low <= (w.start + w.end) / 2 <= high]
        said, truth = norm(join_words(inside)), norm(passage.text)
        measures = jiwer.process_words(truth, said or "<nothing>")
        scores.append(PassageScore(passage, join_words(inside), round(measures.wer, 4),
                                   measures.hits, len(truth.split())))  # fmt: skip
    return scores
