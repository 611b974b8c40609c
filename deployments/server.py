"""The environment of a production ``prefect server``: PostgreSQL, Redis, no telemetry.

Redis carries the event messaging, the causal ordering, the docket and the concurrency leases:
with the default in-memory lease storage a server restart while GPU slots are held leaks them
for good (shared/notes/prefect.md, verified on 3.9.1); in Redis they survive the restart.
"""

from __future__ import annotations


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """Variables for ``prefect server start`` (and its services) on PostgreSQL and Redis.

    Args:
        database_url: e.g. postgresql+asyncpg://prefect:SECRET@10.0.0.5:5432/prefect
        redis_url: e.g. redis://10.0.0.6:6379/0
    """
    return {
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
        "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
        "PREFECT_REDIS_MESSAGING_URL": redis_url,
        "PREFECT_SERVER_DOCKET_URL": redis_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
