"""make-subtitles task: Transcript (+ ShotList) -> WebVTT, SRT, EBU-TT-D and a compliance report."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from regie.artefacts import MediaInfo, ShotList, SubtitleSet, Transcript
from regie.stage import StageContext, StageOutcome
from regie.subtitles.stage import SubtitleOptions, make_subtitles
from tasks.policy import STAGE_TASK_OPTIONS, stage_time_limit


@task(
    name="make-subtitles",
    task_run_name="make-subtitles-{transcript.manifest.asset_id}",
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def subtitles_task(
    transcript: StageOutcome[Transcript],
    media: MediaInfo,
    shots: StageOutcome[ShotList] | None,
    context: StageContext,
    options: SubtitleOptions,
) -> StageOutcome[SubtitleSet]:
    """Broadcast cues off every shot cut, in the three delivery formats."""
    with stage_time_limit("subtitles"):
        outcome = make_subtitles(transcript, media, shots, context, options)
    subtitles, report = outcome.artefact, outcome.artefact.compliance
    get_run_logger().info(
        "%s: %d cues, %d hard-rule violations, %.0f%% within reading speed, %s",
        subtitles.asset_id, subtitles.cues, report.hard_rule_violations,
        100 * report.reading_speed_ok_share, subtitles.webvtt,
    )  # fmt: skip
    return outcome
