"""A real ``prefect server`` on PostgreSQL and Redis, and process workers, for tests and benches.

Each server gets a database of its own (dropped afterwards) and a Redis database number of its
own, so two test sessions on this machine never see each other's runs, events or leases.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deployments.server import server_environment
from tests.servers import free_port

POSTGRES = "postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
BIN = Path(sys.executable).parent


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, capture_output=True
    )


@contextmanager
def prefect_server(home: Path, log_path: Path, startup_timeout_s: float = 120) -> Iterator[str]:
    """Start ``prefect server`` on a fresh PostgreSQL database; yields its API URL."""
    database = f"regie_test_{uuid.uuid4().hex[:10]}"
    _psql(f"CREATE DATABASE {database}")
    port = free_port()
    env = {
        **os.environ,
        **server_environment(
            f"postgresql+asyncpg://{POSTGRES}/{database}", f"{REDIS}/{random.randint(1, 15)}"
        ),
        "PREFECT_HOME": str(home),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    api = f"http://127.0.0.1:{port}/api"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_healthy(api, process, startup_timeout_s, log_path)
            yield api
        finally:
            process.terminate()
            process.wait(timeout=30)
            _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _wait_healthy(api: str, process: subprocess.Popen[bytes], timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"prefect server did not start: {log.read_text()[-2000:]}")


@contextmanager
def process_worker(
    pool: str, env: dict[str, str], log_path: Path, queues: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen[bytes]]:
    """A process worker polling ``pool`` (every second) until the block exits."""
    command = [str(BIN / "prefect"), "worker", "start", "--pool", pool, "--type", "process"]
    for queue in queues:
        command += ["--work-queue", queue]
    worker_env = {
        **env,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "1",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=worker_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)
