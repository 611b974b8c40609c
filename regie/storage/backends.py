"""How each kind of store is reached: one backend per URL scheme, named in a registry.

fsspec does the work for local folders and memory; the S3 backend (:mod:`regie.storage.s3`)
overrides what only the S3 API knows. :class:`~regie.storage.store.Storage` picks the backend of a
URL's scheme and adds what every store shares: the residency guard, error translation, hashing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import fsspec
from fsspec import AbstractFileSystem

from regie.errors import PermanentError
from regie.registry import Registry
from regie.storage.objects import ObjectInfo, Upload, local_path, protocol_of

if TYPE_CHECKING:
    from regie.storage.s3 import S3Config


class FsspecBackend:
    """Local folders (``file://``) and the in-memory store (``memory://``), through fsspec.

    Args:
        s3_config: Unused here; every backend is built from the same two settings.
        block_size: Streaming block size in bytes.
    """

    # A local OSError is a full disk or a bug, never worth a retry; S3 says otherwise.
    transient_os_errors = False

    def __init__(self, s3_config: S3Config, block_size: int) -> None:
        self.s3_config = s3_config
        self.block_size = block_size

    def location(self, url: str) -> str:
        """Where ``url`` physically lives, for provenance records."""
        return protocol_of(url)

    def filesystem_options(self) -> dict[str, Any]:
        return {}

    def filesystem(self, url: str) -> tuple[AbstractFileSystem, str]:
        """The fsspec filesystem and path for ``url``."""
        if protocol_of(url) == "file":
            url = local_path(url).as_posix()  # percent-escapes decoded
        fs, path = fsspec.core.url_to_fs(url, **self.filesystem_options())
        return fs, path

    def info(self, url: str) -> ObjectInfo:
        fs, path = self.filesystem(url)
        detail = fs.info(path)
        if detail["type"] != "file":
            raise PermanentError(url, "is a directory, not an object")
        return ObjectInfo(url=url, size=int(detail["size"]))

    def open_read(self, url: str) -> IO[bytes]:
        fs, path = self.filesystem(url)
        stream: IO[bytes] = fs.open(path, "rb")
        return stream

    def upload(self, url: str, headers: dict[str, Any]) -> Upload:
        """An object being written. Folders have nowhere to keep ``headers``: they are dropped."""
        return RenameUpload(*self.filesystem(url))

    def iter_objects(self, prefix_url: str, page_size: int) -> Iterator[ObjectInfo]:
        fs, path = self.filesystem(prefix_url)
        for name, detail in sorted(fs.find(path, detail=True).items()):
            yield ObjectInfo(url=fs.unstrip_protocol(name), size=int(detail["size"]))

    def presigned_url(self, url: str, expires_s: int) -> str:
        raise PermanentError(url, "only S3 stores sign addresses", "publish it or serve it")

    def request_restore(self, url: str, days: int) -> None:
        raise PermanentError(url, "only S3 stores have cold storage classes to restore from")


class RenameUpload(Upload):
    """Local and in-memory stores: write a hidden temporary name, then rename it into place."""

    def __init__(self, fs: AbstractFileSystem, path: str) -> None:
        parent, _, name = path.rpartition("/")
        fs.makedirs(parent, exist_ok=True)
        self.fs, self.path = fs, path
        self.temporary = f"{parent}/.{name}.{uuid.uuid4().hex}.part"
        self.stream = fs.open(self.temporary, "wb")

    def commit(self) -> None:
        self.stream.close()
        self.fs.mv(self.temporary, self.path)

    def abort(self) -> None:
        self.stream.close()
        if self.fs.exists(self.temporary):
            self.fs.rm(self.temporary)


BACKENDS: Registry[FsspecBackend] = Registry(
    "storage backend",
    {
        "file": "regie.storage.backends:FsspecBackend",
        "memory": "regie.storage.backends:FsspecBackend",
        "s3": "regie.storage.s3:S3Backend",
    },
)


def transient_os_errors(url: str) -> bool:
    """Whether an OSError from the store of ``url`` is worth a retry."""
    backend: Any = BACKENDS.load(protocol_of(url), url)  # the class: no connection is made
    return bool(backend.transient_os_errors)
