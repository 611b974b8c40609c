"""Run names the Prefect UI lists: the asset's readable id, never a file:// or s3:// URL; a
watcher sweep's prefix and due time.

Before fetch the asset id is not known yet (it includes the object's ETag), so runs are named by
its readable part, the object key's stem (``regie.fetch.asset_slug``); the URL stays a parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect.runtime import flow_run

from regie.fetch import asset_slug


def asset_flow_run_name() -> str:
    """A process-asset run: ``<asset slug>`` (``bikes`` for …/bikes.mp4)."""
    return asset_slug(flow_run.parameters["source_uri"])


def fetch_task_run_name(parameters: dict[str, Any]) -> str:
    """The fetch task, whose inputs carry no asset id yet: ``fetch-<asset slug>``."""
    return f"fetch-{asset_slug(parameters['source_uri'])}"


def sweep_name(prefix_url: str, due: datetime) -> str:
    """A watcher sweep, named by what it lists and when it is due (UTC minute), before it starts
    as after: ``watch-regie-archive-masters-20260821T0605Z``."""
    where = prefix_url.partition("://")[2].strip("/").replace("/", "-")
    return f"watch-{where}-{due.astimezone(UTC):%Y%m%dT%H%MZ}"


def sweep_flow_run_name() -> str:
    """A watch-bucket run: :func:`sweep_name` of its prefix and the time it was due."""
    return sweep_name(flow_run.parameters["prefix_url"], flow_run.scheduled_start_time)
