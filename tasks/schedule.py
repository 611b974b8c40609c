"""name-next-sweeps task: the watcher's scheduled runs named before they start.

Prefect's scheduler creates a deployment's runs an hour ahead with random names (``amazing-bear``);
the flow's ``flow_run_name`` only renames a run once it starts, and neither prefect.yaml nor a
schedule can name them (PrefectHQ/prefect#20267, #3010). So each sweep gives the runs still
waiting the name they will take when they start (:func:`tasks.names.sweep_name`): the UI's
upcoming runs read ``watch-<bucket>-<prefix>-<due time>`` instead of sixty animal names.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.runtime import deployment

from tasks.names import sweep_name

WAITING = FlowRunFilter(
    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
)  # Scheduled and Late


@task(name="name-next-sweeps", cache_policy=NO_CACHE)
def name_next_sweeps() -> int:
    """Name this deployment's waiting runs as they will be named; how many were renamed."""
    if deployment.id is None:  # a run of the flow itself, not of a deployment
        return 0
    only = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
    renamed = 0
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(deployment_filter=only, flow_run_filter=WAITING):
            if run.expected_start_time is None:  # Optional in the model; no due time to name by
                continue
            name = sweep_name(run.parameters["prefix_url"], run.expected_start_time)
            if run.name != name:
                client.update_flow_run(run.id, name=name)
                renamed += 1
    return renamed
