"""An uploaded object, the checks its key must pass and the filter that picks what to process."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from regie.errors import PermanentError

EVENT_NAME = "regie.object.created"
MAX_KEY_BYTES = 1024  # S3's own limit
UPLOAD_NAMESPACE = uuid.UUID("6f1d3a52-52c4-4d5e-9d0b-7c3b2b6a8e11")


class InvalidKeyError(PermanentError):
    """An object key that could escape its prefix or confuse a path or a log."""


def check_key(bucket: str, key: str) -> None:
    """Refuse keys with ``..`` segments, absolute paths, control characters or no name."""
    where = f"s3://{bucket}/{key!r}"
    if not key or len(key.encode()) > MAX_KEY_BYTES:
        raise InvalidKeyError(where, "key is empty or longer than 1024 bytes")
    if key.startswith("/") or "\\" in key:
        raise InvalidKeyError(where, "key is an absolute or Windows path")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        raise InvalidKeyError(where, "key contains control characters")
    if ".." in PurePosixPath(key).parts or key.endswith("/"):
        raise InvalidKeyError(where, "key has a '..' segment or names a folder")


class ObjectCreated(BaseModel):
    """One object written to a bucket, whoever told us (webhook, queue or watcher)."""

    model_config = ConfigDict(frozen=True)

    bucket: str = Field(min_length=3, max_length=63)
    key: str
    etag: str = Field(description="ETag without quotes; bucket, key and ETag identify an upload.")
    size: int = Field(ge=0)
    time: datetime

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def identity(self) -> str:
        """The same upload, notified N times or by two routes, has one identity."""
        return hashlib.sha256(f"{self.bucket}\0{self.key}\0{self.etag}".encode()).hexdigest()

    @property
    def event_id(self) -> uuid.UUID:
        """Deterministic event id: Prefect's triggers skip an event id they have already seen."""
        return uuid.uuid5(UPLOAD_NAMESPACE, self.identity)

    def payload(self) -> dict[str, object]:
        return {
            "bucket": self.bucket, "key": self.key, "etag": self.etag, "size": self.size,
            "time": self.time.isoformat(), "uri": self.uri,
        }  # fmt: skip


class UploadFilter(BaseModel):
    """Which uploads start a run: the buckets watched, key prefixes, extensions, a minimum size."""

    model_config = ConfigDict(frozen=True)

    buckets: tuple[str, ...] = Field(description="Buckets notifications may come from.")
    prefixes: tuple[str, ...] = ("",)
    extensions: tuple[str, ...] = (".mxf", ".mov", ".mp4", ".mkv", ".ts", ".wav", ".flac")
    min_size: int = Field(1, description="Smaller objects (placeholders, empty parts) are ignored.")

    def knows_bucket(self, bucket: str) -> bool:
        return bucket in self.buckets

    def split(self, uploads: list[ObjectCreated]) -> tuple[list[ObjectCreated], list[str]]:
        """The uploads to process, and the buckets named that are not watched."""
        strangers = sorted({u.bucket for u in uploads if not self.knows_bucket(u.bucket)})
        wanted = [u for u in uploads if u.bucket not in strangers and self.ignores(u) is None]
        return wanted, strangers

    def ignores(self, upload: ObjectCreated) -> str | None:
        """Why ``upload`` is not for us, or None when it should be processed."""
        if not upload.key.startswith(self.prefixes):
            return "outside the watched prefixes"
        if not upload.key.lower().endswith(self.extensions):
            return "not a media extension"
        if upload.size < self.min_size:
            return f"smaller than {self.min_size} bytes"
        return None
