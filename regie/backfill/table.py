"""The backfill's catalogue table: one line per asset of the catalogue, in Parquet.

It is at ``<catalogue>/backfill-<plan key>.parquet``, rewritten as assets finish (at most every
few seconds) and at the end.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pandas as pd

from regie.asset_run import AssetRun
from regie.backfill.plan import BackfillPlan, PlannedAsset
from regie.stage import Manifest
from regie.storage import Storage

TABLE_EVERY_S = 5.0


def known_lines(plan: BackfillPlan) -> list[dict[str, Any]]:
    """Every row's line before anything runs: to do, done, failed before, invalid."""
    by_status = [("todo", plan.todo), ("done", plan.done), ("failed", plan.failed)]
    lines = [catalogue_row(asset, status, None, {}, asset.reason)
             for status, assets in by_status for asset in assets]  # fmt: skip
    lines += [{"row": r.row, "uri": r.uri, "asset_id": f"invalid-row-{r.row}", "status": "invalid",
               "error": r.reason} for r in plan.invalid]  # fmt: skip
    return lines


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
