"""How well a cue list follows its rules: the report that goes into the subtitles manifest (pure).

Hard rules (lines, characters per line, overlaps, the minimum gap, shot-cut crossings) must hold
for every cue; soft ones (reading speed, duration bounds) are reported as shares, since speech
that is too fast cannot always be held long enough without drifting from the picture.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from regie.artefacts import SubtitleCompliance
from regie.subtitles.cues import Cue, CueRules


def check_cues(
    cues: Sequence[Cue], rules: CueRules, cuts_ms: Sequence[int] = ()
) -> SubtitleCompliance:
    """Measure ``cues`` against ``rules`` and the shot cuts."""
    gap = rules.frames_ms(rules.min_gap_frames)
    pairs = list(itertools.pairwise(cues))
    count = max(1, len(cues))
    hard = {
        "too_many_lines": sum(len(c.lines) > rules.max_lines for c in cues),
        "lines_too_long": sum(any(len(line) > rules.max_chars for line in c.lines) for c in cues),
        "overlaps": sum(b.start_ms < a.end_ms for a, b in pairs),
        "gaps_too_short": sum(a.end_ms <= b.start_ms < a.end_ms + gap for a, b in pairs),
        "shot_crossings": sum(any(c.start_ms < cut < c.end_ms for cut in cuts_ms) for c in cues),
    }
    return SubtitleCompliance(
        cues=len(cues),
        **hard,
        hard_rule_violations=sum(hard.values()),
        reading_speed_ok_share=round(sum(c.cps <= rules.max_cps for c in cues) / count, 4),
        duration_ok_share=round(
            sum(rules.min_ms <= c.end_ms - c.start_ms <= rules.max_ms for c in cues) / count, 4
        ),
    )
