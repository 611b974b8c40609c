"""Uploads become Prefect events ``regie.object.created``, once per upload whatever the route.

Every route (webhook bridge, queue consumer, polling watcher) emits through :func:`emit_uploads`
to the Prefect API it is given (:class:`EventsApi`: the caller reads Prefect's settings):
an upload is first *claimed* in Redis under its identity (bucket, key, ETag), then posted to the
Prefect API, then marked done for a day; a failed post gives the claim back, so nothing is lost
and a second notification of the same upload, by the same route or another, emits nothing.
The event id is derived from the identity too, and Prefect's triggers skip an id they have seen.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import httpx

from regie.errors import TransientError
from regie.events.uploads import EVENT_NAME, ObjectCreated

CLAIM_S = 60  # long enough to post one batch of events
DONE_S = 24 * 3600  # the same upload notified again within a day starts nothing


class SeenUploads(Protocol):
    def claim(self, identity: str) -> bool: ...
    def done(self, identity: str) -> None: ...
    def release(self, identity: str) -> None: ...


class RedisSeenUploads:
    """Claims shared by every bridge, consumer and watcher process."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)

    def claim(self, identity: str) -> bool:
        return bool(self.redis.set(f"regie:upload:{identity}", "claimed", nx=True, ex=CLAIM_S))

    def done(self, identity: str) -> None:
        self.redis.set(f"regie:upload:{identity}", "emitted", ex=DONE_S)

    def release(self, identity: str) -> None:
        self.redis.delete(f"regie:upload:{identity}")


class MemorySeenUploads:
    """Claims within one process (embedded mode, a single bridge)."""

    def __init__(self) -> None:
        self.until: dict[str, float] = {}
        self.lock = threading.Lock()

    def claim(self, identity: str) -> bool:
        with self.lock:
            if self.until.get(identity, 0) > time.monotonic():
                return False
            self.until[identity] = time.monotonic() + CLAIM_S
            return True

    def done(self, identity: str) -> None:
        with self.lock:
            self.until[identity] = time.monotonic() + DONE_S

    def release(self, identity: str) -> None:
        with self.lock:
            self.until.pop(identity, None)


def seen_uploads(redis_url: str | None) -> SeenUploads:
    return RedisSeenUploads(redis_url) if redis_url else MemorySeenUploads()


def upload_event(upload: ObjectCreated) -> dict[str, object]:
    """The Prefect event for ``upload``; its resource id is the object's URL."""
    return {
        "id": str(upload.event_id),
        "occurred": upload.time.isoformat(),
        "event": EVENT_NAME,
        "resource": {
            "prefect.resource.id": upload.uri,
            "prefect.resource.name": upload.key,
            "s3.bucket": upload.bucket,
            "s3.etag": upload.etag,
        },
        "payload": upload.payload(),
    }


@dataclass(frozen=True)
class EventsApi:
    """The Prefect API events are posted to: its URL and basic-auth string, if any."""

    url: str | None
    auth: str | None = None

    def post(self, events: list[dict[str, object]]) -> None:
        if not self.url:
            raise TransientError("events", "no Prefect API URL: no server to send events to")
        headers = {"Authorization": f"Basic {_basic(self.auth)}"} if self.auth else {}
        try:
            response = httpx.post(f"{self.url}/events", json=events, headers=headers, timeout=10)
        except httpx.HTTPError as error:
            raise TransientError("events", f"Prefect API unreachable ({error})") from error
        if response.status_code >= 300:
            raise TransientError("events", f"Prefect API answered {response.status_code}")


def emit_uploads(
    uploads: Iterable[ObjectCreated], seen: SeenUploads, api: EventsApi
) -> list[ObjectCreated]:
    """Post one event per upload not claimed already; returns those emitted now.

    Raises:
        TransientError: The Prefect API did not take the events (their claims are given back).
    """
    claimed = [upload for upload in uploads if seen.claim(upload.identity)]
    if not claimed:
        return []
    try:
        api.post([upload_event(upload) for upload in claimed])
    except TransientError:
        for upload in claimed:
            seen.release(upload.identity)
        raise
    for upload in claimed:
        seen.done(upload.identity)
    return claimed


def _basic(auth: str) -> str:
    return base64.b64encode(auth.encode()).decode()
