"""Real servers for tests and benchmarks, started on free loopback ports.

The faulty proxy stands in for what cannot be provoked on demand here: a store far away (a round
trip's latency on every request), a store that throttles and a network that corrupts bytes.
Everything behind it is the real moto S3 server.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"server on port {port} did not start") from None
            time.sleep(0.1)


@contextmanager
def serving(
    command: list[str], port: int, log_path: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """A server process listening on ``port`` of loopback; yields its URL, stops it after."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def run_command(
    argv: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a session of its own, with no deadline but the test's own timeout: when
    this returns or raises (a test timing out), nothing it started is left running."""
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, text=True, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate()
    finally:
        stop_session(process)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask ``process`` to stop; kill it if it has not within 30 s (a busy machine is slow)."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_session(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """Stop ``process`` (started with ``start_new_session``) and all else in its session."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
    process.wait()


@contextmanager
def moto_server(log_path: Path) -> Iterator[str]:
    """A moto S3 server over HTTP; yields its endpoint URL."""
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    with serving([str(server), "-H", "127.0.0.1", "-p", str(port)], port, log_path) as url:
        yield url


SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
HOP_BY_HOP = {"connection", "transfer-encoding", "keep-alive", "content-length"}


@dataclass
class Faults:
    """How the proxy misbehaves: latency, dropping or throttling the first requests, corruption."""

    throttle_gets: int = 0
    corrupt_bodies: bool = False
    throttled: int = 0
    latency_s: float = 0.0
    drop_requests: int = 0  # close the connection without an answer
    dropped: int = 0


@contextmanager
def faulty_proxy(upstream: str, faults: Faults) -> Iterator[str]:
    """An HTTP proxy in front of an S3 server that fails the way networks and stores do."""
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 answers "Expect: 100-continue" (botocore and aiohttp send it before a body).
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            time.sleep(faults.latency_s)  # one round trip to a remote store
            if faults.dropped < faults.drop_requests:
                faults.dropped += 1
                self.close_connection = True  # the client sees the connection reset
                return
            if self.command == "GET" and faults.throttled < faults.throttle_gets:
                faults.throttled += 1
                self._reply(503, [("Content-Type", "application/xml")], SLOW_DOWN)
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "expect"}
            connection.request(self.command, self.path, body, headers)
            response = connection.getresponse()
            data = response.read()
            if faults.corrupt_bodies and self.command == "GET" and response.status == 200 and data:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
            self._reply(response.status, response.getheaders(), data)

        def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            upstream_length = dict((k.lower(), v) for k, v in headers).get("content-length")
            length = upstream_length if self.command == "HEAD" else None
            self.send_header("Content-Length", length or str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class PurgeApi:
    """What the fake Edge Services API received, and how many 429s it answers first."""

    throttle: int = 0
    requests: list[tuple[str, dict[str, str], bytes]] | None = None


@contextmanager
def edge_services_api(api: PurgeApi) -> Iterator[str]:
    """A local server speaking Scaleway's ``POST /edge-services/v1beta1/purge-requests``."""
    api.requests = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            assert api.requests is not None
            api.requests.append((self.path, dict(self.headers.items()), body))
            if len(api.requests) <= api.throttle:
                status, reply = 429, b'{"message": "too many requests"}'
            elif self.path != "/edge-services/v1beta1/purge-requests":
                status, reply = 404, b'{"message": "not found"}'
            elif not self.headers.get("X-Auth-Token"):
                status, reply = 401, b'{"message": "authentication required"}'
            else:
                status, reply = 200, b'{"id": "purge-0001", "status": "pending"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
