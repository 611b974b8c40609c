"""The production topology as data: pools per datacenter and hardware class, queues, GPU slots.

One pool per datacenter and hardware class (DESIGN.md, "Where it runs"); every pool has an
``urgent`` and a ``backfill`` queue and no other; every GPU resource of a pool is a strict global
concurrency limit (``tasks.gpu``) sized for the pool's nodes. A pool runs at most ``flow_runs``
flow runs at once, and its backfill queue leaves a share of them to fresh uploads, so a bulk
upload or a catalogue backfill queues up instead of starting hundreds of runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.gpu import GpuResource, gpu_limit_name


@dataclass(frozen=True)
class QueueSpec:
    """A work queue every pool has: its priority (1 goes first) and what it is for."""

    name: str
    priority: int
    description: str


URGENT = QueueSpec("urgent", 1, "Fresh uploads and editors' requests: always taken first.")
BACKFILL = QueueSpec(
    "backfill", 10, "Catalogue archives: taken when nothing is urgent, at most 3/4 of the pool."
)
QUEUES: dict[str, int] = {queue.name: queue.priority for queue in (URGENT, BACKFILL)}
# The queue Prefect made with the pool becomes this one: work sent nowhere in particular
# waits behind fresh uploads.
DEFAULT_QUEUE = BACKFILL
BACKFILL_SHARE = 0.75


@dataclass(frozen=True)
class PoolSpec:
    """A work pool and the hardware behind it.

    Args:
        name: Work pool name, ``scw-<region>-<zone>-<hardware>``.
        zone: Scaleway availability zone.
        hardware: What a node has, for the pool's description.
        kapsule_pool: Kapsule node pool whose nodes run this pool's jobs.
        flow_runs: Flow runs at once across the pool (the pool's concurrency limit).
        slots: GPU slots per resource across the pool (nodes x per-node capacity).
    """

    name: str
    zone: str
    hardware: str
    kapsule_pool: str
    flow_runs: int
    slots: dict[GpuResource, int] = field(default_factory=dict)

    @property
    def has_gpu(self) -> bool:
        return bool(self.slots)

    @property
    def description(self) -> str:
        return f"{self.hardware}, Scaleway {self.zone}; at most {self.flow_runs} runs at once"

    def queue_limit(self, queue: QueueSpec) -> int | None:
        """Flow runs the queue may hold at once: backfills never take the whole pool."""
        return max(1, int(self.flow_runs * BACKFILL_SHARE)) if queue is BACKFILL else None


L4_SLOTS: dict[GpuResource, int] = {"nvenc": 4, "cuda": 2}
H100_SLOTS: dict[GpuResource, int] = {"cuda": 2}
POOLS: tuple[PoolSpec, ...] = (
    # CPU: watchers, backfill parents and publish-only runs, light; four POP2-HC nodes.
    PoolSpec("scw-fr-par-1-cpu", "fr-par-1", "CPU (POP2-HC)", "regie-cpu", 16),
    # L4: two NVENC sessions and one Whisper model per GPU, two L4-1-24G nodes; four runs a
    # node keep the GPU busy while others fetch, probe and publish.
    PoolSpec("scw-fr-par-2-l4", "fr-par-2", "NVIDIA L4 (NVENC, CUDA)", "regie-l4", 8, L4_SLOTS),
    # H100: CUDA only (no NVENC), for ASR/tagging backfills; one node, two models at once.
    PoolSpec("scw-fr-par-2-h100", "fr-par-2", "NVIDIA H100 (CUDA)", "regie-h100", 4, H100_SLOTS),
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
