"""A real ``prefect server`` on PostgreSQL and Redis, and process workers, for tests and benches.

Each server gets a database of its own (dropped afterwards) and a Redis database number of its
own (claimed, emptied afterwards), so two test sessions on this machine, or two xdist workers,
never see each other's runs, events or leases.
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
from tests.servers import free_port, stop

POSTGRES = "postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
BIN = Path(sys.executable).parent
CLAIM_KEY, CLAIM_S = "regie-test:claimed-by", 6 * 3600  # a killed session's claim runs out


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, capture_output=True
    )


@contextmanager
def redis_database() -> Iterator[str]:
    """The URL of a Redis database (1-15) that no other test session holds, emptied after."""
    import redis

    claim = uuid.uuid4().hex
    for number in random.sample(range(1, 16), 15):
        database = redis.Redis.from_url(f"{REDIS}/{number}")
        if database.set(CLAIM_KEY, claim, nx=True, ex=CLAIM_S):
            try:
                yield f"{REDIS}/{number}"
            finally:
                database.flushdb()
            return
    raise RuntimeError("every Redis database (1-15) is held by another test session")


@contextmanager
def prefect_server(home: Path, log_path: Path, ui: bool = False) -> Iterator[str]:
    """Start ``prefect server`` on a fresh PostgreSQL database; yields its API URL."""
    database = f"regie_test_{uuid.uuid4().hex[:10]}"
    _psql(f"CREATE DATABASE {database}")
    try:
        with redis_database() as redis_url:
            yield from _serve(home, log_path, database, redis_url, ui)
    finally:
        _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _serve(home: Path, log_path: Path, database: str, redis_url: str, ui: bool) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        **server_environment(f"postgresql+asyncpg://{POSTGRES}/{database}", redis_url),
        "PREFECT_HOME": str(home),
        "PREFECT_UI_ENABLED": str(ui).lower(),
        "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api",  # what the browser calls
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
            _wait_healthy(api, process, log_path)
            yield api
        finally:
            stop(process)


def _wait_healthy(api: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server answers, however slow the machine; a server that exits has failed."""
    while process.poll() is None:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
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
            stop(process)
