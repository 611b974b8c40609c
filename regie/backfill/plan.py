"""What a backfill will do: the assets to process, those already done or failed, the invalid rows,
and what it will cost.

Sources are found by listing each folder of the archive once (not one request per asset), which
also gives the ETags that identify assets. Done and failed assets are found the same way: a
finished asset's run record lies at ``<work>/_backfill/<plan key>/done/<asset_id>.json`` and a
failed one's at ``.../failed/<asset_id>.json``, so one listing of each folder answers for the
whole catalogue, and a backfill started again carries on where the last one stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from regie.backfill.catalogue import CatalogueRow, InvalidRow
from regie.fetch import derive_asset_id, source_etag
from regie.storage import ObjectInfo, Storage, join_url

ASSUMED_MASTER_BITRATE = 50e6  # XDCAM HD422, when the catalogue gives no duration


class Throughputs(BaseModel):
    """Speeds behind the estimates, as multiples of real time per slot. Defaults: transcode from
    bench/transcode_speed.py on 2 CPU cores (1.24x); ASR from faster-whisper large-v3 batched on
    one L4-class GPU (about 20x, conservative against WhisperX's 70x); NVENC about 4x per session
    for the full ladder (UNCONFIRMED: shared/notes/performance-anchors.md has no L4 table)."""

    model_config = ConfigDict(frozen=True)

    transcode_x: float = 4.0
    asr_x: float = 20.0
    nvenc_slots: int = 4
    cuda_slots: int = 2


class Estimate(BaseModel):
    duration_h: float = Field(description="Programme hours to process.")
    durations_estimated: int = Field(description="Assets whose duration came from their size.")
    gpu_hours: float
    wall_hours: float


class PlannedAsset(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: CatalogueRow
    asset_id: str
    etag: str
    size: int
    reason: str | None = Field(None, description="Why it failed last time (failed assets).")


class BackfillPlan(BaseModel):
    plan_key: str
    stages: list[str]
    todo: list[PlannedAsset]
    done: list[PlannedAsset]
    failed: list[PlannedAsset] = Field(description="Failed before; retried only on request.")
    invalid: list[InvalidRow]
    estimate: Estimate

    def summary(self) -> dict[str, Any]:
        return {"todo": len(self.todo), "done": len(self.done), "failed": len(self.failed),
                "invalid": len(self.invalid), **self.estimate.model_dump()}  # fmt: skip


def plan_key(stages: list[str], options: dict[str, Any]) -> str:
    """One key per (stages, options): the same backfill started again finds its own records."""
    blob = json.dumps({"stages": sorted(stages), "options": options}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def records_url(work_url: str, key: str, kind: str) -> str:
    """The folder of a plan's ``done`` or ``failed`` records."""
    return join_url(work_url, "_backfill", key, kind)


def record_url(work_url: str, key: str, kind: str, asset_id: str) -> str:
    """One asset's ``done`` or ``failed`` record."""
    return join_url(records_url(work_url, key, kind), f"{asset_id}.json")


def locate_sources(storage: Storage, rows: list[CatalogueRow]) -> dict[str, ObjectInfo]:
    """Every row's object, by listing each folder once."""
    folders: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        folders[row.uri.rsplit("/", 1)[0] + "/"].add(row.uri)
    found: dict[str, ObjectInfo] = {}
    for folder, wanted in folders.items():
        for info in storage.iter_objects(folder):
            if info.url in wanted:
                found[info.url] = info
    return found


def recorded_assets(storage: Storage, url: str) -> set[str]:
    """Asset ids with a record under ``url`` (one listing)."""
    return {PurePosixPath(info.url).stem for info in storage.iter_objects(url + "/")}


def make_plan(
    key: str, stages: list[str], rows: list[CatalogueRow], invalid: list[InvalidRow],
    sources: dict[str, ObjectInfo], done: set[str], failed: dict[str, str], retry_failed: bool,
    limit: int | None, speeds: Throughputs,
) -> BackfillPlan:  # fmt: skip
    """Sort the rows into todo, done, failed and invalid (pure)."""
    todo, finished, failures, invalid = [], [], [], list(invalid)
    for row in rows:
        info = sources.get(row.uri)
        if info is None:
            invalid.append(InvalidRow(row=row.row, uri=row.uri, reason="not found in the archive"))
            continue
        etag = source_etag(row.uri, info)  # what fetch will name the asset by
        asset_id = derive_asset_id(row.uri, etag)
        asset = PlannedAsset(
            row=row, asset_id=asset_id, etag=etag, size=info.size, reason=failed.get(asset_id)
        )
        if asset.asset_id in done:
            finished.append(asset)
        elif asset.reason is not None and not retry_failed:
            failures.append(asset)
        else:
            todo.append(asset)
    todo = todo[:limit] if limit is not None else todo
    return BackfillPlan(plan_key=key, stages=stages, todo=todo, done=finished, failed=failures,
                        invalid=sorted(invalid, key=lambda r: r.row),
                        estimate=estimate(todo, stages, speeds))  # fmt: skip


def estimate(todo: list[PlannedAsset], stages: list[str], speeds: Throughputs) -> Estimate:
    """Programme hours, GPU-hours and wall time of the assets left to do."""
    seconds = [a.row.duration_s or a.size * 8 / ASSUMED_MASTER_BITRATE for a in todo]
    hours = sum(seconds) / 3600
    encode = hours / speeds.transcode_x if "transcode" in stages else 0.0
    listen = hours / speeds.asr_x if "asr" in stages else 0.0
    wall = max(encode / speeds.nvenc_slots, listen / speeds.cuda_slots)
    return Estimate(
        duration_h=round(hours, 3), durations_estimated=sum(a.row.duration_s is None for a in todo),
        gpu_hours=round(encode + listen, 3), wall_hours=round(wall, 3),
    )  # fmt: skip
