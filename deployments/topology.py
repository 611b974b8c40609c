"""The production topology as data: pools per datacenter and hardware class, queues, GPU slots.

One pool per datacenter and hardware class (DESIGN.md, "Where it runs"); every pool has an
``urgent`` and a ``backfill`` queue; every GPU resource of a pool is a strict global concurrency
limit (``tasks.gpu``) sized for the pool's nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.gpu import GpuResource, gpu_limit_name

QUEUES: dict[str, int] = {"urgent": 1, "backfill": 10}  # Prefect priority: 1 goes first


@dataclass(frozen=True)
class PoolSpec:
    """A work pool and the hardware behind it.

    Args:
        name: Work pool name, ``scw-<region>-<zone>-<hardware>``.
        zone: Scaleway availability zone.
        hardware: What a node has, for the pool's description.
        kapsule_pool: Kapsule node pool whose nodes run this pool's jobs.
        slots: GPU slots per resource across the pool (nodes x per-node capacity).
    """

    name: str
    zone: str
    hardware: str
    kapsule_pool: str
    slots: dict[GpuResource, int] = field(default_factory=dict)

    @property
    def has_gpu(self) -> bool:
        return bool(self.slots)


L4_SLOTS: dict[GpuResource, int] = {"nvenc": 4, "cuda": 2}
H100_SLOTS: dict[GpuResource, int] = {"cuda": 2}
POOLS: tuple[PoolSpec, ...] = (
    PoolSpec("scw-fr-par-1-cpu", "fr-par-1", "CPU (POP2-HC)", "regie-cpu"),
    # L4: two NVENC sessions and one Whisper model per GPU, two L4-1-24G nodes.
    PoolSpec("scw-fr-par-2-l4", "fr-par-2", "NVIDIA L4 (NVENC, CUDA)", "regie-l4", L4_SLOTS),
    # H100: CUDA only (no NVENC), for ASR/tagging backfills; one node, two models at once.
    PoolSpec("scw-fr-par-2-h100", "fr-par-2", "NVIDIA H100 (CUDA)", "regie-h100", H100_SLOTS),
)


def concurrency_limits(
    pools: tuple[PoolSpec, ...] = POOLS, overrides: dict[str, int] | None = None
) -> dict[str, int]:
    """Every GPU limit by name with its size; ``overrides`` resize some by name."""
    limits = {
        gpu_limit_name(pool.name, resource): size
        for pool in pools
        for resource, size in pool.slots.items()
    }
    unknown = set(overrides or {}) - set(limits)
    if unknown:
        raise ValueError(f"unknown concurrency limits {sorted(unknown)}; known: {sorted(limits)}")
    return limits | (overrides or {})
