"""Retry policy shared by every stage task: only transient failures are retried."""

from __future__ import annotations

from typing import Any

from prefect.tasks import exponential_backoff

from regie.errors import TransientError

RETRIES = 4
RETRY_DELAYS = exponential_backoff(backoff_factor=5)  # 5, 10, 20, 40 s
RETRY_JITTER = 0.5


def only_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a failed task run only when it failed with a :class:`TransientError`."""
    try:
        state.result()
    except TransientError:
        return True
    except Exception:
        return False
    return False


STAGE_TASK_OPTIONS: dict[str, Any] = {
    "retries": RETRIES,
    "retry_delay_seconds": RETRY_DELAYS,
    "retry_jitter_factor": RETRY_JITTER,
    "retry_condition_fn": only_transient,
}
