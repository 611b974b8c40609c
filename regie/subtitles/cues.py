"""Broadcast subtitle cues from timed words (pure): French SDH rules by default, all configurable.

Words are grouped greedily into cues that fit two lines of 42 characters and 7 seconds, preferring
to end a cue at a sentence end; a cue whose speech spans a shot cut is then split at the word
boundary nearest the cut. Each cue's lines are broken
where they are most balanced without leaving an article, preposition or conjunction at the end of
a line. Times are integer milliseconds on the video's frame grid: a cue is held long enough to be
read (the French charter's table: 12 characters in 1 s, 20 in 2 s, 36 in 3 s, 60 in 4 s), at
least 1 s, at most 7 s, and ends 2 frames before the next cue or shot cut; an edge within 12
frames of a cut moves onto it (a start on the cut, an end 2 frames before it).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from regie.timing import Rational

SENTENCE_END = (".", "?", "!", "…")
CLAUSE_END = (",", ";", ":")
# Words a line must not end with (French first, then English).
_WEAK_TEXT = """
le la les l' un une des de du d' à au aux et ou en par pour sur dans avec sans sous
que qu' qui ne n' se s' ce c' ces son sa ses leur leurs mon ma mes ton ta tes notre nos votre vos
the a an of to and or in on at by for with from as but that
"""
WEAK_WORDS = frozenset(_WEAK_TEXT.split())
READING_TABLE = ((12, 1000), (20, 2000), (36, 3000), (60, 4000))


class Word(BaseModel):
    """A recognised word with its times in milliseconds."""

    model_config = ConfigDict(frozen=True)

    text: str
    start_ms: int
    end_ms: int


class Cue(BaseModel):
    """One subtitle: lines shown together from ``start_ms`` to ``end_ms``."""

    model_config = ConfigDict(frozen=True)

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]

    @property
    def chars(self) -> int:
        return len(" ".join(self.lines))

    @property
    def cps(self) -> float:
        return self.chars * 1000 / max(1, self.end_ms - self.start_ms)


class CueRules(BaseModel):
    """Limits of a subtitle style (defaults: French broadcast, Netflix FR line length)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_lines: int = 2
    max_chars: int = Field(42, description="Characters per line (37 for a TV profile).")
    max_cps: float = Field(17.0, description="Reading speed limit, characters per second.")
    min_ms: int = 1000
    max_ms: int = 7000
    min_gap_frames: int = 2
    cut_snap_frames: int = 12
    pause_ms: int = Field(1000, description="A silence this long ends a cue.")
    frame_rate: Rational = Fraction(25)

    def frames_ms(self, frames: int) -> int:
        return round(frames * 1000 / self.frame_rate)


def build_cues(words: Sequence[Word], rules: CueRules, cuts_ms: Sequence[int] = ()) -> list[Cue]:
    """Cues for ``words`` that follow ``rules`` and never cross a cut in ``cuts_ms`` (pure)."""
    cuts = sorted(cuts_ms)
    spoken = group_words(split_long_words(glue_punctuation(words), rules.max_chars), rules)
    groups = [part for group in spoken for part in split_at_cuts(group, cuts, rules)]
    cues = _timed(groups, cuts, rules)
    while (merged := _merge_one_fragment(groups, cues, cuts, rules)) is not None:
        groups = merged
        cues = _timed(groups, cuts, rules)
    return cues


def glue_punctuation(words: Sequence[Word]) -> list[Word]:
    """Tokens without a letter or digit (a closing ``»``, a dash) belong to the word before."""
    glued: list[Word] = []
    for word in words:
        if not word.text.strip():
            continue
        if glued and not any(char.isalnum() for char in word.text):
            last = glued[-1]
            glued[-1] = Word(text=f"{last.text} {word.text}", start_ms=last.start_ms,
                             end_ms=max(last.end_ms, word.end_ms))  # fmt: skip
        else:
            glued.append(word)
    return glued


def split_long_words(words: Sequence[Word], max_chars: int) -> list[Word]:
    """A token longer than a line (a URL, a run of glued symbols) is cut into line-sized pieces,
    its time shared between them, so that every group can be broken into lines."""
    pieces: list[Word] = []
    for word in words:
        if len(word.text) <= max_chars:
            pieces.append(word)
            continue
        parts = [word.text[i : i + max_chars] for i in range(0, len(word.text), max_chars)]
        span = (word.end_ms - word.start_ms) / len(parts)
        pieces += [
            Word(text=part, start_ms=round(word.start_ms + i * span),
                 end_ms=round(word.start_ms + (i + 1) * span))
            for i, part in enumerate(parts)
        ]  # fmt: skip
    return pieces


def _timed(groups: list[list[Word]], cuts: list[int], rules: CueRules) -> list[Cue]:
    cues: list[Cue] = []
    gap = rules.frames_ms(rules.min_gap_frames)
    for index, group in enumerate(groups):
        following = groups[index + 1][0].start_ms if index + 1 < len(groups) else None
        lines = break_lines([w.text for w in group], rules)
        assert lines is not None  # groups are only made or merged when they fit
        start, end = _timing(group, len(" ".join(lines)), following, cuts, rules)
        if cues and start < cues[-1].end_ms + gap:
            start = cues[-1].end_ms + gap
        cues.append(Cue(start_ms=start, end_ms=max(end, start + rules.frames_ms(1)), lines=lines))
    return cues


def _merge_one_fragment(
    groups: list[list[Word]], cues: list[Cue], cuts: list[int], rules: CueRules
) -> list[list[Word]] | None:
    """Join the first too-fast cue to a neighbour in the same shot when the result still fits."""
    for index, cue in enumerate(cues):
        if cue.cps <= rules.max_cps:
            continue
        for other in (index - 1, index + 1):
            if not 0 <= other < len(groups):
                continue
            first, second = sorted((index, other))
            joined = groups[first] + groups[second]
            if _fits(joined, rules) and not _cut_inside(joined, cuts):
                return [*groups[:first], joined, *groups[second + 1 :]]
    return None


def _fits(group: list[Word], rules: CueRules) -> bool:
    span_ok = group[-1].end_ms - group[0].start_ms <= rules.max_ms
    return span_ok and break_lines([w.text for w in group], rules) is not None


def _cut_inside(group: list[Word], cuts: list[int]) -> bool:
    return any(group[0].start_ms < cut < group[-1].end_ms for cut in cuts)


def group_words(words: Sequence[Word], rules: CueRules) -> list[list[Word]]:
    """Greedy grouping: a new cue when full or too long, or after a sentence end."""
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current and _must_break(current, word, rules):
            groups.append(current)
            current = []
        current.append(word)
    return [*groups, current] if current else groups


def break_lines(texts: Sequence[str], rules: CueRules) -> tuple[str, ...] | None:
    """The most balanced lines for ``texts``, or None when they cannot fit ``rules``."""
    one = " ".join(texts)
    if len(one) <= rules.max_chars:
        return (one,)
    if rules.max_lines < 2:
        return None
    best: tuple[float, tuple[str, str]] | None = None
    for split in range(1, len(texts)):
        first, second = " ".join(texts[:split]), " ".join(texts[split:])
        if len(first) > rules.max_chars or len(second) > rules.max_chars:
            continue
        score = abs(len(first) - len(second)) + (40 if _is_weak(texts[split - 1]) else 0)
        score -= 15 if texts[split - 1].endswith(SENTENCE_END + CLAUSE_END) else 0
        if best is None or score < best[0]:
            best = (score, (first, second))
    return best[1] if best else None


def reading_ms(chars: int) -> int:
    """Time to read ``chars`` characters: the French charter's table, linear in between."""
    points = [(0, 0), *READING_TABLE]
    for (c0, t0), (c1, t1) in itertools.pairwise(points):
        if chars <= c1:
            return round(t0 + (t1 - t0) * (chars - c0) / (c1 - c0))
    c_last, t_last = READING_TABLE[-1]
    return round(t_last + (chars - c_last) * 1000 / 15)  # the table's last pace: 15 chars/s


def split_at_cuts(group: list[Word], cuts: list[int], rules: CueRules) -> list[list[Word]]:
    """Split a group at each cut well inside its speech: words mostly spoken after it move on.

    A cut within ``cut_snap_frames`` of the group's first or last word is left to the timing,
    which moves that edge onto the cut, rather than making a cue of a word or two.
    """
    snap = rules.frames_ms(rules.cut_snap_frames)
    first, last = group[0].start_ms + snap, group[-1].end_ms - snap
    inside = [cut for cut in cuts if first < cut < last]
    if not inside or len(group) < 2:
        return [group]
    # the first word mostly spoken after the cut opens the second part
    middles = [(w.start_ms + w.end_ms) / 2 for w in group]
    at = min(max(1, bisect.bisect_left(middles, inside[0])), len(group) - 1)
    return [group[:at], *split_at_cuts(group[at:], cuts, rules)]


def _must_break(current: list[Word], word: Word, rules: CueRules) -> bool:
    if word.start_ms - current[-1].end_ms > rules.pause_ms:
        return True
    if word.end_ms - current[0].start_ms > rules.max_ms:
        return True
    if break_lines([w.text for w in [*current, word]], rules) is None:
        return True
    previous = current[-1].text
    filled = len(" ".join(w.text for w in current)) / (rules.max_chars * rules.max_lines)
    return previous.endswith(SENTENCE_END) or (previous.endswith(CLAUSE_END) and filled > 0.6)


def _timing(
    group: list[Word], chars: int, following: int | None, cuts: list[int], rules: CueRules
) -> tuple[int, int]:
    """Start and end on the frame grid, held for reading, kept off the next cue and cut."""
    snap = rules.frames_ms(rules.cut_snap_frames)
    start = _to_frame(group[0].start_ms, rules)
    near = [c for c in cuts if abs(c - start) <= snap]
    start = near[-1] if near else start  # on the cut, even if the first word began just before
    wanted = max(group[-1].end_ms, start + max(rules.min_ms, reading_ms(chars)))
    limit = start + rules.max_ms
    if following is not None:
        limit = min(limit, _to_frame(following, rules) - rules.frames_ms(rules.min_gap_frames))
    next_cut = next((c for c in cuts if c > start), None)
    if next_cut is not None:  # end 2 frames before the cut, and on it when close (Netflix style)
        before_cut = next_cut - rules.frames_ms(rules.min_gap_frames)
        limit = min(limit, before_cut)
        if abs(before_cut - wanted) <= snap:
            wanted = before_cut
    return start, _to_frame(min(wanted, limit), rules)


def _to_frame(ms: int, rules: CueRules) -> int:
    frame = Fraction(1000) / rules.frame_rate
    return round(round(ms / frame) * frame)


def _is_weak(word: str) -> bool:
    return word.lower().strip('«»"“”()') in WEAK_WORDS
