"""Runs rows of the stage table in this flow run, each as soon as the stages it needs are done.

A stage is submitted only once the stages it needs have finished, with their outcomes among its
arguments and their futures in ``wait_for``, so the Prefect UI's graph draws the DAG's edges.
Submitting it earlier, with futures still running among its arguments, makes Prefect record those
tasks as its *parents* (its rule for tasks fed by generators): the graph then draws subtitles,
tagging and publish inside detect-shots, and the waiting task runs are named ``publish-865``
until their inputs resolve. Task runs are named from the table: the row's name and the asset id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prefect import Task
from prefect.futures import PrefectFuture, as_completed

from flows.dag import STAGES, StageRow, Wiring, task_kwargs
from regie.stage import StageOutcome


@dataclass
class StageRunner:
    """Submits stages of one asset; remembers their futures, the edges of later stages."""

    wiring: Wiring
    futures: dict[str, PrefectFuture[Any]] = field(default_factory=dict)

    def run(
        self, names: list[str], on_done: Callable[[int], None] | None = None
    ) -> dict[str, StageOutcome[Any]]:
        """Run ``names`` (in DAG order), each once the ones it needs are done; their outcomes.

        A failure stops new submissions; the stages already running finish, then the failure of
        the earliest stage in DAG order is raised (the cause, not what waited for it).
        """
        waiting, running = list(names), dict[str, PrefectFuture[Any]]()
        done: dict[str, StageOutcome[Any]] = {}
        failures: dict[str, Exception] = {}
        while (waiting and not failures) or running:
            for name in [] if failures else self._ready(waiting, running):
                waiting.remove(name)
                running[name] = self.futures[name] = self._submit(STAGES[name])
            name = _first_finished(running)
            try:
                done[name] = self.wiring.upstream[name] = running.pop(name).result()
            except Exception as error:  # re-raised below, once the running stages are done
                failures[name] = error
            if on_done:
                on_done(len(done))
        if failures:
            raise failures[min(failures, key=list(STAGES).index)]
        return done

    def _ready(self, waiting: list[str], running: dict[str, Any]) -> list[str]:
        busy = {*waiting, *running}
        return [name for name in waiting if not busy & set(STAGES[name].needs)]

    def _submit(self, row: StageRow) -> PrefectFuture[Any]:
        upstream = [self.futures[need] for need in row.needs if need in self.futures]
        task = self._named(row)
        return task.submit(
            *row.args(self.wiring), wait_for=upstream, **task_kwargs(row, self.wiring)
        )

    def _named(self, row: StageRow) -> Task[..., Any]:
        """The row's task, its runs named ``<stage>-<asset id>`` once fetch has given the id."""
        if "fetch" not in self.wiring.upstream:
            return row.task
        return row.task.with_options(task_run_name=f"{row.name}-{self.wiring.source.asset_id}")


def _first_finished(running: dict[str, PrefectFuture[Any]]) -> str:
    names = {id(future): name for name, future in running.items()}
    return names[id(next(as_completed(list(running.values()))))]
