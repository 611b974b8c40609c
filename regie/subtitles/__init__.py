"""Subtitles: broadcast cue building and its compliance report (the ASR stage is issue 5's)."""

from regie.subtitles.compliance import check_cues
from regie.subtitles.cues import Cue, CueRules, Word, build_cues

__all__ = ["Cue", "CueRules", "Word", "build_cues", "check_cues"]
