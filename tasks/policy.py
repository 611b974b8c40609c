"""Policy shared by every stage task: only transient failures are retried; time limits.

The limits are kept by ``regie.deadline`` (tools killed when a stage's limit passes), not by
Prefect's ``timeout_seconds``, which cannot interrupt a task blocked in a worker thread.
Fetch and publish have none of their own: a cold restore has the restore policy's timeout and
storage requests have their socket timeouts.
"""

from __future__ import annotations

from typing import Any

from prefect.tasks import exponential_backoff

from regie.deadline import time_limit
from regie.errors import TransientError
from tasks.logs import quiet_permanent_failures

quiet_permanent_failures()  # every stage task imports this module
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


HOUR = 3600
STAGE_LIMITS_S: dict[str, float] = {
    "probe": 600, "shots": 4 * HOUR, "asr": 6 * HOUR, "subtitles": HOUR, "tagging": HOUR,
    "transcode": 8 * HOUR,
}  # fmt: skip


def stage_time_limit(stage: str) -> Any:
    """The block in which ``stage``'s tools run, killed once its limit has passed."""
    return time_limit(STAGE_LIMITS_S[stage])
