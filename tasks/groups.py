"""run-stage-group task: a group of stages as a run of its own deployment, on its own pool.

A distributed process-asset hands each group of the stage table (flows/dag.py) to
``process-asset/stages-<group>`` with ``run_deployment`` and an idempotency key (a retried parent
finds the run it started), then reads the group's AssetRun where the child wrote it. The child
reuses the manifests of the groups before it, so a group never redoes another's work.
"""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments import run_deployment
from prefect.runtime import flow_run

from regie.asset_run import AssetRun
from regie.errors import PermanentError
from regie.storage import Storage, join_url
from tasks.dispatch import synced

POLL_S = 2


def group_deployment(group: str) -> str:
    return f"process-asset/stages-{group}"


@task(name="run-stage-group", task_run_name="{group}-{source_uri}", cache_policy=NO_CACHE)
def run_stage_group(
    group: str, source_uri: str, stages: list[str], options: dict[str, Any], queue: str,
    work_url: str, storage: Storage,
) -> AssetRun:  # fmt: skip
    """Run ``stages`` of one asset as a child flow run of the group's deployment."""
    parent = str(flow_run.id)
    report_url = join_url(work_url, "_runs", parent, f"{group}.json")
    child = synced(run_deployment(
        group_deployment(group),
        parameters={"source_uri": source_uri, "stages": stages, "options": options,
                    "report_url": report_url},
        idempotency_key=f"{parent}:{group}", work_queue_name=queue, poll_interval=POLL_S,
    ))  # fmt: skip
    state = child.state
    if state is None or not state.is_completed():
        reason = state.message if state else "no state"
        raise PermanentError(source_uri, f"stage group {group} ({child.name}) failed: {reason}")
    run = AssetRun.model_validate_json(storage.read_bytes(report_url))
    get_run_logger().info("%s: %s done by %s", run.asset_id, ", ".join(stages), child.name)
    return run.only(tuple(stages))
