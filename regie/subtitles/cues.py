"""Broadcast subtitle cues from timed words (pure): French broadcast rules by default, configurable.

Words become written tokens first (``tokens.py``: elisions and compounds are never split). Where
cues break is then chosen for the whole stretch at once (a shortest path over break points, as
Knuth and Plass break paragraphs): every cue fits two lines of 42 characters and 7 seconds; the
path avoids, by falling cost, a cue under 1 s, a cue ending on an article or preposition, a
fragment of a few words, a cue read faster than 17 characters/s, a cue across a shot cut, and a
break away from a pause or a sentence end. A cue crosses a cut only where a split would be worse
(BBC practice), and says why. Times are integer milliseconds on the video's frame grid: a cue is
held to be read (the French charter's table: 12 characters in 1 s, 20 in 2 s, 36 in 3 s, 60 in
4 s, and the speed limit), at least 1 s, at most 7 s, for up to 1 s after its last word, and ends
2 frames before the next cue or shot cut; an edge within 12 frames of a cut moves onto it.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from regie.subtitles.tokens import Word, written_tokens
from regie.timing import Rational

SENTENCE_END = (".", "?", "!", "…")
CLAUSE_END = (",", ";", ":")
# Words a line or a cue must not end with (French first, then English): articles, prepositions,
# conjunctions, and French subject pronouns, which belong with their verb.
_WEAK_TEXT = """
le la les l' un une des de du d' à au aux et ou en par pour sur dans avec sans sous chez vers
que qu' qui ne n' se s' ce c' ces son sa ses leur leurs mon ma mes ton ta tes notre nos votre vos
je j' tu il ils elle elles on
the a an of to and or in on at by for with from as but that
"""
WEAK_WORDS = frozenset(_WEAK_TEXT.split())
READING_TABLE = ((12, 1000), (20, 2000), (36, 3000), (60, 4000))
CrossingReason = Literal["short", "fragment", "preferred"]


class Cue(BaseModel):
    """One subtitle: lines shown together from ``start_ms`` to ``end_ms``."""

    model_config = ConfigDict(frozen=True)

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    crossing: CrossingReason | None = Field(
        None, description="Why the cue crosses a shot cut, when it does."
    )

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
    hold_ms: int = Field(1000, description="Longest a cue stays up after its last word.")
    min_gap_frames: int = 2
    cut_snap_frames: int = 12
    fragment_words: int = Field(3, description="A part of a cue this short is a fragment.")
    pause_ms: int = Field(1000, description="A cue holding a silence this long costs more.")
    french_typography: bool = Field(False, description="No-break spaces before ; : ! ? ».")
    frame_rate: Rational = Fraction(25)

    def frames_ms(self, frames: int) -> int:
        return round(frames * 1000 / self.frame_rate)


Group = list[Word]


def build_cues(words: Sequence[Word], rules: CueRules, cuts_ms: Sequence[int] = ()) -> list[Cue]:
    """Cues for ``words`` that follow ``rules``, kept off the cuts in ``cuts_ms`` (pure)."""
    cuts = sorted(cuts_ms)
    tokens = split_long_words(written_tokens(words, rules.french_typography), rules.max_chars)
    return timed_cues(best_groups(tokens, cuts, rules), cuts, rules)


def best_groups(tokens: Sequence[Word], cuts: list[int], rules: CueRules) -> list[Group]:
    """The cheapest way to cut ``tokens`` into cues (dynamic programming over break points)."""
    best: list[tuple[float, int]] = [(0.0, 0)]  # per prefix length: its cost, where its cue starts
    for end in range(1, len(tokens) + 1):
        following = tokens[end].start_ms if end < len(tokens) else None
        options = []
        for begin in range(end - 1, -1, -1):
            group = list(tokens[begin:end])
            lines = break_lines([w.text for w in group], rules)
            too_long = group[-1].end_ms - group[0].start_ms > rules.max_ms
            if len(group) > 1 and (lines is None or too_long):
                break  # longer groups do not fit either
            cost = cue_cost(group, lines or (" ".join(w.text for w in group),), following, cuts,
                            rules)  # fmt: skip
            options.append((best[begin][0] + cost, begin))
        best.append(min(options))
    groups: list[Group] = []
    end = len(tokens)
    while end:
        begin = best[end][1]
        groups.insert(0, list(tokens[begin:end]))
        end = begin
    return groups


def cue_cost(
    group: Group, lines: tuple[str, ...], following: int | None, cuts: list[int], rules: CueRules
) -> float:
    """How much a broadcast subtitler would dislike this cue (0: nothing to dislike)."""
    chars = len(" ".join(lines))
    start, end = _timing(group, chars, following, cuts, rules)
    duration = max(1, end - start)
    cost = 1.0 + 1000.0 * (duration < rules.min_ms)
    cps = chars * 1000 / duration
    # a count of unreadable cues more than how far over: the excess gathers in as few as it can
    cost += (100 + 0.5 * (cps - rules.max_cps)) if cps > rules.max_cps else 0
    last = group[-1].text
    cost += 300 * sum(is_weak(line.split()[-1]) for line in lines)
    if following is not None:
        cost += 0 if last.endswith(SENTENCE_END) else 3 if last.endswith(CLAUSE_END) else 8
    cost += 10 * sum(w.text.endswith(SENTENCE_END) for w in group[:-1])
    cost += 200 * sum(b.start_ms - a.end_ms > rules.pause_ms for a, b in itertools.pairwise(group))
    near = _cuts_within(cuts, start, end, 0)
    cost += 100 * sum(cut_split(group, cut, rules)[0] is not None for cut in near)
    return cost + 150 * _is_fragment(group, start, end, cuts, rules)


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
        score = abs(len(first) - len(second)) + (100 if is_weak(texts[split - 1]) else 0)
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


def cut_split(group: Group, cut: int, rules: CueRules) -> tuple[int | None, CrossingReason | None]:
    """Where ``group`` would split at ``cut`` (None: the cut is not inside its speech), and why
    the split must not be made: a part under the minimum duration, or a fragment of a few words.

    A cut within ``cut_snap_frames`` of the first or last word is left to the timing, which
    moves that edge onto the cut.
    """
    snap = rules.frames_ms(rules.cut_snap_frames)
    if len(group) < 2 or not group[0].start_ms + snap < cut < group[-1].end_ms - snap:
        return None, None
    middles = [(w.start_ms + w.end_ms) / 2 for w in group]  # words mostly after the cut move on
    at = min(max(1, bisect.bisect_left(middles, cut)), len(group) - 1)
    before, after = group[:at], group[at:]
    gap = rules.frames_ms(rules.min_gap_frames)
    if cut - gap - before[0].start_ms < rules.min_ms:
        return at, "short"
    if after[-1].end_ms + rules.hold_ms - max(cut, after[0].start_ms) < rules.min_ms:
        return at, "short"
    if min(len(before), len(after)) <= rules.fragment_words:
        return at, "fragment"
    return at, None


def timed_cues(groups: list[Group], cuts: list[int], rules: CueRules) -> list[Cue]:
    """Each group timed on the frame grid, after the cue before it."""
    cues: list[Cue] = []
    gap = rules.frames_ms(rules.min_gap_frames)
    for index, group in enumerate(groups):
        following = groups[index + 1][0].start_ms if index + 1 < len(groups) else None
        lines = break_lines([w.text for w in group], rules)
        assert lines is not None  # groups are only made when they fit
        earliest = cues[-1].end_ms + gap if cues else 0
        start, end = _timing(group, len(" ".join(lines)), following, cuts, rules, earliest)
        cues.append(Cue(start_ms=start, end_ms=end, lines=lines,
                        crossing=_crossing(group, start, end, cuts, rules)))  # fmt: skip
    return cues


def _crossing(
    group: Group, start: int, end: int, cuts: list[int], rules: CueRules
) -> CrossingReason | None:
    """Why a cue shown across a cut was not split there: held for the minimum duration past a
    cut outside its speech, a split leaving a short cue or a fragment, or a split that the cost
    showed worse (a cue too fast to read, a break in a bad place)."""
    crossed = _cuts_within(cuts, start, end, 0)
    if not crossed:
        return None
    at, reason = cut_split(group, crossed[0], rules)
    if at is None:
        return "short"
    return reason or "preferred"


def is_weak(word: str) -> bool:
    return word.lower().strip('«»"“”()\u00a0') in WEAK_WORDS


def _is_fragment(group: Group, start: int, end: int, cuts: list[int], rules: CueRules) -> bool:
    """A few words shown alone next to a cut, split off the speech around them."""
    if len(group) > rules.fragment_words:
        return False
    snap = rules.frames_ms(rules.cut_snap_frames)
    return bool(_cuts_within(cuts, start, start, snap) or _cuts_within(cuts, end, end, snap))


def _cuts_within(cuts: list[int], low: int, high: int, margin: int) -> list[int]:
    """The cuts strictly inside (low - margin, high + margin), or within ``margin`` of them."""
    if margin:
        first = bisect.bisect_left(cuts, low - margin)
        return cuts[first : bisect.bisect_right(cuts, high + margin)]
    return cuts[bisect.bisect_right(cuts, low) : bisect.bisect_left(cuts, high)]


def _timing(
    group: Group,
    chars: int,
    following: int | None,
    cuts: list[int],
    rules: CueRules,
    earliest: int = 0,
) -> tuple[int, int]:
    """Start and end on the frame grid, held for reading, kept off the next cue and cut."""
    frame = 1000 / float(rules.frame_rate)
    snap, gap = rules.frames_ms(rules.cut_snap_frames), rules.frames_ms(rules.min_gap_frames)
    start = _to_frame(group[0].start_ms, frame)
    near = _cuts_within(cuts, start, start, snap)
    start = max(near[-1] if near else start, earliest)  # on a cut close by, never on the last cue
    minimum = _to_frame(start + rules.min_ms, frame, up=True)
    spoken_end = group[-1].end_ms
    reading = max(reading_ms(chars), round(chars * 1000 / rules.max_cps))
    wanted = max(min(start + reading, spoken_end + rules.hold_ms), spoken_end, minimum)
    limit = start + rules.max_ms
    if following is not None:
        limit = min(limit, _to_frame(following, frame) - gap)
    after = cuts[bisect.bisect_right(cuts, spoken_end - snap) :]
    if after:  # end 2 frames before the next cut, and on it when close (Netflix style)
        before_cut = after[0] - gap
        limit = min(limit, max(before_cut, minimum))
        if abs(before_cut - wanted) <= snap and before_cut >= minimum:
            wanted = before_cut
    return start, max(_to_frame(min(wanted, limit), frame), start + round(frame))


def _to_frame(ms: float, frame: float, up: bool = False) -> int:
    """``ms`` on the frame grid: the nearest frame, or the next one when ``up``."""
    frames = math.ceil(ms / frame - 1e-9) if up else round(ms / frame)
    return round(frames * frame)
