"""Topical segments: transcript segments grouped into 1-3 minute stretches that end, where they
can, on a shot cut (pure)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from regie.asr.transcript import TranscriptSegment
from regie.timing import seconds

CUT_SLACK_S = 2.0  # a cut this close to a pause in speech counts as a boundary
DOUBTFUL_BELOW = 0.4  # word probability under which a word is likely misheard


class TopicalSegment(BaseModel):
    """A stretch of the programme: its text, and where each transcript segment lies in it."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str
    parts: list[tuple[int, float, float]] = Field(
        default_factory=list, description="(character offset, start, end) of each piece of speech."
    )
    doubtful: list[tuple[int, int]] = Field(
        default_factory=list, description="Character spans of words the ASR was unsure of."
    )

    def doubtful_at(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.doubtful)

    @property
    def span(self) -> tuple[Fraction, Fraction]:
        """Where the segment lies, in the exact seconds artefacts carry."""
        return seconds(self.start), seconds(self.end)

    def span_at(self, offset: int) -> tuple[Fraction, Fraction]:
        """The times of the piece of speech holding the character at ``offset``, exact."""
        starts = [part[0] for part in self.parts]
        if not starts:
            return self.span
        _, start, end = self.parts[max(bisect_right(starts, offset) - 1, 0)]
        return seconds(start), seconds(end)


def topical_segments(
    speech: Sequence[TranscriptSegment],
    cuts: Sequence[float] = (),
    min_s: float = 60.0,
    target_s: float = 90.0,
    max_s: float = 180.0,
) -> list[TopicalSegment]:
    """Close a segment after ``min_s`` at a pause on a shot cut, after ``target_s`` at any pause,
    and always before ``max_s``."""
    groups: list[list[TranscriptSegment]] = []
    current: list[TranscriptSegment] = []
    for piece in speech:
        if current and _closes(current, piece, cuts, min_s, target_s, max_s):
            groups.append(current)
            current = []
        current.append(piece)
    groups += [current] if current else []
    return [_joined(group) for group in groups]


def _joined(group: list[TranscriptSegment]) -> TopicalSegment:
    parts, doubtful, offset = [], [], 0
    for piece in group:
        parts.append((offset, piece.start, piece.end))
        doubtful += [(offset + start, offset + end) for start, end in _doubtful(piece)]
        offset += len(piece.text) + 1  # the space that joins it to the next
    text = " ".join(piece.text for piece in group)
    return TopicalSegment(start=group[0].start, end=group[-1].end, text=text, parts=parts,
                          doubtful=doubtful)  # fmt: skip


def _doubtful(piece: TranscriptSegment) -> list[tuple[int, int]]:
    """Where the unsure words are in the segment's text (found in order, as written there)."""
    spans, cursor = [], 0
    for word in piece.words:
        token = word.text.strip()
        at = piece.text.find(token, cursor) if token else -1
        if at < 0:
            continue
        cursor = at + len(token)
        if word.probability is not None and word.probability < DOUBTFUL_BELOW:
            spans.append((at, cursor))
    return spans


def _closes(
    current: list[TranscriptSegment],
    following: TranscriptSegment,
    cuts: Sequence[float],
    min_s: float,
    target_s: float,
    max_s: float,
) -> bool:
    length = current[-1].end - current[0].start
    if following.end - current[0].start > max_s:
        return True
    pause = (current[-1].end - CUT_SLACK_S, following.start + CUT_SLACK_S)
    on_cut = any(pause[0] <= cut <= pause[1] for cut in cuts)
    return length >= target_s or (length >= min_s and on_cut)
