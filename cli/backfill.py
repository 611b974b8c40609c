"""``regie backfill``: the plan as a table, then the flow with a progress bar.

The flow runs in a thread of this process (embedded mode); the bar follows the plan's ``done``
and ``failed`` records in the work store, the same records a restarted backfill starts from.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from regie.backfill.catalogue import RowFilter
from regie.backfill.plan import recorded_assets, records_url
from regie.settings import Settings

if TYPE_CHECKING:
    from flows.dag import StageName

console = Console(stderr=True)


def run_backfill(
    settings: Settings, source: str, date_from: str | None, date_to: str | None,
    collection: str | None, glob: str | None, stages: list[str] | None, limit: int | None,
    max_concurrency: int, retry_failed: bool, dry_run: bool, if_model_missing: str,
) -> Any:  # fmt: skip
    from prefect import tags

    from cli.embedded import CLI_TAGS
    from flows.backfill import backfill
    from flows.process_asset import AssetOptions

    rows = RowFilter(
        date_from=date.fromisoformat(date_from) if date_from else None,
        date_to=date.fromisoformat(date_to) if date_to else None,
        collection=collection, glob=glob,
    )  # fmt: skip
    options = AssetOptions(if_model_missing=if_model_missing)
    limit = limit or 0  # the flow's "every asset"
    # Names as typed: the flow validates its parameters (an unknown stage is refused there)
    wanted = cast("tuple[StageName, ...]", tuple(stages or ()))
    with tags(*CLI_TAGS):
        plan = backfill(source, rows, wanted, options, limit, max_concurrency, retry_failed, True)
    print_plan(plan.planned)
    if dry_run or not plan.planned["todo"]:
        return plan
    outcome: dict[str, Any] = {}

    def work() -> None:
        with tags(*CLI_TAGS):
            outcome["result"] = backfill(source, rows, wanted, options, limit, max_concurrency,
                                         retry_failed, False)  # fmt: skip

    thread = threading.Thread(target=work)
    thread.start()
    _follow(settings, plan.plan_key, plan.planned["todo"], thread)
    return outcome["result"]


def print_plan(planned: dict[str, Any]) -> None:
    table = Table(title="backfill plan")
    for column in ("to process", "already done", "failed before", "invalid rows", "programme h",
                   "GPU-hours", "wall h"):  # fmt: skip
        table.add_column(column, justify="right")
    table.add_row(*(str(planned[k]) for k in ("todo", "done", "failed", "invalid", "duration_h",
                                               "gpu_hours", "wall_hours")))  # fmt: skip
    console.print(table)


def _follow(settings: Settings, key: str, todo: int, thread: threading.Thread) -> None:
    storage = settings.storage()
    records = {kind: records_url(settings.work_url, key, kind) for kind in ("done", "failed")}
    start = {kind: _count(storage, url) for kind, url in records.items()}
    columns = (TextColumn("backfill"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("assets", total=todo)
        while thread.is_alive():
            thread.join(timeout=2)
            moved = sum(max(0, _count(storage, url) - start[k]) for k, url in records.items())
            progress.update(bar, completed=min(moved, todo))


def _count(storage: Any, url: str) -> int:
    return len(recorded_assets(storage, url))
