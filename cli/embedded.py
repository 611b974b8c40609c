"""Prepare the process for Prefect's embedded mode before Prefect is imported.

Prefect reads its settings at import time, so telemetry is switched off, the ephemeral API gets
time to start and ``PREFECT_HOME`` is pointed into ``./var/`` here, first. Values already set in
the environment, and a configured ``PREFECT_API_URL`` (a real server), are respected.
:data:`RUN_ENVIRONMENT` is what every run needs wherever it starts: here, and in the work pools'
job templates (``deployments/templates.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

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
