"""Prepare the process for Prefect's embedded mode before Prefect is imported.

Prefect reads its settings at import time, so telemetry is switched off and ``PREFECT_HOME`` is
pointed into ``./var/`` here, first. A configured ``PREFECT_API_URL`` (a real server) is respected.
"""

from __future__ import annotations

import os
from pathlib import Path

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "HF_HUB_OFFLINE": "1",
}


def prepare(home: Path) -> None:
    """Turn telemetry off and give the ephemeral API a home under ``home``."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
    if "PREFECT_API_URL" not in os.environ and "PREFECT_HOME" not in os.environ:
        prefect_home = home / "prefect"
        prefect_home.mkdir(parents=True, exist_ok=True)  # the ephemeral API fails without it
        os.environ["PREFECT_HOME"] = str(prefect_home)
