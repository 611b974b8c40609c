"""Fetch streams: its peak memory stays flat while a whole-object read grows with the object.

Memory, unlike time, is deterministic enough to assert. The full 200 MB figure comes from
``bench/fetch_memory.py``; this runs the same bench on 96 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fetch_memory.py"


@pytest.mark.slow
def test_fetch_peak_memory_is_flat(tmp_path: Path) -> None:
    out = tmp_path / "fetch_memory.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--size-mb", "96", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {row["method"]: row for row in json.loads(out.read_text())["rows"]}
    streamed = rows["regie fetch (streamed)"]["peak_mb"]
    whole = rows["boto3 Body.read() (baseline)"]["peak_mb"]
    assert streamed < 100
    assert whole - streamed > 0.75 * 96  # the baseline holds the object, fetch does not
