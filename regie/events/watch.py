"""What changed in a bucket prefix since the last look: the polling watcher's pure part.

The state is the listing itself (key -> ETag), stored as one JSON document: 100,000 keys make
about 8 MB, read and written once per sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, Field

from regie.events.uploads import ObjectCreated


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
