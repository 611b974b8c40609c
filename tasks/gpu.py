"""GPU slots: global concurrency limits named per pool and resource, always strict.

A worker on a GPU pool runs with ``REGIE_GPU_POOL`` set (the pool's job template sets it), so its
GPU stages take a slot of ``gpu:<pool>:<resource>``, the resource being the stage's in the stage
table (flows/dag.py). Strict: a limit that was never created
(``regie setup`` creates them) stops the stage instead of letting it run unthrottled. Without a
pool (the embedded default, one process), there is nothing to share and no slot is taken.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class GpuSlot:
    """One slot of ``resource`` on ``pool``: what a GPU stage holds while it uses the GPU."""

    pool: str
    resource: GpuResource


@contextmanager
def gpu_slot(slot: GpuSlot | None) -> Iterator[None]:
    """Hold ``slot`` for the duration of the block; no slot, nothing to hold."""
    if slot is None:
        yield
        return
    name, log, asked = gpu_limit_name(slot.pool, slot.resource), get_run_logger(), time.monotonic()
    with concurrency(name, occupy=1, strict=True, lease_duration=LEASE_S):
        log.info("%s %s after %.1f s", ACQUIRED, name, time.monotonic() - asked)
        try:
            yield
        finally:
            log.info("%s %s", RELEASED, name)
