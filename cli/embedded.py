"""Prepare the process for Prefect's embedded mode before Prefect is imported.

Prefect reads its settings at import time, so telemetry is switched off, the ephemeral API gets
time to start and ``PREFECT_HOME`` is pointed into ``./var/`` here, first. Values already set in
the environment, and a configured ``PREFECT_API_URL`` (a real server), are respected.
:data:`RUN_ENVIRONMENT` is what every run needs wherever it starts: here, and in the work pools'
job templates (``deployments/templates.py``).

Prefect stops its temporary API server (a uvicorn child process) at exit, but a process killed
by a signal never reaches its exit handlers, and the server would outlive it. So a command that
runs flows starts that server through :func:`temporary_api`: SIGTERM becomes an ordinary exit,
and a watchdog process stops the server when this process dies in any way, SIGKILL included.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

# The engine logs its warnings (a model missing, an encoder refused) on ``regie.*`` loggers;
# Prefect attaches its handlers to these too, so they reach the run's logs in the UI.
RUN_ENVIRONMENT = {"PREFECT_LOGGING_EXTRA_LOGGERS": "regie"}
CLI_TAGS = ("regie", "cli")  # on the runs the CLI starts, to find them in the UI
EMBEDDED_DEFAULTS = {
    **RUN_ENVIRONMENT,
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "HF_HUB_OFFLINE": "1",
    # Prefect's default (20 s) is too short for a busy 2-core machine (PrefectHQ/prefect#16397).
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def prepare(home: Path) -> None:
    """Turn telemetry off and give the ephemeral API a home under ``home`` and time to start."""
    for name, value in EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if "PREFECT_API_URL" not in os.environ and "PREFECT_HOME" not in os.environ:
        prefect_home = home / "prefect"
        prefect_home.mkdir(parents=True, exist_ok=True)  # the ephemeral API fails without it
        os.environ["PREFECT_HOME"] = str(prefect_home)


PR_SET_PDEATHSIG = 1  # linux/prctl.h: the signal a process gets when its parent dies
# Reads the server's pid, then waits (SIGTERM blocked) until its parent dies and stops that
# server; a pidfd, so that a pid reused since by another process is never signalled.
WATCHDOG = """
import os, signal, sys
line = sys.stdin.readline().strip()
if line:
    server = os.pidfd_open(int(line))
    signal.sigwait({signal.SIGTERM})
    try:
        signal.pidfd_send_signal(server, signal.SIGTERM)
    except ProcessLookupError:
        pass
"""


def temporary_api() -> None:
    """Start Prefect's temporary API server now, tied to this process (see the module doc).

    Nothing to do with a configured ``PREFECT_API_URL``: the server is someone else's."""
    if os.environ.get("PREFECT_API_URL"):
        return
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    watchdog = _watchdog() if sys.platform == "linux" else None  # before Prefect's threads
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's own clients use
    server.start()
    if watchdog and watchdog.stdin and server.server_process:
        watchdog.stdin.write(f"{server.server_process.pid}\n".encode())
        watchdog.stdin.flush()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # exit handlers run: Prefect stops its server


def _watchdog() -> subprocess.Popen[bytes]:
    parent = os.getpid()

    def tie() -> None:  # in the child, between fork and exec
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # kept across exec
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the tie was made
            os._exit(0)

    return subprocess.Popen([sys.executable, "-c", WATCHDOG], stdin=subprocess.PIPE, preexec_fn=tie)
