"""Run logs that read well in the Prefect UI: an expected, permanent failure is one line.

Prefect logs a failed task or flow run with its traceback (``exc_info``). For a
:class:`~regie.errors.PermanentError` (bad media, a missing object or model) the message already
says what failed, on which asset and what to do; the 60 lines of engine frames under it only
hide that. Every other exception keeps its traceback: it is a bug to look into.
"""

from __future__ import annotations

import logging

from regie.errors import PermanentError

RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs")


class PermanentFailureFilter(logging.Filter):
    """Drops the traceback of records about a :class:`PermanentError`; keeps the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermanentError):
            record.exc_info, record.exc_text = None, None
        return True


def quiet_permanent_failures() -> None:
    """Install the filter on Prefect's run loggers (once per process)."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PermanentFailureFilter) for f in logger.filters):
            logger.addFilter(PermanentFailureFilter())
