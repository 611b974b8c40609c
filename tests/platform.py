"""The whole distributed set-up on this machine: a Prefect server on PostgreSQL and Redis,
`regie setup`, `prefect deploy --all`, process workers on the local pools, and moto S3 buckets.

The deployments come from the project's prefect.yaml with the test environment's data: the
watcher's prefix, and the on-upload options (no Whisper here, so speech stages are skipped).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
import yaml
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_URL, temporary_settings

from regie.storage.s3 import boto3_client
from tasks.gpu import gpu_limit_name
from tests.prefect_server import BIN, prefect_server, process_worker, redis_database
from tests.servers import Faults, faulty_proxy, free_port, run_command, serving

ROOT = Path(__file__).resolve().parents[1]
L4, CPU = "scw-fr-par-2-l4", "scw-fr-par-1-cpu"
BRIDGE_SECRET = "bridge-secret-for-tests"
QUEUE_REGION = "eu-west-3"  # moto's SQS knows AWS regions only
SPEECH_OFF = {"if_model_missing": "skip", "asr_model": "whisper-absent"}


@dataclass
class Platform:
    api: str
    archive: str  # bucket of masters
    watched: str  # bucket the every-minute watcher lists
    queued: str  # bucket whose notifications go to an SQS queue
    origin: str  # CDN origin bucket
    faults: Faults  # of the proxy in front of moto
    proxy: str
    s3: Any
    env: dict[str, str]  # what the workers run with
    home: Path

    def upload(self, path: Path, key: str, bucket: str | None = None) -> str:
        self.s3.upload_file(str(path), bucket or self.archive, key)
        return f"s3://{bucket or self.archive}/{key}"


def make_bucket(s3: Any, prefix: str, region: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    return name


def run_cli(env: dict[str, str], *command: str) -> str:
    done = run_command(list(command), env, ROOT)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]} {done.stderr[-3000:]}"
    return done.stdout


def prefect_yaml_for_tests(target: Path, watched_prefix: str) -> Path:
    """prefect.yaml with this environment's data (its anchors are shared by the deployments)."""
    document = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    document["definitions"]["options"]["broadcast"].update(SPEECH_OFF, shot_detector="fast")
    for deployment in document["deployments"]:
        if deployment["entrypoint"].startswith("flows/watch_bucket.py"):
            deployment["parameters"]["prefix_url"] = watched_prefix
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    return target


@contextmanager
def running_platform(
    home: Path, s3_config: Any, s3_endpoint: str, region: str, nvenc_slots: int = 1,
    ui: bool = False,
) -> Iterator[Platform]:  # fmt: skip
    s3 = boto3_client(s3_config)
    names = ("archive", "watched", "queued", "work", "origin")  # the first three are watched
    buckets = {name: make_bucket(s3, name, region) for name in names}
    # moto sends S3 notifications only to a queue of the bucket's own region, an AWS one
    queue_region_s3 = boto3_client(dataclasses.replace(s3_config, region=QUEUE_REGION))
    buckets["queued"] = make_bucket(queue_region_s3, "queued", QUEUE_REGION)
    faults = Faults()
    with (
        prefect_server(home / "prefect", home / "server.log", ui=ui) as api,
        redis_database() as events_redis,
        faulty_proxy(s3_endpoint, faults) as proxy,
    ):
        env = {
            **os.environ, "PREFECT_API_URL": api, "REGIE_CODE_DIR": str(ROOT),
            "REGIE_HOME": str(home / "var"), "REGIE_S3_ENDPOINT_URL": s3_endpoint,
            "REGIE_S3_REGION": region, "REGIE_WORK_URL": f"s3://{buckets['work']}/work",
            "REGIE_CDN_ORIGIN_URL": f"s3://{buckets['origin']}",
            # moto serves a bucket over plain HTTP, as a public origin would
            "REGIE_CDN_PUBLIC_URL": f"{s3_endpoint}/{buckets['origin']}/programmes",
            "REGIE_EVENTS_REDIS_URL": events_redis,
            "REGIE_WATCH_BUCKETS": json.dumps([buckets[n] for n in names[:3]]),
            "REGIE_BRIDGE_SECRET": BRIDGE_SECRET,
        }  # fmt: skip
        env.pop("PREFECT_HOME", None)
        limit = f"{gpu_limit_name(L4, 'nvenc')}={nvenc_slots}"
        run_cli(env, str(BIN / "regie"), "setup", "--gpu-limit", limit)
        yaml_file = prefect_yaml_for_tests(
            home / "prefect.yaml", f"s3://{buckets['watched']}/masters/"
        )
        run_cli(env, str(BIN / "prefect"), "--no-prompt", "deploy", "--all",
                "--prefect-file", str(yaml_file))  # fmt: skip
        with (
            process_worker(L4, env, home / "worker-l4.log"),
            process_worker(CPU, env, home / "worker-cpu.log"),
            temporary_settings({PREFECT_API_URL: api}),
        ):
            yield Platform(
                api, buckets["archive"], buckets["watched"], buckets["queued"], buckets["origin"],
                faults, proxy, s3, env, home,
            )  # fmt: skip


def wait_final(client: SyncPrefectClient, runs: list[FlowRun]) -> list[FlowRun]:
    """The runs once every one of them is in a final state (the test's timeout bounds the wait:
    a busy machine picks runs up late)."""
    while True:
        now = [client.read_flow_run(run.id) for run in runs]
        if all(run.state and run.state.is_final() for run in now):
            return now
        time.sleep(1)


@contextmanager
def bridge_process(platform: Platform) -> Iterator[str]:
    """`regie bridge` as its own process with the platform's settings; yields its URL."""
    port = free_port()
    command = [str(BIN / "regie"), "bridge", "--port", str(port)]
    with serving(command, port, platform.home / f"bridge-{port}.log", platform.env) as url:
        yield url


def notification(platform: Platform, bucket: str, key: str) -> bytes:
    """What the store sends for this upload: an AWS-style Records[] body with the real ETag."""
    head = platform.s3.head_object(Bucket=bucket, Key=key)
    record = {"eventName": "ObjectCreated:Put", "eventTime": datetime.now(UTC).isoformat(),
              "s3": {"bucket": {"name": bucket},
                     "object": {"key": quote_plus(key), "size": head["ContentLength"],
                                "eTag": head["ETag"]}}}  # fmt: skip
    return json.dumps({"Records": [record]}).encode()


def post_notification(bridge: str, body: bytes, timeout_s: float = 5.0) -> dict[str, Any]:
    """Deliver a notification to the bridge as a store would; its 202 answer."""
    headers = {"Authorization": f"Bearer {BRIDGE_SECRET}"}
    answer = httpx.post(f"{bridge}/s3-events", content=body, headers=headers, timeout=timeout_s)
    assert answer.status_code == 202, answer.text
    return answer.json()
