"""probe task: local master -> MediaInfo, or a permanent refusal."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from regie.artefacts import MediaInfo, SourceAsset
from regie.probe import ProbeOptions, probe
from regie.stage import StageContext, StageOutcome
from regie.timing import format_fraction
from tasks.policy import STAGE_TASK_OPTIONS, stage_time_limit


@task(
    name="probe",
    task_run_name="probe-{source.asset_id}",
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def probe_media(
    source: SourceAsset, context: StageContext, options: ProbeOptions
) -> StageOutcome[MediaInfo]:
    """Describe the master's streams; refuse what is not a playable programme."""
    with stage_time_limit("probe"):
        outcome = probe(source, context, options)
    info = outcome.artefact
    video = info.primary_video
    shape = f"{video.display_width}x{video.display_height}@{video.frame_rate}" if video else "audio"
    duration = format_fraction(info.duration)
    get_run_logger().info("%s: %s, %s s, %s", source.asset_id, info.container, duration, shape)
    return outcome
