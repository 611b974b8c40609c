"""Moving an asset's pointer back to an earlier complete release (``regie unpublish``).

Releases are never deleted by a publish, so a rollback is only a switch: the stable master, MPD
and pointer are rewritten from the chosen release's own files. Only releases with a
``release.json`` (complete) are candidates; without ``--to``, the newest one before the live one.
"""

from __future__ import annotations

import json

from regie.errors import PermanentError
from regie.publish.layout import CachePolicy
from regie.publish.pointer import RELEASE_RECORD, Pointer
from regie.publish.switch import read_pointer, switch_to
from regie.storage import Storage


def complete_releases(storage: Storage, asset_url: str) -> list[str]:
    """Release ids under ``asset_url`` that finished uploading, oldest first."""
    records = [
        info.url
        for info in storage.iter_objects(asset_url)
        if info.url.endswith(f"/{RELEASE_RECORD}")
    ]
    dated = [(json.loads(storage.read_bytes(url))["completed_at"], url) for url in records]
    return [url.rsplit("/", 2)[-2] for _, url in sorted(dated)]


def unpublish(
    storage: Storage, asset_url: str, slug: str, to: str | None, cache: CachePolicy
) -> Pointer:
    """Point the asset at release ``to``, or at the release before the live one."""
    live = read_pointer(storage, asset_url)
    releases = complete_releases(storage, asset_url)
    if to is None:
        if live is None or live.release not in releases or releases.index(live.release) == 0:
            raise PermanentError(slug, "no earlier complete release to go back to")
        to = releases[releases.index(live.release) - 1]
    elif to not in releases:
        known = ", ".join(releases) or "none"
        raise PermanentError(slug, f"no complete release {to!r} (complete releases: {known})")
    return switch_to(storage, asset_url, slug, to, cache)
