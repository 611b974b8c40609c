"""An upload becomes a processed, published programme by each route: the webhook bridge, the
SQS queue consumer and the polling watcher, on a real Prefect server (PostgreSQL + Redis) with
workers, the deployment trigger of prefect.yaml, and moto S3/SQS."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment

from tests import media
from tests.platform import (
    QUEUE_REGION,
    Platform,
    bridge_process,
    notification,
    post_notification,
    wait_final,
)
from tests.prefect_server import BIN

pytestmark = [pytest.mark.slow, pytest.mark.allow_error_logs, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def bridge(platform: Platform) -> Iterator[str]:
    with bridge_process(platform) as url:
        yield url


def _runs_for(client: SyncPrefectClient, uri: str, settle_s: float = 0) -> list[FlowRun]:
    time.sleep(settle_s)
    runs = client.read_flow_runs(
        deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["on-upload"]))
    )
    return [run for run in runs if run.parameters.get("source_uri") == uri]


def _await_run(client: SyncPrefectClient, uri: str) -> FlowRun:
    """The on-upload run of ``uri`` once finished; the test's timeout bounds the wait."""
    while not (runs := _runs_for(client, uri)):
        time.sleep(0.5)
    (finished,) = wait_final(client, runs[:1])
    return finished


def _published(platform: Platform, slug: str) -> bytes:
    key = f"programmes/{slug}/master.m3u8"
    return platform.s3.get_object(Bucket=platform.origin, Key=key)["Body"].read()


def test_webhook_upload_is_processed_and_published(
    platform: Platform, bridge: str, tmp_path: Path
) -> None:
    key = "masters/web hook.mp4"
    uri = platform.upload(media.good_clip(tmp_path / "a.mp4", seconds=2), key)
    assert post_notification(bridge, notification(platform, platform.archive, key))["emitted"] == 1
    with get_client(sync_client=True) as client:
        run = _await_run(client, uri)
    assert run.state.is_completed(), run.state.message
    assert _published(platform, "web-hook").startswith(b"#EXTM3U")


def test_the_same_notification_five_times_at_once_makes_one_run(
    platform: Platform, bridge: str, tmp_path: Path
) -> None:
    key = "masters/cinq-fois.mp4"
    uri = platform.upload(media.good_clip(tmp_path / "b.mp4", seconds=2), key)
    body, answers = notification(platform, platform.archive, key), []
    threads = [threading.Thread(target=lambda: answers.append(post_notification(bridge, body)))
               for _ in range(5)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with get_client(sync_client=True) as client:
        run = _await_run(client, uri)
        runs = _runs_for(client, uri, settle_s=5)  # any duplicate would have been created by now
    assert sorted(a["emitted"] for a in answers) == [0, 0, 0, 0, 1]
    assert [r.id for r in runs] == [run.id] and run.state.is_completed()


def test_queue_route_from_a_real_bucket_notification(
    platform: Platform, s3_endpoint: str, tmp_path: Path
) -> None:
    credentials = {"aws_access_key_id": "regie-test", "aws_secret_access_key": "regie-test-secret"}
    sqs = boto3.client("sqs", endpoint_url=s3_endpoint, region_name=QUEUE_REGION, **credentials)
    queue = sqs.create_queue(QueueName=f"uploads-{platform.queued}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    platform.s3.put_bucket_notification_configuration(
        Bucket=platform.queued,
        NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": arn["QueueArn"], "Events": ["s3:ObjectCreated:*"]}]},
    )  # fmt: skip
    consumer = subprocess.Popen(
        [str(BIN / "regie"), "events", "consume", queue, "--endpoint-url", s3_endpoint,
         "--wait-s", "1", "--region", QUEUE_REGION],
        env=platform.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        clip = media.good_clip(tmp_path / "q.mp4", seconds=2)
        uri = platform.upload(clip, "masters/par-la-file.mp4", bucket=platform.queued)
        with get_client(sync_client=True) as client:
            run = _await_run(client, uri)
        left = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
    assert run.state.is_completed(), run.state.message
    assert left["ApproximateNumberOfMessages"] == "0"  # deleted once emitted
    assert _published(platform, "par-la-file").startswith(b"#EXTM3U")


def _sweep(client: SyncPrefectClient) -> FlowRun:
    """A finished sweep of the watcher; one sweep at a time, so a sweep started while the
    schedule's is running is cancelled: start it again."""
    while True:
        (swept,) = wait_final(client, [run_deployment("watch-bucket/every-minute", timeout=0)])
        if not swept.state.is_cancelled():
            return swept


def test_watcher_route_finds_the_upload_on_its_next_sweep(
    platform: Platform, tmp_path: Path
) -> None:
    with get_client(sync_client=True) as client:
        _sweep(client)  # at least one sweep before
        uri = platform.upload(
            media.good_clip(tmp_path / "w.mp4", seconds=2), "masters/sans-notification.mp4",
            bucket=platform.watched,
        )  # fmt: skip
        swept = _sweep(client)
        run = _await_run(client, uri)
    assert swept.state.is_completed(), swept.state.message
    assert run.state.is_completed(), run.state.message
    assert _published(platform, "sans-notification").startswith(b"#EXTM3U")
