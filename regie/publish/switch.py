"""Switching an asset's stable entry points to a release: the last and only visible step.

The release's own master and MPD are read back from the origin (so a rollback needs nothing but
the origin), rewritten to point into the release folder, and written in the order a reader can
never see half of: stable MPD and master first, the pointer last. Each write is atomic.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from regie.content_types import CONTENT_TYPES
from regie.errors import PermanentError
from regie.publish.layout import CachePolicy
from regie.publish.pointer import (
    POINTER,
    RELEASE_RECORD,
    STABLE_DASH,
    STABLE_HLS,
    STABLE_REVIEW,
    Pointer,
    pointer_json,
    stable_master,
    stable_mpd,
    stable_review,
)
from regie.storage import Storage, join_url


def switch_to(
    storage: Storage, asset_url: str, slug: str, release: str, cache: CachePolicy
) -> Pointer:
    """Point the asset's stable master, MPD and ``current.json`` at a complete ``release``."""
    release_url = join_url(asset_url, release)
    if not storage.exists(join_url(release_url, RELEASE_RECORD)):
        raise PermanentError(slug, f"release {release} is incomplete: it cannot go live")
    master = storage.read_bytes(join_url(release_url, STABLE_HLS)).decode()
    mpd = storage.read_bytes(join_url(release_url, STABLE_DASH)).decode()
    pointer = Pointer(
        asset=slug, release=release, hls=f"{release}/{STABLE_HLS}",
        dash=f"{release}/{STABLE_DASH}", published_at=datetime.now(UTC),
    )  # fmt: skip
    _write(storage, join_url(asset_url, STABLE_DASH), stable_mpd(mpd, release), cache)
    _write(storage, join_url(asset_url, STABLE_HLS), stable_master(master, release), cache)
    if storage.exists(join_url(release_url, STABLE_REVIEW)):  # releases before the review page
        _write(storage, join_url(asset_url, STABLE_REVIEW), stable_review(release), cache)
    _write(storage, join_url(asset_url, POINTER), pointer_json(pointer), cache)
    return pointer


def write_release_record(
    storage: Storage, release_url: str, record: dict[str, object], cache: CachePolicy
) -> None:
    """Mark a release complete: written after all its objects, required before it goes live."""
    text = json.dumps(record, indent=2, default=str)
    _write(storage, join_url(release_url, RELEASE_RECORD), text, cache)


def read_pointer(storage: Storage, asset_url: str) -> Pointer | None:
    url = join_url(asset_url, POINTER)
    if not storage.exists(url):
        return None
    return Pointer.model_validate_json(storage.read_bytes(url))


def _write(storage: Storage, url: str, text: str, cache: CachePolicy) -> None:
    suffix = "." + url.rsplit(".", 1)[-1]
    with storage.open_write(url, CONTENT_TYPES[suffix], None, cache.manifest, cache.acl) as target:
        target.write(text.encode())
