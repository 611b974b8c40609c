"""A backfill's records in the work store: each asset done (the AssetRun it produced) or failed
(the reason), under the plan's folder, so that a backfill started again carries on."""

from __future__ import annotations

import json

from regie.asset_run import AssetRun
from regie.backfill.plan import PlannedAsset, record_url, recorded_assets, records_url
from regie.storage import Storage


def done_url(work_url: str, key: str, asset: PlannedAsset) -> str:
    """Where the asset's run writes its AssetRun once done (the run's ``report_url``)."""
    return record_url(work_url, key, "done", asset.asset_id)


class BackfillRecords:
    """The records of the plan ``key`` under ``work_url``."""

    def __init__(self, storage: Storage, work_url: str, key: str) -> None:
        self.storage, self.work_url, self.key = storage, work_url, key

    def done(self) -> set[str]:
        return recorded_assets(self.storage, records_url(self.work_url, self.key, "done"))

    def failures(self) -> dict[str, str]:
        """Assets that failed and were not done since, with the reason."""
        failed = recorded_assets(self.storage, records_url(self.work_url, self.key, "failed"))
        return {asset_id: self._reason(asset_id) for asset_id in failed - self.done()}

    def run_of(self, asset: PlannedAsset) -> AssetRun:
        return AssetRun.model_validate_json(
            self.storage.read_bytes(done_url(self.work_url, self.key, asset))
        )

    def failed(self, asset: PlannedAsset, error: str) -> None:
        url = record_url(self.work_url, self.key, "failed", asset.asset_id)
        record = {"uri": asset.row.uri, "asset_id": asset.asset_id, "error": error}
        self.storage.write_bytes(url, json.dumps(record).encode(), "application/json")

    def forget_failure(self, asset: PlannedAsset) -> None:
        url = record_url(self.work_url, self.key, "failed", asset.asset_id)
        if self.storage.find(url):
            self.storage.delete(url)

    def _reason(self, asset_id: str) -> str:
        url = record_url(self.work_url, self.key, "failed", asset_id)
        return str(json.loads(self.storage.read_bytes(url))["error"])
