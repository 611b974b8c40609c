"""A backfill killed with SIGKILL half way and started again: no asset lost, none done twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests import media
from tests.servers import run_command

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
REGIE = str(Path(sys.executable).with_name("regie"))
STAGES = ("fetch", "probe", "shots", "transcode", "publish")


def _catalogue(folder: Path) -> Path:
    clips = [media.good_clip(folder / f"jt-{n}.mp4", seconds=2) for n in range(4)]
    lines = ["uri,title,broadcast_date,collection"]
    lines += [f"{clip.as_uri()},JT {n},1995-03-0{n + 1},jt" for n, clip in enumerate(clips)]
    lines += [",sans fichier,1995-01-01,jt", f"{clips[0].as_uri()},doublon,1995-03-01,jt"]
    catalogue = folder / "catalogue.csv"
    catalogue.write_text("\n".join(lines) + "\n")
    return catalogue


def _done_records(home: Path) -> list[Path]:
    return sorted(home.glob("work/_backfill/*/done/*.json"))


def test_sigkill_mid_backfill_then_restart_loses_nothing_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    catalogue, home = _catalogue(tmp_path), tmp_path / "var"
    env = {**os.environ, "REGIE_HOME": str(home)}
    command = [REGIE, "backfill", str(catalogue), "--max-concurrency", "1"]
    first = subprocess.Popen(command, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    while not _done_records(home) and first.poll() is None:  # the test's timeout bounds it
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)  # the CLI, its flow and its Prefect API, at once
    first.wait()
    done_before = len(_done_records(home))
    assert 1 <= done_before < 4

    second = run_command(command, env)
    assert second.returncode == 0, second.stderr[-3000:]
    result = json.loads(second.stdout.strip().splitlines()[-1])
    assert result["planned"]["done"] == done_before and result["planned"]["invalid"] == 2
    assert result["planned"]["todo"] == 4 - done_before and result["failed"] == {}
    # none lost: four assets done; none repeated: one manifest per stage, one live release each
    assert len(_done_records(home)) == 4
    table = pd.read_parquet(home / "catalogue" / Path(result["table"]).name)
    assert sorted(table["status"]) == ["done"] * 4 + ["invalid"] * 2
    for asset in table[table["status"] == "done"]["asset_id"]:
        asset_folder = next(home.glob(f"work/{asset.rsplit('-', 1)[0]}-*"))
        assert [len(list(asset_folder.glob(f"{s}/*/_manifest.json"))) for s in STAGES] == [1] * 5
    assert len(list(home.glob("cdn/programmes/*/master.m3u8"))) == 4
