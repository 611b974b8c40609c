"""Base job templates for the work pools: Prefect's defaults plus what GPU pools need.

Prefect's Kubernetes template has no GPU request, node selector or tolerations
(PrefectHQ/prefect#19779), so a flow run would land on any node. The GPU pools' template adds them
as variables a deployment can override, and every template sets ``REGIE_GPU_POOL`` so the run's
GPU stages take the right slots, and the run environment of ``cli.embedded`` (the engine's
``regie.*`` loggers in the run's logs). The defaults were exported from Prefect 3.9.1 (process) and
prefect-kubernetes 0.8.0 (``prefect work-pool get-default-base-job-template --type ...``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli.embedded import RUN_ENVIRONMENT
from deployments.topology import PoolSpec

TEMPLATES = Path(__file__).with_name("templates")
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
KAPSULE_POOL_LABEL = "k8s.scaleway.com/pool-name"


def default_template(kind: str) -> dict[str, Any]:
    return json.loads((TEMPLATES / f"{kind}-default.json").read_text())


def process_template(pool: PoolSpec) -> dict[str, Any]:
    """A process pool's template: runs on the worker's host, with the pool's identity set."""
    template = default_template("process")
    _set_env(template, pool)
    return template


def kubernetes_template(pool: PoolSpec) -> dict[str, Any]:
    """A Kapsule pool's template: the pool's nodes only; GPU pools request and tolerate GPUs."""
    template = default_template("kubernetes")
    _set_env(template, pool)
    variables = template["variables"]["properties"]
    pod = template["job_configuration"]["job_manifest"]["spec"]["template"]["spec"]
    variables["node_selector"] = {
        "type": "object", "title": "Node selector",
        "description": "Labels of the nodes that may run the job (the Kapsule node pool).",
        "default": {KAPSULE_POOL_LABEL: pool.kapsule_pool},
    }  # fmt: skip
    pod["nodeSelector"] = "{{ node_selector }}"
    if pool.has_gpu:
        variables["gpu_count"] = {
            "type": "integer", "title": "GPUs", "default": 1, "minimum": 1,
            "description": "NVIDIA GPUs requested by the job (nvidia.com/gpu).",
        }  # fmt: skip
        variables["tolerations"] = {
            "type": "array", "title": "Tolerations", "default": [GPU_TOLERATION],
            "description": "Lets the job onto GPU nodes, which are tainted nvidia.com/gpu.",
        }  # fmt: skip
        pod["tolerations"] = "{{ tolerations }}"
        limits = pod["containers"][0]["resources"]["limits"]
        limits["nvidia.com/gpu"] = "{{ gpu_count }}"
    return template


def pool_template(pool: PoolSpec, infrastructure: str) -> dict[str, Any]:
    builders = {"process": process_template, "kubernetes": kubernetes_template}
    return builders[infrastructure](pool)


def _set_env(template: dict[str, Any], pool: PoolSpec) -> None:
    env = template["variables"]["properties"]["env"]
    gpu = {"REGIE_GPU_POOL": pool.name} if pool.has_gpu else {}
    env["default"] = {**RUN_ENVIRONMENT, **gpu}
