"""Stage tasks retry transient failures and never retry permanent ones (real Prefect engine)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from prefect import flow, task
from prefect.testing.utilities import prefect_test_harness

from regie.errors import PermanentError, TransientError
from tasks.policy import RETRIES, STAGE_TASK_OPTIONS

pytestmark = [pytest.mark.slow, pytest.mark.allow_error_logs]  # Prefect logs the failed runs


@pytest.fixture(scope="module", autouse=True)
def prefect_api() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=60):
        yield


def _run(failures: list[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []
    options = {**STAGE_TASK_OPTIONS, "retry_delay_seconds": 0, "retry_jitter_factor": None}

    @task(**options)
    def stage() -> str:
        calls.append(len(calls))
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "done"

    @flow
    def parent() -> str:
        return stage()

    try:
        return calls, parent()
    except Exception as error:  # the flow re-raises the task's final error
        return calls, error


def test_transient_errors_are_retried_until_success() -> None:
    calls, result = _run([TransientError("a1", "503 SlowDown"), TransientError("a1", "timeout")])
    assert result == "done" and len(calls) == 3


def test_permanent_error_is_not_retried_and_logged_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls, result = _run([PermanentError("a1", "not a media file")])
    assert isinstance(result, PermanentError) and len(calls) == 1
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failed and all("a1: not a media file" in r.getMessage() for r in failed)
    assert not any(r.exc_info for r in failed)


def test_an_unexpected_error_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    _run([ZeroDivisionError("a bug")])
    assert any(r.exc_info for r in caplog.records if r.levelno >= logging.ERROR)


def test_retries_are_bounded() -> None:
    calls, result = _run([TransientError("a1", "503")] * (RETRIES + 5))
    assert isinstance(result, TransientError) and len(calls) == RETRIES + 1
