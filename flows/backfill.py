"""backfill: process-asset over a catalogue or a bucket prefix, resumable, idempotent, bounded.

The plan comes first (a table artifact; ``dry_run`` stops there). Then one process-asset run per
asset, never more than ``max_concurrency`` at once: in embedded mode as subflows in this process,
in distributed mode as runs of ``process-asset/<target>`` on the backfill queues (idempotency key
``backfill:<plan key>:<asset_id>``, so a backfill started again finds the runs already made
instead of making new ones). Each asset's run record is written under the plan's ``done`` folder
when it succeeds; a failure is recorded with its reason and the others go on. Killed at any
point and started again, the backfill plans again and carries on: done assets are skipped,
failed ones are retried only with ``retry_failed``.
"""

from __future__ import annotations

import contextvars
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Literal
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import (
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from pydantic import BaseModel, Field

from flows.dag import StageName, plan_stages, read_manifests, run_settings
from flows.process_asset import AssetOptions, process_asset
from regie.asset_run import AssetRun
from regie.backfill.catalogue import RowFilter
from regie.backfill.plan import BackfillPlan, PlannedAsset, plan_key
from regie.backfill.records import BackfillRecords, done_url
from regie.backfill.table import CatalogueTable, catalogue_row, known_lines
from regie.publish import asset_slug
from regie.storage import Storage, join_url
from tasks.backfill import plan_backfill
from tasks.dispatch import synced

POLL_S = 2.0
# The process-asset deployments a distributed backfill can start: the whole DAG on L4, or the
# speech stages on the H100 pool.
BackfillTarget = Literal["archive", "speech-h100"]


class BackfillResult(BaseModel):
    plan_key: str
    planned: dict[str, Any] = Field(description="todo, done, failed, invalid, estimates.")
    processed: int = 0
    failed: dict[str, str] = Field(default_factory=dict, description="uri -> reason")
    table: str | None = Field(None, description="The catalogue table (Parquet).")


@flow(name="backfill", flow_run_name="backfill-{source}")
def backfill(
    source: str,
    rows: RowFilter = RowFilter(),  # noqa: B008 (frozen)
    stages: tuple[StageName, ...] = (),
    options: AssetOptions = AssetOptions(),  # noqa: B008 (frozen)
    limit: int = 0,
    max_concurrency: int = 2,
    retry_failed: bool = False,
    dry_run: bool = False,
    mode: Literal["embedded", "distributed"] = "embedded",
    target: BackfillTarget = "archive",
) -> BackfillResult:
    """Process every asset of a catalogue (CSV, Parquet, JSON lines) or of a bucket prefix.

    Args:
        source: Catalogue URL (…/catalogue.csv) or prefix URL ending with / (s3://archive/1995/).
        rows: Which rows: broadcast date range, collection, glob on the object key.
        stages: Only these stages (and what they need), e.g. [subtitles, tagging]; empty: all.
        options: How the stages run (as for process-asset).
        limit: At most this many assets in this run; 0: every one.
        max_concurrency: Assets processed at once.
        retry_failed: Process again the assets that failed in an earlier run.
        dry_run: Plan only: what would be processed, skipped and refused, and what it would cost.
        mode: embedded (subflows here) or distributed (runs of a process-asset deployment).
        target: The process-asset deployment of a distributed backfill: archive (every stage,
            L4 pool) or speech-h100 (the speech stages, H100 pool).
    """
    settings = run_settings(options)
    storage = settings.storage()
    wanted = plan_stages("publish", stages)
    key = plan_key(wanted, options.model_dump())
    plan = plan_backfill(
        source, storage, settings.work_url, key, wanted, rows, retry_failed, limit or None
    )
    _plan_artifact(plan)
    result = BackfillResult(plan_key=key, planned=plan.summary())
    if dry_run or not plan.todo:
        return result
    table = CatalogueTable(
        storage,
        join_url(settings.catalogue_url, f"backfill-{key}.parquet"),
        known_lines(plan),
    )
    if mode == "distributed":
        outcomes = _run_distributed(
            plan, stages, options, max_concurrency, settings.work_url, storage, table, target
        )
    else:
        outcomes = _run_embedded(
            plan, stages, options, max_concurrency, settings.work_url, storage, table
        )
    table.write()
    result.processed = sum(error is None for error in outcomes.values())
    result.failed = {uri: error for uri, error in outcomes.items() if error is not None}
    result.table = table.url
    _final_artifact(result)
    return result


def _run_embedded(
    plan: BackfillPlan, stages: tuple[StageName, ...], options: AssetOptions, max_concurrency: int,
    work_url: str, storage: Storage, table: CatalogueTable,
) -> dict[str, str | None]:  # fmt: skip
    """Subflows in a bounded pool of threads; each thread runs in a copy of the flow's context."""

    def one(asset: PlannedAsset) -> AssetRun:
        report = done_url(work_url, plan.plan_key, asset)
        return process_asset(
            asset.row.uri, stages=stages, options=for_row(options, asset), report_url=report
        )

    tracker = _Tracker(plan, work_url, storage, table)
    with ThreadPoolExecutor(max_workers=max_concurrency) as pool:
        futures = {pool.submit(contextvars.copy_context().run, one, a): a for a in plan.todo}
        for future in _as_done(futures):
            tracker.finished(futures[future], *_outcome(future))
    return tracker.outcomes


def _run_distributed(
    plan: BackfillPlan, stages: tuple[StageName, ...], options: AssetOptions, max_concurrency: int,
    work_url: str, storage: Storage, table: CatalogueTable, target: BackfillTarget,
) -> dict[str, str | None]:  # fmt: skip
    """Runs of process-asset/<target> on the backfill queues, ``max_concurrency`` in flight."""
    from prefect.client.orchestration import get_client

    tracker = _Tracker(plan, work_url, storage, table)
    waiting = list(plan.todo)
    running: dict[UUID, PlannedAsset] = {}
    with get_client(sync_client=True) as client:
        while waiting or running:
            while waiting and len(running) < max_concurrency:
                asset = waiting.pop(0)
                run = _start_run(asset, plan.plan_key, stages, options, work_url, target)
                running[run.id] = asset
            time.sleep(POLL_S)
            for run_id in list(running):
                state = client.read_flow_run(run_id).state
                if state is not None and state.is_final():
                    error = None if state.is_completed() else (state.message or state.name)
                    tracker.finished(running.pop(run_id), None, error)  # reads the done record
    return tracker.outcomes


def _start_run(
    asset: PlannedAsset, key: str, stages: tuple[StageName, ...], options: AssetOptions,
    work_url: str, target: BackfillTarget,
) -> FlowRun:  # fmt: skip
    parameters = {"source_uri": asset.row.uri, "stages": stages,
                  "options": for_row(options, asset).as_parameters(),
                  "report_url": done_url(work_url, key, asset), "queue": "backfill"}  # fmt: skip
    return synced(run_deployment(
        f"process-asset/{target}", parameters=parameters, timeout=0, work_queue_name="backfill",
        idempotency_key=f"backfill:{key}:{asset.asset_id}",
        flow_run_name=asset_slug(asset.row.uri),  # the name it takes on start, from the start
    ))  # fmt: skip


def for_row(options: AssetOptions, asset: PlannedAsset) -> AssetOptions:
    """The run's options with what the catalogue says of this master (its audio layout)."""
    if asset.row.audio_layout is None:
        return options
    return options.model_copy(update={"audio_layout": asset.row.audio_layout})


class _Tracker:
    """Records each finished asset: done or failed record, catalogue line, progress bar."""

    def __init__(self, plan: BackfillPlan, work_url: str, storage: Storage, table: CatalogueTable):
        self.plan, self.storage, self.table = plan, storage, table
        self.records = BackfillRecords(storage, work_url, plan.plan_key)
        self.outcomes: dict[str, str | None] = {}
        self.progress = synced(create_progress_artifact(
            0.0, key=f"backfill-{plan.plan_key}", description=f"{len(plan.todo)} assets to process"
        ))  # fmt: skip

    def finished(self, asset: PlannedAsset, run: AssetRun | None, error: str | None) -> None:
        if error is None and run is None:
            run = self.records.run_of(asset)
        if error is None:
            self.records.forget_failure(asset)
        else:
            self.records.failed(asset, error)
            get_run_logger().warning("%s failed: %s", asset.row.uri, error)
        status = "done" if error is None else "failed"
        manifests = read_manifests(run, self.storage) if run else {}
        self.table.update(catalogue_row(asset, status, run, manifests, error))
        self.outcomes[asset.row.uri] = error
        update_progress_artifact(self.progress, 100 * len(self.outcomes) / len(self.plan.todo))


def _as_done(futures: dict[Future[Any], PlannedAsset]) -> Any:
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from finished


def _outcome(future: Future[AssetRun]) -> tuple[AssetRun | None, str | None]:
    try:
        return future.result(), None
    except Exception as error:  # one asset's failure is recorded, the others go on
        return None, str(error) or type(error).__name__


def _plan_artifact(plan: BackfillPlan) -> None:
    rows = [{"row": r.row, "uri": r.uri, "invalid": r.reason} for r in plan.invalid]
    rows += [{"row": a.row.row, "uri": a.row.uri, "failed before": a.reason} for a in plan.failed]
    summary = plan.summary()
    create_table_artifact(
        [summary, *rows], key=f"backfill-{plan.plan_key}-plan",
        description=f"Plan: {summary['todo']} to process, {summary['done']} done, "
        f"{summary['invalid']} invalid; {summary['gpu_hours']} GPU-hours",
    )  # fmt: skip


def _final_artifact(result: BackfillResult) -> None:
    rows = [{"uri": uri, "error": error} for uri, error in result.failed.items()]
    summary: dict[str, Any] = {
        "processed": result.processed,
        "failed": len(result.failed),
        "table": result.table,
    }
    create_table_artifact(
        [summary, *rows], key=f"backfill-{result.plan_key}-result",
        description=f"{result.processed} processed, {len(result.failed)} failed",
    )  # fmt: skip
