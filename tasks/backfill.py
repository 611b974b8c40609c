"""Backfill tasks: the plan, the catalogue table (one row per asset), the failure records.

The catalogue table is Parquet at ``<catalogue>/backfill-<plan key>.parquet``, rewritten as assets
finish (at most every few seconds) and at the end.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from regie.backfill.catalogue import RowFilter, read_catalogue, vet_rows
from regie.backfill.plan import (
    BackfillPlan,
    PlannedAsset,
    Throughputs,
    locate_sources,
    make_plan,
    record_url,
    recorded_assets,
    records_url,
)
from regie.stage import Manifest
from regie.storage import Storage
from tasks.summary import AssetRun

TABLE_EVERY_S = 5.0


@task(name="plan-backfill", cache_policy=NO_CACHE)
def plan_backfill(
    source: str, storage: Storage, work_url: str, key: str, stages: list[str],
    rows_filter: RowFilter, retry_failed: bool, limit: int | None,
) -> BackfillPlan:  # fmt: skip
    """Read and vet the catalogue (or list the prefix), find sources, done and failed assets."""
    frame = _catalogue_frame(source, storage)
    rows, invalid = vet_rows(frame, storage.check)
    rows = [row for row in rows if rows_filter.keeps(row)]
    done = recorded_assets(storage, records_url(work_url, key, "done"))
    failed_ids = recorded_assets(storage, records_url(work_url, key, "failed"))
    failed = {a: _failure(storage, work_url, key, a) for a in failed_ids - done}
    sources = locate_sources(storage, rows)
    return make_plan(key, stages, rows, invalid, sources, done, failed, retry_failed, limit,
                     Throughputs())  # fmt: skip


def _catalogue_frame(source: str, storage: Storage) -> pd.DataFrame:
    """A catalogue file, or a bucket prefix listed as a one-column catalogue."""
    if source.endswith("/"):
        return pd.DataFrame({"uri": [info.url for info in storage.iter_objects(source)]})
    return read_catalogue(source, storage.read_bytes(source))


def _failure(storage: Storage, work_url: str, key: str, asset_id: str) -> str:
    url = record_url(work_url, key, "failed", asset_id)
    return json.loads(storage.read_bytes(url))["error"]


def record_failure(
    storage: Storage, work_url: str, key: str, asset: PlannedAsset, error: str
) -> None:
    url = record_url(work_url, key, "failed", asset.asset_id)
    record = {"uri": asset.row.uri, "asset_id": asset.asset_id, "error": error}
    storage.write_bytes(url, json.dumps(record).encode(), "application/json")


def forget_failure(storage: Storage, work_url: str, key: str, asset: PlannedAsset) -> None:
    url = record_url(work_url, key, "failed", asset.asset_id)
    if storage.find(url):
        storage.delete(url)


def catalogue_row(
    asset: PlannedAsset, status: str, run: AssetRun | None, manifests: dict[str, Manifest[Any]],
    error: str | None,
) -> dict[str, Any]:  # fmt: skip
    """One asset's line in the catalogue table (``manifests``: those of ``run``'s stages)."""
    row = asset.row
    line: dict[str, Any] = {
        "row": row.row, "uri": row.uri, "asset_id": asset.asset_id, "title": row.title,
        "programme": row.programme, "collection": row.collection,
        "broadcast_date": row.broadcast_date, "status": status, "error": error,
    }  # fmt: skip
    if run is None:
        return line
    for stage in run.manifests:
        manifest = manifests.get(stage)
        line[f"{stage}_s"] = round(manifest.provenance.duration_s, 2) if manifest else None
    if manifests.get("shots"):
        line["shots"] = len(manifests["shots"].artefact.shots)
    if manifests.get("asr"):
        line["language"] = manifests["asr"].artefact.language
    if manifests.get("tagging"):
        line["tags"] = ", ".join(t.qcode for t in manifests["tagging"].artefact.topics)
    line["hls"] = run.live.get("hls")
    return line


class CatalogueTable:
    """The backfill's Parquet table, kept up to date as assets finish."""

    def __init__(self, storage: Storage, url: str, lines: list[dict[str, Any]]) -> None:
        self.storage, self.url = storage, url
        self.lines = {line["asset_id"]: line for line in lines}
        self.written = 0.0

    def update(self, line: dict[str, Any]) -> None:
        self.lines[line["asset_id"]] = line
        if time.monotonic() - self.written > TABLE_EVERY_S:
            self.write()

    def write(self) -> None:
        frame = pd.DataFrame(sorted(self.lines.values(), key=lambda line: line["row"]))
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        self.storage.write_bytes(self.url, buffer.getvalue(), "application/vnd.apache.parquet")
        self.written = time.monotonic()
