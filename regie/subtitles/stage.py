"""Subtitles stage: a transcript's timed words -> broadcast cues -> WebVTT, SRT and EBU-TT-D.

Cues follow the French broadcast rules (or the TV profile's 37 characters a line) and French
typography for French text, are snapped to the video's frame grid and kept off the shot cuts of
the asset's ShotList when given. The compliance report, counted from the cues as written, goes
into the manifest. A translated transcript gives English subtitles (``translation`` set).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from pydantic import Field

from regie.artefacts import MediaInfo, ShotList, SubtitleSet, Transcript
from regie.asr.stage import load_document
from regie.asr.transcript import TranscribedWord
from regie.stage import Stage, StageContext, StageOptions, StageOutcome, StageRun, run_stage
from regie.subtitles.compliance import check_cues
from regie.subtitles.cues import Cue, CueRules, Word, build_cues
from regie.subtitles.writers import WRITERS, SubtitleWriter

SUBTITLES = Stage("subtitles", "4", SubtitleSet)  # 4: too-fast cues timed in Seconds
PROFILES = {"fr-broadcast": CueRules(), "fr-tv": CueRules(max_chars=37)}


class SubtitleOptions(StageOptions):
    """Which rules the cues follow; any limit of the profile can be overridden."""

    profile: Literal["fr-broadcast", "fr-tv"] = "fr-broadcast"
    max_cps: float | None = Field(None, description="Reading speed limit (default 17).")
    max_chars: int | None = Field(None, description="Characters per line (42, TV 37).")
    typography: Literal["auto", "french", "plain"] = Field(
        "auto", description="auto: French typography (no-break spaces) for French text."
    )

    def rules(self, frame_rate: Fraction, language: str | None) -> CueRules:
        overrides = {"max_cps": self.max_cps, "max_chars": self.max_chars}
        chosen = {name: value for name, value in overrides.items() if value is not None}
        french = self.typography == "french" or (self.typography == "auto" and language == "fr")
        return PROFILES[self.profile].model_copy(
            update={**chosen, "frame_rate": frame_rate, "french_typography": french}
        )


def make_subtitles(
    transcript: StageOutcome[Transcript],
    media: MediaInfo,
    shots: StageOutcome[ShotList] | None,
    context: StageContext,
    options: SubtitleOptions | None = None,
) -> StageOutcome[SubtitleSet]:
    """Build and write the subtitles, or return the manifest of an earlier identical run."""
    opts = options or SubtitleOptions()
    artefact = transcript.artefact
    language = "en" if artefact.task == "translate" else artefact.language
    video = media.primary_video
    rules = opts.rules(video.frame_rate if video and video.frame_rate else Fraction(25), language)
    cuts_ms = [round(t * 1000) for t in shots.artefact.cut_times()] if shots else []

    def produce(run: StageRun) -> SubtitleSet:
        words = transcript_words(load_document(context, artefact).words)
        cues = build_cues(words, rules, cuts_ms)
        uris = {name: _write(run, name, writer, cues, language)
                for name, writer in WRITERS.items()}  # fmt: skip
        return SubtitleSet(
            asset_id=artefact.asset_id, language=language, profile=opts.profile,
            translation=artefact.task == "translate",
            cues=len(cues), compliance=check_cues(cues, rules, cuts_ms),
            shot_cuts=len(cuts_ms), **uris,
        )  # fmt: skip

    inputs = {"asr": transcript.manifest.key}
    if shots is not None:
        inputs["shots"] = shots.manifest.key
    return run_stage(SUBTITLES, artefact.asset_id, inputs, opts, context, produce)


def transcript_words(words: Sequence[TranscribedWord]) -> list[Word]:
    """Cue-builder words in integer milliseconds."""
    return [
        Word(text=w.text, start_ms=round(w.start * 1000),
             end_ms=round(max(w.end, w.start) * 1000), glued=w.glued)
        for w in words
    ]  # fmt: skip


def _write(
    run: StageRun, name: str, writer: SubtitleWriter, cues: list[Cue], language: str | None
) -> str:
    name = f"subtitles.{writer.extension}"
    return run.publish_text(name, writer.render(cues, language), writer.content_type)
