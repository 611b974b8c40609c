"""Upload -> flow-run-start latency for the webhook and the watcher, and a burst of uploads.

    .venv/bin/python bench/events_latency.py [--uploads 10] [--burst 200] [--json OUT]

The real set-up of the tests (tests/platform.py): prefect server on PostgreSQL + Redis, `regie
setup`, prefect.yaml deployed (with its on-upload trigger), process workers, moto S3, the bridge
as its own process. Latency is measured from the PUT's return to the flow run's start time
(its Running state, set by the worker's subprocess), for:
- ``webhook``: one S3 notification posted to the bridge right after each upload;
- ``watcher``: the every-minute watch-bucket deployment as scheduled (upload at a random moment
  of its period), so the expected p95 is near 60 s plus the run start.
The burst: ``--burst`` uploads within 10 s, each notified twice (the store's at-least-once
delivery), with the L4 pool paused so that runs are only counted; ``burst_runs`` counts the
distinct on-upload runs created (none lost: = uploads; none doubled).
JSON keys: ``webhook_p50_s``, ``webhook_p95_s``, ``webhook_created_p95_s`` (the trigger alone),
``watcher_p50_s``, ``watcher_p95_s``, ``watcher_created_p95_s``,
``burst_uploads``, ``burst_runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REGION = "fr-par"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=10, help="Uploads per route.")
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "regie-test", "AWS_SECRET_ACCESS_KEY": "regie-test-secret"}
    )
    from regie.storage import S3Config
    from tests import media
    from tests.platform import bridge_process, running_platform
    from tests.servers import moto_server

    home = Path(tempfile.mkdtemp(prefix="regie-events-"))
    clip = media.good_clip(home / "clip.mp4", seconds=1)
    with moto_server(home / "moto.log") as endpoint:
        config = S3Config(endpoint, REGION, "regie-test", "regie-test-secret")
        with (
            running_platform(home, config, endpoint, REGION) as platform,
            bridge_process(platform) as url,
        ):
            webhook = [webhook_latency(platform, url, clip, n) for n in range(args.uploads)]
            watcher = watcher_latencies(platform, clip, args.uploads)
            uploads, runs = burst(platform, url, clip, args.burst)
    report(webhook, watcher, uploads, runs, args.json)


def notify(platform: Any, url: str, bucket: str, key: str) -> None:
    """One notification, as a store sends it (httpx's default 5 s timeout, as in the runs
    reported in the README)."""
    from tests.platform import notification, post_notification

    post_notification(url, notification(platform, bucket, key), timeout_s=5.0)


def webhook_latency(platform: Any, url: str, clip: Path, n: int) -> tuple[float, float]:
    key = f"masters/webhook-{n:03}.mp4"
    uploaded = upload(platform, clip, platform.archive, key)
    notify(platform, url, platform.archive, key)
    return started_after(f"s3://{platform.archive}/{key}", uploaded)


def watcher_latencies(platform: Any, clip: Path, count: int) -> list[tuple[float, float]]:
    """Uploads spread over the watcher's period; each waits for the sweep that finds it."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    from tests.platform import wait_final

    with get_client(sync_client=True) as client:  # a first sweep records what is there
        wait_final(client, [run_deployment("watch-bucket/every-minute", timeout=0)])
    uploaded = {}
    for n in range(count):  # 13 s apart: each lands at another moment of the 60 s period
        key = f"masters/watched-{n:03}.mp4"
        uploaded[f"s3://{platform.watched}/{key}"] = upload(platform, clip, platform.watched, key)
        time.sleep(13)
    return [started_after(uri, at, timeout_s=200) for uri, at in uploaded.items()]


def upload(platform: Any, clip: Path, bucket: str, key: str) -> float:
    platform.s3.upload_file(str(clip), bucket, key)
    return time.time()


def started_after(uri: str, uploaded: float, timeout_s: float = 120) -> tuple[float, float]:
    """Seconds from the upload to the creation of the on-upload run for ``uri`` (the trigger
    fired) and to its start (a worker's process runs it). A run is named after its source only
    once it starts, which is when this finds it."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout_s
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            for run in on_upload_runs(client, uri):
                if run.parameters.get("source_uri") == uri and run.start_time:
                    created = run.created.timestamp() - uploaded
                    return created, run.start_time.timestamp() - uploaded
            time.sleep(0.2)
    raise RuntimeError(f"no run started for {uri} within {timeout_s} s")


def on_upload_runs(client: Any, name_like: str = "") -> list[Any]:
    """Every on-upload run whose name (``process-asset-<uri>``) contains ``name_like``."""
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterName,
    )

    deployment = DeploymentFilter(name=DeploymentFilterName(any_=["on-upload"]))
    named = FlowRunFilter(name=FlowRunFilterName(like_=name_like))
    runs: list[Any] = []
    while page := client.read_flow_runs(
        deployment_filter=deployment, flow_run_filter=named, limit=200, offset=len(runs)
    ):
        runs += page
    return runs


def burst(platform: Any, url: str, clip: Path, count: int) -> tuple[int, int]:
    """``count`` uploads in 10 s, each notified twice; the distinct runs the trigger created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolUpdate

    from tests.platform import L4

    with get_client(sync_client=True) as client:
        client.update_work_pool(L4, WorkPoolUpdate(is_paused=True))  # count runs, not run them
    keys = [f"masters/burst-{n:04}.mp4" for n in range(count)]
    started = time.monotonic()

    def send(key: str) -> None:
        upload(platform, clip, platform.archive, key)
        for _ in range(2):
            notify(platform, url, platform.archive, key)

    threads = [threading.Thread(target=send, args=(key,)) for key in keys]
    for n, thread in enumerate(threads):
        time.sleep(max(0.0, started + 10 * n / count - time.monotonic()))
        thread.start()
    for thread in threads:
        thread.join()
    wanted = {f"s3://{platform.archive}/{key}" for key in keys}
    with get_client(sync_client=True) as client:
        for _ in range(120):  # the triggers work through the burst
            runs = burst_runs(client, wanted)
            if len(runs) >= count:
                break
            time.sleep(1)
        time.sleep(5)  # late duplicates would show up now
        runs = burst_runs(client, wanted)
    return count, len(runs)


def burst_runs(client: Any, wanted: set[str]) -> list[Any]:
    """Runs not started yet keep a generated name: match them by their parameters."""
    return [r for r in on_upload_runs(client) if r.parameters["source_uri"] in wanted]


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def report(
    webhook: list[tuple[float, float]], watcher: list[tuple[float, float]], uploads: int,
    runs: int, out: Path | None,
) -> None:  # fmt: skip
    result: dict[str, float | int] = {}
    for route, pairs in (("webhook", webhook), ("watcher", watcher)):
        created, started = [c for c, _ in pairs], [s for _, s in pairs]
        result |= {f"{route}_p50_s": statistics.median(started),
                   f"{route}_p95_s": _quantile(started, 0.95),
                   f"{route}_created_p95_s": _quantile(created, 0.95)}  # fmt: skip
    result |= {"burst_uploads": uploads, "burst_runs": runs}
    table = Table(title="upload -> flow run start")
    for column in ("measure", "value"):
        table.add_column(column)
    for key, value in result.items():
        table.add_row(key, f"{value:.2f}" if isinstance(value, float) else str(value))
    Console().print(table)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**result, "webhook_s": webhook, "watcher_s": watcher}, indent=2))


if __name__ == "__main__":
    main()
