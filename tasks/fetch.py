"""fetch task: archive object -> verified local copy."""

from __future__ import annotations

from typing import cast

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import TaskRunNameCallbackWithParameters

from regie.artefacts import SourceAsset
from regie.fetch import RestorePolicy, fetch
from regie.stage import StageContext, StageOutcome
from tasks.names import fetch_task_run_name
from tasks.policy import STAGE_TASK_OPTIONS


@task(
    name="fetch",
    # A function of ``parameters`` is what Prefect's TaskRunNameCallbackWithParameters describes,
    # but that Protocol also lists the classmethod Prefect tests it with, which no function has.
    task_run_name=cast(TaskRunNameCallbackWithParameters, fetch_task_run_name),
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def fetch_source(
    source_uri: str, context: StageContext, restore: RestorePolicy
) -> StageOutcome[SourceAsset]:
    """Fetch a master from the archive (restoring it from cold storage if needed)."""
    outcome = fetch(source_uri, context, restore)
    asset = outcome.artefact
    verb = "reused" if outcome.reused else "fetched"
    get_run_logger().info(
        "%s %s: %d bytes, sha256 %s", verb, asset.asset_id, asset.size, asset.sha256
    )
    return outcome
