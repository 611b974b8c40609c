"""A stage's time limit that really stops its work: tools are killed when it passes.

An orchestrator's timeout cannot interrupt a thread blocked on a pipe from a stuck ffmpeg (Prefect
says as much when a task with a timeout runs in a worker thread). So the limit is kept here, in a
context variable of the thread running the stage: :func:`~regie.ffmpeg.run_tool` gives a tool no
more than the time left, a streaming reader kills its tool when the limit passes, and long
in-process loops (Whisper over many windows) check it between steps.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from regie.errors import PermanentError

_LIMIT: ContextVar[tuple[float, float] | None] = ContextVar("regie_stage_limit", default=None)


class DeadlineError(PermanentError):
    """A stage ran past its time limit; its tools were stopped."""

    def __init__(self, asset: str, limit_s: float, what: str) -> None:
        self.limit_s = limit_s
        super().__init__(
            asset, f"{what} stopped: the stage's {limit_s:.0f} s limit has passed",
            "a tool hung, or the master is longer than the limit allows",
        )  # fmt: skip


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Tools started by this thread within the block may run until ``seconds`` have passed."""
    token = _LIMIT.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _LIMIT.reset(token)


def time_left(asset: str, what: str, timeout_s: float | None = None) -> float | None:
    """Seconds ``what`` may still take: the lesser of ``timeout_s`` and the stage's time left.

    Raises:
        DeadlineError: The stage's limit has already passed.
    """
    limit = _LIMIT.get()
    if limit is None:
        return timeout_s
    left = limit[0] - time.monotonic()
    if left <= 0:
        raise DeadlineError(asset, limit[1], what)
    return left if timeout_s is None else min(left, timeout_s)


def check_time(asset: str, what: str) -> None:
    """Raise :class:`DeadlineError` when the stage's limit has passed (between steps of a loop)."""
    time_left(asset, what)


@contextmanager
def killed_at_limit(process: subprocess.Popen[bytes], asset: str) -> Iterator[None]:
    """Kill ``process`` if it is still running when the stage's limit passes.

    A reader blocked on the process's output then sees the end of it; the caller calls
    :func:`check_time` before reporting the tool's own failure.
    """
    left = time_left(asset, process.args[0] if isinstance(process.args, list) else "tool")
    if left is None:
        yield
        return
    timer = threading.Timer(left, process.kill)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
