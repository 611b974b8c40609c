"""watch-bucket: the polling route for stores that send no notifications (Scaleway today).

Every minute (deployment ``watch-bucket/every-minute``) it lists the prefix page by page, compares
the listing with the one it stored last time (key -> ETag, in the work store) and emits
``regie.object.created`` for new or changed objects, through the same once-per-upload emitter as
the bridge and the queue consumer. The new listing is stored only after the events went out, so
a failed sweep is simply done again. The first sweep of a prefix records what is there without
emitting, unless ``baseline`` is False: the catalogue already in the bucket is backfill's job.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from prefect import flow, get_run_logger
from pydantic import BaseModel

from regie.events import InvalidKeyError, ListingState, ObjectCreated, check_key, diff_listing
from regie.settings import Settings
from regie.storage import Storage, join_url
from regie.storage.s3 import ObjectInfo, split_s3_url
from tasks.uploads import emit_uploads, seen_uploads


class Sweep(BaseModel):
    """What one sweep saw and did."""

    prefix: str
    listed: int
    changed: int
    emitted: list[str]
    baseline: bool


@flow(name="watch-bucket", flow_run_name="watch-{prefix_url}")
def watch_bucket(prefix_url: str, baseline: bool = True) -> Sweep:
    """Emit an event for every object new or changed under ``prefix_url`` since the last sweep.

    Args:
        prefix_url: s3://bucket/prefix/ to watch.
        baseline: On the first sweep, record the objects already there without emitting.
    """
    settings = Settings()
    storage = settings.storage()
    state_url = join_url(settings.work_url, "_watch", f"{_digest(prefix_url)}.json")
    previous = _load(storage, state_url)
    first = previous is None
    listing = _listing(storage, prefix_url)
    changed, state = diff_listing(previous or ListingState(prefix=prefix_url), listing)
    uploads = settings.upload_filter()
    wanted = [u for u in changed if uploads.ignores(u) is None]
    seen = seen_uploads(settings.events_redis_url)
    emitted = [] if first and baseline else emit_uploads(wanted, seen)
    state = state.model_copy(update={"swept_at": datetime.now(UTC)})
    storage.write_bytes(state_url, state.model_dump_json().encode(), "application/json")
    get_run_logger().info(
        "%s: %d objects, %d new or changed, %d emitted", prefix_url, len(listing), len(changed),
        len(emitted),
    )  # fmt: skip
    return Sweep(
        prefix=prefix_url, listed=len(listing), changed=len(changed),
        emitted=[u.uri for u in emitted], baseline=first and baseline,
    )  # fmt: skip


def _listing(storage: Storage, prefix_url: str) -> list[ObjectCreated]:
    """Every object under the prefix; keys that must never be processed are left out, loudly."""
    listing = []
    for info in storage.iter_objects(prefix_url):
        try:
            listing.append(_upload(info))
        except InvalidKeyError as error:
            get_run_logger().warning("skipped: %s", error)
    return listing


def _upload(info: ObjectInfo) -> ObjectCreated:
    bucket, key = split_s3_url(info.url)
    check_key(bucket, key)
    return ObjectCreated(
        bucket=bucket, key=key, etag=info.etag or "", size=info.size,
        time=info.modified or datetime.now(UTC),
    )  # fmt: skip


def _load(storage: Storage, url: str) -> ListingState | None:
    found = storage.find(url)
    return ListingState.model_validate_json(storage.read_bytes(url)) if found else None


def _digest(prefix_url: str) -> str:
    return hashlib.sha256(prefix_url.encode()).hexdigest()[:16]
