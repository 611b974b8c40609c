"""Pools, limits and job templates are data: check what a worker would receive."""

from __future__ import annotations

from typing import Any

import pytest
from prefect.utilities.templating import apply_values

from cli.embedded import RUN_ENVIRONMENT
from deployments.templates import GPU_TOLERATION, KAPSULE_POOL_LABEL, pool_template
from deployments.topology import POOLS, concurrency_limits

POOL = {pool.name: pool for pool in POOLS}


def _render(template: dict[str, Any], **values: Any) -> dict[str, Any]:
    """What the worker builds: the job configuration with the variables' defaults and overrides."""
    variables = template["variables"]["properties"]
    defaults = {name: spec["default"] for name, spec in variables.items() if "default" in spec}
    return apply_values(template["job_configuration"], {**defaults, **values})


def test_l4_job_requests_a_gpu_on_the_l4_nodes_and_tolerates_their_taint() -> None:
    job = _render(pool_template(POOL["scw-fr-par-2-l4"], "kubernetes"), image="regie:1")
    pod = job["job_manifest"]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {KAPSULE_POOL_LABEL: "regie-l4"}
    assert pod["tolerations"] == [GPU_TOLERATION]
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert pod["containers"][0]["image"] == "regie:1"
    assert job["env"] == {**RUN_ENVIRONMENT, "REGIE_GPU_POOL": "scw-fr-par-2-l4"}


def test_a_deployment_can_ask_for_two_gpus_on_the_h100_pool() -> None:
    job = _render(pool_template(POOL["scw-fr-par-2-h100"], "kubernetes"), gpu_count=2)
    container = job["job_manifest"]["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 2


def test_cpu_pool_jobs_stay_off_gpu_nodes_and_take_no_gpu_slots() -> None:
    job = _render(pool_template(POOL["scw-fr-par-1-cpu"], "kubernetes"))
    pod = job["job_manifest"]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {KAPSULE_POOL_LABEL: "regie-cpu"}
    assert "tolerations" not in pod and "nvidia.com/gpu" not in str(pod)
    assert job["env"] == RUN_ENVIRONMENT == {"PREFECT_LOGGING_EXTRA_LOGGERS": "regie"}


def test_process_pool_sets_the_gpu_pool_for_its_runs() -> None:
    job = _render(pool_template(POOL["scw-fr-par-2-l4"], "process"))
    assert job["env"] == {**RUN_ENVIRONMENT, "REGIE_GPU_POOL": "scw-fr-par-2-l4"}


def test_gpu_limits_are_named_per_pool_and_resource_and_can_be_resized() -> None:
    limits = concurrency_limits(overrides={"gpu:scw-fr-par-2-l4:nvenc": 1})
    assert limits == {
        "gpu:scw-fr-par-2-l4:nvenc": 1, "gpu:scw-fr-par-2-l4:cuda": 2,
        "gpu:scw-fr-par-2-h100:cuda": 2,
    }  # fmt: skip
    with pytest.raises(ValueError, match="gpu:scw-fr-par-2-h100:nvenc"):
        concurrency_limits(overrides={"gpu:scw-fr-par-2-h100:nvenc": 1})  # the H100 has no NVENC
