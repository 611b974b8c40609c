"""What changed in a bucket prefix since the last look: the polling watcher's engine.

The state is the listing itself (key -> ETag), stored as one JSON document in the work store
(``_watch/<digest of the prefix>.json``): 100,000 keys make about 8 MB, read and written once per
sweep.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from regie.events.uploads import InvalidKeyError, ObjectCreated, check_key
from regie.storage import ObjectInfo, Storage, join_url
from regie.storage.s3 import split_s3_url

log = logging.getLogger("regie.events.watch")


class ListingState(BaseModel):
    """The objects seen under a prefix at the last sweep."""

    prefix: str
    etags: dict[str, str] = Field(default_factory=dict, description="Key -> ETag.")
    swept_at: datetime | None = None


def diff_listing(
    state: ListingState, listing: Iterable[ObjectCreated]
) -> tuple[list[ObjectCreated], ListingState]:
    """New or changed objects since ``state``, and the state to store once they are emitted.

    Deleted objects simply leave the state; an object put back with other content is new again.
    """
    changed: list[ObjectCreated] = []
    now: dict[str, str] = {}
    for upload in listing:
        now[upload.key] = upload.etag
        if state.etags.get(upload.key) != upload.etag:
            changed.append(upload)
    return changed, ListingState(prefix=state.prefix, etags=now)


def state_url(work_url: str, prefix_url: str) -> str:
    digest = hashlib.sha256(prefix_url.encode()).hexdigest()[:16]
    return join_url(work_url, "_watch", f"{digest}.json")


def load_state(storage: Storage, url: str) -> ListingState | None:
    """The state of the last sweep; None before the first."""
    found = storage.find(url)
    return ListingState.model_validate_json(storage.read_bytes(url)) if found else None


def save_state(storage: Storage, url: str, state: ListingState) -> None:
    swept = state.model_copy(update={"swept_at": datetime.now(UTC)})
    storage.write_bytes(url, swept.model_dump_json().encode(), "application/json")


def list_uploads(storage: Storage, prefix_url: str) -> list[ObjectCreated]:
    """Every object under the prefix; keys that must never be processed are left out, loudly."""
    listing = []
    for info in storage.iter_objects(prefix_url):
        try:
            listing.append(_upload(info))
        except InvalidKeyError as error:
            log.warning("skipped: %s", error)
    return listing


def _upload(info: ObjectInfo) -> ObjectCreated:
    bucket, key = split_s3_url(info.url)
    check_key(bucket, key)
    return ObjectCreated(
        bucket=bucket, key=key, etag=info.etag or "", size=info.size,
        time=info.modified or datetime.now(UTC),
    )  # fmt: skip
