"""``regie setup``: pools, queues, GPU limits and block documents on a Prefect server.

Idempotent: every object is created or brought back to what the topology says, so running it again
after a change (a pool resized, a template updated) converges instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
    WorkPoolCreate,
)
from prefect.exceptions import ObjectNotFound

from blocks import CdnTargetBlock, ModelStoreBlock, ObjectStoreBlock
from deployments.templates import pool_template
from deployments.topology import (
    BACKFILL,
    DEFAULT_QUEUE,
    POOLS,
    URGENT,
    PoolSpec,
    QueueSpec,
    concurrency_limits,
)

BLOCK_TYPES = (ObjectStoreBlock, ModelStoreBlock, CdnTargetBlock)


@dataclass
class SetupReport:
    """What ``regie setup`` left on the server."""

    pools: dict[str, str] = field(default_factory=dict)  # name -> type
    queues: dict[str, dict[str, int]] = field(default_factory=dict)  # pool -> queue -> priority
    pool_limits: dict[str, int] = field(default_factory=dict)  # pool -> flow runs at once
    limits: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, str] = field(default_factory=dict)  # document name -> block type slug


def setup(
    settings: Any, infrastructure: str = "process", environment: str = "regie",
    limit_overrides: dict[str, int] | None = None, pools: tuple[PoolSpec, ...] = POOLS,
) -> SetupReport:  # fmt: skip
    """Create or update everything the deployments in ``prefect.yaml`` rely on."""
    report = SetupReport()
    with get_client(sync_client=True) as client:
        for pool in pools:
            report.pools[pool.name] = _ensure_pool(client, pool, infrastructure)
            report.queues[pool.name] = _ensure_queues(client, pool)
            report.pool_limits[pool.name] = pool.flow_runs
        for name, size in concurrency_limits(pools, limit_overrides).items():
            _ensure_limit(client, name, size)
            report.limits[name] = size
    report.blocks = save_blocks(settings, environment)
    return report


def save_blocks(settings: Any, environment: str) -> dict[str, str]:
    """Register the block types and save one document of each, named after the environment."""
    for block_type in BLOCK_TYPES:
        block_type.register_type_and_schema()
    object_store = ObjectStoreBlock.from_settings(settings)
    documents = {
        f"{environment}-object-store": object_store,
        f"{environment}-model-store": ModelStoreBlock.from_settings(settings, object_store),
        f"{environment}-cdn-target": CdnTargetBlock.from_settings(settings),
    }
    for name, block in documents.items():
        block.save(name, overwrite=True)
    return {name: block.get_block_type_slug() for name, block in documents.items()}


def _ensure_pool(client: SyncPrefectClient, pool: PoolSpec, infrastructure: str) -> str:
    client.create_work_pool(
        WorkPoolCreate(
            name=pool.name, type=infrastructure, description=pool.description,
            base_job_template=pool_template(pool, infrastructure),
            concurrency_limit=pool.flow_runs,
        ),
        overwrite=True,
    )  # fmt: skip
    return infrastructure


def _ensure_queues(client: SyncPrefectClient, pool: PoolSpec) -> dict[str, int]:
    """The pool's urgent and backfill queues, described and limited, and no other queue.

    Prefect creates every pool with a ``default`` queue that cannot be deleted (it is the
    pool's default): it becomes :data:`DEFAULT_QUEUE` instead of sitting between the two.
    """
    default_id = client.read_work_pool(pool.name).default_queue_id
    existing = {queue.name: queue for queue in client.read_work_queues(work_pool_name=pool.name)}
    default = next((q for q in existing.values() if q.id == default_id), None)
    if default is not None and DEFAULT_QUEUE.name not in existing:
        existing[DEFAULT_QUEUE.name] = existing.pop(default.name)
    for spec in (URGENT, BACKFILL):
        settings = _queue_settings(pool, spec)
        if spec.name in existing:
            client.update_work_queue(existing[spec.name].id, name=spec.name, **settings)
        else:
            client.create_work_queue(spec.name, work_pool_name=pool.name, **settings)
    return {spec.name: spec.priority for spec in (URGENT, BACKFILL)}


def _queue_settings(pool: PoolSpec, queue: QueueSpec) -> dict[str, Any]:
    return {"priority": queue.priority, "description": queue.description,
            "concurrency_limit": pool.queue_limit(queue)}  # fmt: skip


def _ensure_limit(client: SyncPrefectClient, name: str, size: int) -> None:
    try:
        client.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=size))
        return
    client.update_global_concurrency_limit(
        name, GlobalConcurrencyLimitUpdate(limit=size, active=True)
    )
