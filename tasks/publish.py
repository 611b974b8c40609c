"""publish task: transcode package -> live, verified release on the CDN origin, CDN purged."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from regie.artefacts import MediaInfo, PublishReceipt, RenditionSet, ShotList, SourceAsset
from regie.publish import CdnTarget, PublishOptions, ReleaseInputs, publish
from regie.stage import StageContext, StageOutcome
from tasks.policy import STAGE_TASK_OPTIONS


@task(
    name="publish",
    task_run_name="publish-{source.asset_id}",
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def publish_task(
    source: SourceAsset,
    media: MediaInfo,
    shots: StageOutcome[ShotList] | None,
    ladder: StageOutcome[RenditionSet],
    context: StageContext,
    target: CdnTarget,
    extras: ReleaseInputs = ReleaseInputs(),  # noqa: B008 (frozen: safe as a default)
) -> StageOutcome[PublishReceipt]:
    """Upload the release, switch the asset's pointer to it, verify it, purge the CDN.

    ``extras`` holds the speech stages' outcomes (Prefect resolves the futures inside it): the
    audio's language, the text tracks and the review page's tags come from them.
    """
    shot_list = shots.artefact if shots else None
    outcome = publish(source, media, shot_list, ladder, context, target, PublishOptions(), extras)
    receipt = outcome.artefact
    get_run_logger().info(
        "%s: release %s live at %s (%d uploaded, %d already there, %d checked over %s)",
        source.asset_id, receipt.release, receipt.hls, receipt.uploaded, receipt.skipped,
        receipt.verified, receipt.verified_over,
    )  # fmt: skip
    return outcome
