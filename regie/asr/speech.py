"""Where the speech is: voice activity (Silero VAD) and the chunks Whisper decodes one by one.

Whisper decoding a long stream window after window drifts: it skips speech that opens a window
after music or silence, and invents text where nobody speaks ("Sous-titres réalisés par…").
As WhisperX and faster-whisper's batched pipeline do, speech is found first and each chunk of it
(30 s at most, Whisper's context) is decoded on its own, starting where speech starts. Chunks are
contiguous stretches of the programme, so a chunk's times map back by one offset; words the model
places outside every speech region are dropped as invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from regie.asr.audio import SAMPLE_RATE
from regie.asr.transcript import TranscriptSegment, join_words
from regie.errors import PermanentError

WHISPER_CONTEXT_S = 30.0


class VadSettings(BaseModel):
    """How speech is told from music, jingles and silence (Silero VAD)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(0.5, description="Speech probability above which a frame is speech.")
    min_silence_ms: int = Field(500, description="A pause this long ends a speech region.")
    pad_ms: int = Field(400, description="Audio kept either side of each speech region.")
    chunk_s: float = Field(WHISPER_CONTEXT_S, le=WHISPER_CONTEXT_S, description="Longest chunk.")
    # A pause over a second mostly ends a sentence or a speaker's turn: decoded apart, one
    # stretch of speech cannot pull the next one's words into its own context.
    join_gap_s: float = Field(
        1.0, description="Regions further apart than this are decoded in separate chunks."
    )
    # Whisper may end a chunk early: it hears the first sentence, emits end-of-text and drops the
    # rest (seen on a 17 s chunk of two read sentences, the second never decoded).
    unheard_s: float = Field(
        1.0, gt=0, description="Speech this long with no word recognised is decoded again alone."
    )


@dataclass(frozen=True)
class Span:
    """A stretch of audio in samples, [start, end)."""

    start: int
    end: int


def speech_regions(samples: np.ndarray, settings: VadSettings) -> list[Span]:
    """Speech in ``samples``, each region at most ``chunk_s`` long (split at a pause if it can).

    Raises:
        PermanentError: faster-whisper, which carries the Silero model, is not installed.
    """
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError as error:
        hint = "install Régie with the asr extra: pip install 'regie[asr]'"
        raise PermanentError(
            "vad", "voice activity needs faster-whisper (Silero VAD)", hint
        ) from error

    options = VadOptions(
        threshold=settings.threshold, min_silence_duration_ms=settings.min_silence_ms,
        speech_pad_ms=settings.pad_ms, max_speech_duration_s=settings.chunk_s,
    )  # fmt: skip
    found = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [Span(region["start"], region["end"]) for region in found]


def plan_chunks(regions: list[Span], chunk_s: float, join_gap_s: float) -> list[Span]:
    """Neighbouring regions joined into contiguous chunks no longer than ``chunk_s`` (pure)."""
    limit, gap = int(chunk_s * SAMPLE_RATE), int(join_gap_s * SAMPLE_RATE)
    chunks: list[Span] = []
    for region in regions:
        joinable = chunks and region.start - chunks[-1].end <= gap
        if joinable and region.end - chunks[-1].start <= limit:
            chunks[-1] = Span(chunks[-1].start, region.end)
        else:
            chunks.append(region)
    return chunks


def keep_spoken(
    segments: list[TranscriptSegment], regions: list[Span], tolerance_s: float = 0.2
) -> list[TranscriptSegment]:
    """Segments with only the words that overlap a speech region (times in seconds, same origin)."""
    spans = [(r.start / SAMPLE_RATE - tolerance_s, r.end / SAMPLE_RATE + tolerance_s)
             for r in regions]  # fmt: skip
    kept: list[TranscriptSegment] = []
    for segment in segments:
        words = [w for w in segment.words if any(w.start < e and w.end > s for s, e in spans)]
        if len(words) == len(segment.words):
            kept.append(segment)
        elif words:
            kept.append(TranscriptSegment(start=words[0].start, end=words[-1].end,
                                          text=join_words(words), words=words))  # fmt: skip
    return kept


def unheard(
    regions: list[Span], heard: list[tuple[float, float]], min_s: float, margin_s: float = 0.5
) -> list[Span]:
    """Stretches of speech at least ``min_s`` long that no recognised word comes within
    ``margin_s`` of (pure; ``heard`` in seconds from the regions' origin): where the model stopped
    early and a second decoding is owed."""
    words = sorted((int((s - margin_s) * SAMPLE_RATE), int((e + margin_s) * SAMPLE_RATE))
                   for s, e in heard)  # fmt: skip
    shortest = int(min_s * SAMPLE_RATE)
    holes: list[Span] = []
    for region in regions:
        start = region.start
        for word_start, word_end in words:
            if word_end <= start or word_start >= region.end:
                continue
            if word_start - start >= shortest:
                holes.append(Span(start, word_start))
            start = max(start, word_end)
        if region.end - start >= shortest:
            holes.append(Span(start, region.end))
    return holes


def first_speech(samples: np.ndarray, regions: list[Span], seconds: float = 30.0) -> np.ndarray:
    """Up to ``seconds`` of speech, regions put end to end: what language detection listens to."""
    voiced = np.concatenate([samples[r.start : r.end] for r in regions]) if regions else samples
    return voiced[: int(seconds * SAMPLE_RATE)]
