"""GPU slots: global concurrency limits named per pool and resource, always strict.

A worker on a GPU pool runs with ``REGIE_GPU_POOL`` set (the pool's job template sets it), so its
GPU stages take a slot of ``gpu:<pool>:<resource>``. Strict: a limit that was never created
(``regie setup`` creates them) stops the stage instead of letting it run unthrottled. Without a
pool (the embedded default, one process), there is nothing to share and no slot is taken.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from prefect import get_run_logger
from prefect.concurrency.sync import concurrency

GpuResource = Literal["nvenc", "cuda"]
LEASE_S = 120  # a crashed holder's slot comes back within about two minutes
# Logged when a slot is taken and given back: the run's logs show when it held the GPU.
ACQUIRED, RELEASED = "GPU slot taken:", "GPU slot given back:"


def gpu_limit_name(pool: str, resource: GpuResource) -> str:
    """The global concurrency limit guarding ``resource`` on ``pool``."""
    return f"gpu:{pool}:{resource}"


@contextmanager
def gpu_slot(pool: str | None, resource: GpuResource) -> Iterator[None]:
    """Hold one slot of the pool's ``resource`` limit for the duration of the block."""
    if not pool:
        yield
        return
    name, log, asked = gpu_limit_name(pool, resource), get_run_logger(), time.monotonic()
    with concurrency(name, occupy=1, strict=True, lease_duration=LEASE_S):
        log.info("%s %s after %.1f s", ACQUIRED, name, time.monotonic() - asked)
        try:
            yield
        finally:
            log.info("%s %s", RELEASED, name)
