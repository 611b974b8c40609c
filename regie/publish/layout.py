"""What a release contains and how the CDN must serve each file (pure).

A release is the transcode package copied under ``<prefix>/<asset-slug>/<release>/`` with the
same relative names, so every relative URI in the playlists and the MPD still resolves. Segments,
pictures and sidecars never change once published (their path holds the release id), so they are
cached for a year and marked immutable; playlists, manifests and the pointer live a few seconds
at the edge, so a switch or a rollback reaches viewers quickly.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from regie.content_types import CONTENT_TYPES
from regie.errors import PermanentError
from regie.stage import OutputFile

MANIFEST_SUFFIXES = frozenset({".m3u8", ".mpd"})
MAX_KEY_BYTES = 1024  # S3's limit on a whole key
MAX_SEGMENT_BYTES = 255  # a path segment: what file systems and most CDNs accept
SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


class CachePolicy(BaseModel):
    """How the origin serves a release: Cache-Control per kind of file, and who may read it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    media: str = "public, max-age=31536000, immutable"
    manifest: str = "public, max-age=5"
    acl: str | None = Field(
        "public-read", description="Canned ACL on S3 origins (None: a bucket policy decides)."
    )


class ReleaseFile(BaseModel):
    """One object of a release: where it comes from and how it is served."""

    model_config = ConfigDict(frozen=True)

    source: str
    key: str
    size: int
    sha256: str
    content_type: str
    cache_control: str
    kind: Literal["media", "manifest"]


def release_files(outputs: list[OutputFile], policy: CachePolicy, asset: str) -> list[ReleaseFile]:
    """The stage outputs a viewer needs, typed and cached correctly, media before manifests."""
    files = []
    for output in outputs:
        safe_key(output.name, asset)  # every name is vetted, even those not published
        suffix = PurePosixPath(output.name).suffix
        if suffix not in CONTENT_TYPES:
            continue
        kind = "manifest" if suffix in MANIFEST_SUFFIXES else "media"
        files.append(
            ReleaseFile(
                source=output.uri, key=output.name, size=output.size,
                sha256=output.sha256, content_type=CONTENT_TYPES[suffix],
                cache_control=policy.manifest if kind == "manifest" else policy.media, kind=kind,
            )
        )  # fmt: skip
    return sorted(files, key=lambda f: (f.kind == "manifest", f.key))


def safe_key(key: str, asset: str) -> str:
    """``key`` if it is a plain relative object key; otherwise a PermanentError before any write."""
    reason = _unsafe(key)
    if reason:
        raise PermanentError(asset, f"refusing to publish key {key[:80]!r}: {reason}")
    return key


def asset_slug(name: str) -> str:
    """A URL-safe, readable folder name: ``Journal 20h (1998).mxf`` -> ``journal-20h-1998``."""
    stem = PurePosixPath(name).stem
    ascii_text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = SLUG_UNSAFE.sub("-", ascii_text.lower()).strip("-")
    return slug[:100] or "asset"


def _unsafe(key: str) -> str | None:
    if not key or key.startswith("/") or "\\" in key:
        return "not a relative key"
    if any(ord(char) < 32 or ord(char) == 127 for char in key):
        return "control characters"
    if any(part in ("", ".", "..") for part in key.split("/")):
        return "empty, '.' or '..' path segment"
    if len(key.encode()) > MAX_KEY_BYTES or any(
        len(part.encode()) > MAX_SEGMENT_BYTES for part in key.split("/")
    ):
        return "name too long"
    return None
