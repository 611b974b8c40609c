"""plan-backfill task: the catalogue (or a prefix) read and vetted, against the plan's records."""

from __future__ import annotations

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from regie.backfill.catalogue import RowFilter, read_catalogue, vet_rows
from regie.backfill.plan import BackfillPlan, Throughputs, locate_sources, make_plan
from regie.backfill.records import BackfillRecords
from regie.storage import Storage


@task(name="plan-backfill", cache_policy=NO_CACHE)
def plan_backfill(
    source: str, storage: Storage, work_url: str, key: str, stages: list[str],
    rows_filter: RowFilter, retry_failed: bool, limit: int | None,
) -> BackfillPlan:  # fmt: skip
    """Read and vet the catalogue (or list the prefix), find sources, done and failed assets."""
    frame = _catalogue_frame(source, storage)
    rows, invalid = vet_rows(frame, storage.check)
    rows = [row for row in rows if rows_filter.keeps(row)]
    records = BackfillRecords(storage, work_url, key)
    done, failed = records.done(), records.failures()
    sources = locate_sources(storage, rows)
    return make_plan(key, stages, rows, invalid, sources, done, failed, retry_failed, limit,
                     Throughputs())  # fmt: skip


def _catalogue_frame(source: str, storage: Storage) -> pd.DataFrame:
    """A catalogue file, or a bucket prefix listed as a one-column catalogue."""
    if source.endswith("/"):
        return pd.DataFrame({"uri": [info.url for info in storage.iter_objects(source)]})
    return read_catalogue(source, storage.read_bytes(source))
