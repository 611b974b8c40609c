"""What every store speaks: URLs, what a store says about an object, an object being written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

COLD_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE", "GLACIER_IR_PENDING"})


def join_url(base: str, *parts: str) -> str:
    """Join URL path segments with exactly one slash between them."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts if p)])


def protocol_of(url: str) -> str:
    return urlsplit(url).scheme or "file"


def local_path(url: str) -> Path:
    """The file a ``file://`` URL names, percent-escapes decoded (``Path.as_uri`` writes them)."""
    return Path(unquote(urlsplit(url).path))


@dataclass(frozen=True)
class ObjectInfo:
    """What a store says about one object."""

    url: str
    size: int
    etag: str | None = None
    storage_class: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    restore: str | None = None
    modified: datetime | None = None

    @property
    def is_cold(self) -> bool:
        """Stored in an archive class that must be restored before it can be read."""
        return (self.storage_class or "").upper() in COLD_CLASSES

    @property
    def is_restored(self) -> bool:
        """A restore finished and the temporary copy is readable."""
        return bool(self.restore) and 'ongoing-request="false"' in (self.restore or "")

    @property
    def restore_in_progress(self) -> bool:
        return 'ongoing-request="true"' in (self.restore or "")

    @property
    def is_multipart(self) -> bool:
        """Multipart ETags (``<md5 of md5s>-<parts>``) are not the MD5 of the content."""
        return bool(self.etag) and "-" in (self.etag or "")


class Upload:
    """An object being written: visible after :meth:`commit`, gone after :meth:`abort`."""

    stream: IO[bytes]

    def commit(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError
