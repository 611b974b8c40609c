"""The transcript document: segments of timed words, the same whichever backend produced them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2
Task = Literal["transcribe", "translate"]


class TranscribedWord(BaseModel):
    """A word with its times in seconds from the start of the programme."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The word without surrounding spaces.")
    start: float
    end: float
    probability: float | None = Field(None, description="Decoder confidence, if known.")
    glued: bool = Field(
        False,
        description="Written against the word before, with no space, as the model gave it "
        "(the second half of an elision or a compound: l|'accord, États|-Unis).",
    )


def join_words(words: Iterable[TranscribedWord]) -> str:
    """The words as written: a space before each, except those glued to the one before."""
    return "".join(("" if w.glued or not i else " ") + w.text for i, w in enumerate(words))


class TranscriptSegment(BaseModel):
    """A stretch of speech as the decoder produced it."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str
    words: list[TranscribedWord]

    def shifted(self, offset: float) -> TranscriptSegment:
        """The same segment ``offset`` seconds later (windows are decoded from zero)."""
        return TranscriptSegment(
            start=round(self.start + offset, 3), end=round(self.end + offset, 3), text=self.text,
            words=[
                w.model_copy(update={"start": round(w.start + offset, 3),
                                     "end": round(w.end + offset, 3)})
                for w in self.words
            ],
        )  # fmt: skip


class TranscriptDocument(BaseModel):
    """Everything recognised in one asset, written as ``transcript.json``."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    asset_id: str
    language: str | None = Field(description="ISO 639-1 code; None when nothing was spoken.")
    language_probability: float | None = None
    task: Task = Field(
        "transcribe", description="translate: the text is English, whatever was spoken."
    )
    duration: float = Field(description="Seconds of audio listened to.")
    speech_s: float | None = Field(None, description="Seconds of it that voice activity kept.")
    backend: str
    model: str
    model_digest: str
    segments: list[TranscriptSegment]
    reason: str | None = Field(None, description="Why the transcript is empty, when it is.")

    @property
    def words(self) -> list[TranscribedWord]:
        return [word for segment in self.segments for word in segment.words]

    @property
    def text(self) -> str:
        return "\n".join(join_words(segment.words) for segment in self.segments)


def segments_from_words(
    words: list[TranscribedWord], pause_s: float = 1.0
) -> list[TranscriptSegment]:
    """Segments for backends that give only words: a new one after a sentence end or a pause."""
    segments: list[TranscriptSegment] = []
    current: list[TranscribedWord] = []
    for word in words:
        if current and (word.start - current[-1].end > pause_s or _ends_sentence(current[-1])):
            segments.append(_segment(current))
            current = []
        current.append(word)
    return [*segments, _segment(current)] if current else segments


def _ends_sentence(word: TranscribedWord) -> bool:
    return word.text.rstrip().endswith((".", "?", "!", "…"))


def _segment(words: list[TranscribedWord]) -> TranscriptSegment:
    text = join_words(words)
    return TranscriptSegment(start=words[0].start, end=words[-1].end, text=text, words=words)
