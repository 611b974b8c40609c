"""How well a cue list follows its rules: the report that goes into the subtitles manifest (pure).

Everything is counted from the cues as the files write them (times and lines), so a reader of the
WebVTT file counts the same. Hard rules (lines, characters per line, overlaps, the minimum gap
and duration, split elisions or compounds, lines ending on an article) must hold for every cue;
shot-cut crossings are allowed for a reason and counted by it; reading speed is reported as a
share, and every cue too fast to be read is listed.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from regie.artefacts import SubtitleCompliance, TooFastCue
from regie.subtitles.cues import Cue, CueRules, is_weak
from regie.timing import seconds_from_ms

# a line ending on a French elided word or a hyphen, or starting with the rest of a word
_SPLIT_END = re.compile(
    r"(\b(c|d|j|l|m|n|s|t|qu|jusqu|lorsqu|puisqu|quoiqu)['\u2019]|\w-)$", re.IGNORECASE
)
_SPLIT_START = re.compile(r"^['\u2019-]\w")


def check_cues(
    cues: Sequence[Cue], rules: CueRules, cuts_ms: Sequence[int] = ()
) -> SubtitleCompliance:
    """Measure ``cues`` against ``rules`` and the shot cuts."""
    gap = rules.frames_ms(rules.min_gap_frames)
    pairs = list(itertools.pairwise(cues))
    lines = [line for cue in cues for line in cue.lines]
    count = max(1, len(cues))
    hard = {
        "too_many_lines": sum(len(c.lines) > rules.max_lines for c in cues),
        "lines_too_long": sum(any(len(line) > rules.max_chars for line in c.lines) for c in cues),
        "overlaps": sum(b.start_ms < a.end_ms for a, b in pairs),
        "gaps_too_short": sum(a.end_ms <= b.start_ms < a.end_ms + gap for a, b in pairs),
        "too_short": sum(c.end_ms - c.start_ms < rules.min_ms for c in cues),
        "split_words": sum(_splits(line) for line in lines),
        "weak_endings": sum(is_weak(line.split()[-1]) for line in lines if line.split()),
    }
    crossing = [c for c in cues if any(c.start_ms < cut < c.end_ms for cut in cuts_ms)]
    return SubtitleCompliance(
        cues=len(cues), **hard, hard_rule_violations=sum(hard.values()),
        shot_crossings=len(crossing),
        crossings_by_reason=dict(Counter(c.crossing or "unexplained" for c in crossing)),
        reading_speed_ok_share=round(sum(c.cps <= rules.max_cps for c in cues) / count, 4),
        duration_ok_share=round(
            sum(rules.min_ms <= c.end_ms - c.start_ms <= rules.max_ms for c in cues) / count, 4
        ),
        too_fast=[
            TooFastCue(start=seconds_from_ms(c.start_ms), end=seconds_from_ms(c.end_ms),
                       cps=round(c.cps, 2), text=" / ".join(c.lines))
            for c in cues if c.cps > rules.max_cps
        ],
    )  # fmt: skip


def _splits(line: str) -> int:
    return bool(_SPLIT_END.search(line)) + bool(_SPLIT_START.search(line))
