"""Run names the Prefect UI lists: the asset's readable id, never a file:// or s3:// URL.

Before fetch the asset id is not known yet (it includes the object's ETag), so runs are named by
its readable part, the object key's stem (``regie.fetch.asset_slug``); the URL stays a parameter.
"""

from __future__ import annotations

from typing import Any

from prefect.runtime import flow_run

from regie.fetch import asset_slug


def asset_flow_run_name() -> str:
    """A process-asset run: ``<asset slug>`` (``bikes`` for …/bikes.mp4)."""
    return asset_slug(flow_run.parameters["source_uri"])


def fetch_task_run_name(parameters: dict[str, Any]) -> str:
    """The fetch task, whose inputs carry no asset id yet: ``fetch-<asset slug>``."""
    return f"fetch-{asset_slug(parameters['source_uri'])}"
