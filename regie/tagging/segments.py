"""Topical segments: transcript segments grouped into 1-3 minute stretches that end, where they
can, on a shot cut (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from regie.asr.transcript import TranscriptSegment

CUT_SLACK_S = 2.0  # a cut this close to a pause in speech counts as a boundary


class TopicalSegment(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str


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
    return [
        TopicalSegment(start=g[0].start, end=g[-1].end, text=" ".join(p.text for p in g))
        for g in groups
    ]


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
