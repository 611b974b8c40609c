"""detect-shots task: fetched master -> ShotList with keyframes, contact sheet, CSV and EDL."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from regie.artefacts import MediaInfo, ShotList, SourceAsset
from regie.shots.stage import ShotOptions, detect_shots
from regie.stage import StageContext, StageOutcome
from tasks.policy import STAGE_TASK_OPTIONS, stage_time_limit


@task(
    name="detect-shots",
    task_run_name="detect-shots-{source.asset_id}",
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def detect_shots_task(
    source: SourceAsset, media: MediaInfo, context: StageContext, options: ShotOptions
) -> StageOutcome[ShotList]:
    """Find cuts and gradual transitions, frame-exact, and the pictures that go with them."""
    with stage_time_limit("shots"):
        outcome = detect_shots(source, media, context, options)
    shots = outcome.artefact
    gradual = sum(t.kind == "gradual" for t in shots.transitions)
    get_run_logger().info(
        "%s: %d shots (%d gradual transitions) by %s, contact sheet %s",
        source.asset_id, len(shots.shots), gradual, shots.detector, shots.contact_sheet,
    )  # fmt: skip
    return outcome
