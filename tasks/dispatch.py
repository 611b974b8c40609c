"""Prefect's sync/async dual functions, as the synchronous flows and tasks here call them.

``run_deployment`` and the ``create_*_artifact`` / ``update_progress_artifact`` functions are
``@async_dispatch`` functions: the same call runs the sync implementation from sync code and
returns the async one's coroutine from async code, so Prefect annotates their result
``T | Coroutine[Any, Any, T]``. Every flow and task of Régie is synchronous.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def synced(result: T | Coroutine[Any, Any, T]) -> T:
    """The value of an ``@async_dispatch`` call made from sync code; a coroutine (the call was
    made from async code) is closed and refused rather than passed on unawaited."""
    if isinstance(result, Coroutine):
        result.close()
        raise TypeError("a Prefect async_dispatch function called from async code: await it")
    return result
