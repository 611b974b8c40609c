"""Subtitles: broadcast cue building from timed words, its compliance report and the writers."""

from regie.subtitles.compliance import check_cues
from regie.subtitles.cues import Cue, CueRules, Word, build_cues

__all__ = ["Cue", "CueRules", "Word", "build_cues", "check_cues"]
