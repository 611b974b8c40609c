"""One interface over every store Régie touches, addressed by URL (``file://``, ``s3://``, ``memory://``).

Bytes are streamed in fixed-size blocks, so a master of any size costs a few blocks of memory. An
object becomes visible only once complete: local and in-memory writes go to a temporary name that
is renamed into place; S3 writes are single PUTs or multipart uploads that exist only when
completed, and an upload that fails is aborted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from regie.errors import ObjectNotFoundError, PermanentError, TransientError
from regie.storage.backends import BACKENDS, FsspecBackend, transient_os_errors
from regie.storage.objects import ObjectInfo, protocol_of
from regie.storage.residency import ResidencyPolicy, check_residency
from regie.storage.s3 import S3Config

BLOCK_SIZE = 8 * 1024 * 1024  # the S3 multipart minimum is 5 MiB
TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "ServiceUnavailable",
        "InternalError",
        "503",
        "500",
        "502",
        "504",
    }
)


@dataclass(frozen=True)
class StoredObject:
    """An object written by Régie, with the checksum computed while it was streamed."""

    url: str
    size: int
    sha256: str


class Storage:
    """Reads and writes objects by URL, refusing locations outside France.

    Args:
        s3_config: Connection used for every ``s3://`` URL.
        residency: Overrides of the residency guard.
        block_size: Streaming block size in bytes.
    """

    def __init__(
        self,
        s3_config: S3Config | None = None,
        residency: ResidencyPolicy | None = None,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        self.s3_config = s3_config or S3Config()
        self.residency = residency or ResidencyPolicy()
        self.block_size = block_size
        self._backends: dict[str, FsspecBackend] = {}

    def backend(self, url: str) -> FsspecBackend:
        """The backend of ``url``'s scheme (one per scheme, built on first use), after the
        residency check."""
        self.check(url)
        protocol = protocol_of(url)
        if protocol not in self._backends:
            engine = BACKENDS.load(protocol, url)
            self._backends[protocol] = engine(self.s3_config, self.block_size)
        return self._backends[protocol]

    def location(self, url: str) -> str:
        """Where ``url`` physically lives, for provenance records."""
        return self.backend(url).location(url)

    def check(self, url: str) -> None:
        """Refuse ``url`` if it lies outside France (see :mod:`regie.storage.residency`)."""
        check_residency(url, self.s3_config.endpoint_url, self.s3_config.region, self.residency)

    def info(self, url: str) -> ObjectInfo:
        """Size, ETag, storage class and metadata of one object."""
        with storage_errors(url):
            return self.backend(url).info(url)

    def find(self, url: str) -> ObjectInfo | None:
        """The object at ``url``, or None: one request where ``exists`` then ``info`` take two."""
        try:
            return self.info(url)
        except ObjectNotFoundError:
            return None

    def exists(self, url: str) -> bool:
        with storage_errors(url):
            fs, path = self.backend(url).filesystem(url)
            return bool(fs.exists(path))

    @contextmanager
    def open_read(self, url: str) -> Iterator[IO[bytes]]:
        """A sequential binary stream over ``url``."""
        with storage_errors(url):
            stream = self.backend(url).open_read(url)
        with stream:
            yield stream

    @contextmanager
    def open_write(
        self,
        url: str,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        cache_control: str | None = None,
        acl: str | None = None,
    ) -> Iterator[IO[bytes]]:
        """A binary stream whose object appears at ``url`` only if the block exits cleanly.

        Content type, user metadata, Cache-Control and a canned ACL are kept by S3 stores; local
        folders have nowhere to keep them.
        """
        headers = {
            "ContentType": content_type,
            "Metadata": metadata,
            "CacheControl": cache_control,
            "ACL": acl,
        }
        with storage_errors(url):
            upload = self.backend(url).upload(url, headers)
        try:
            yield upload.stream
        except BaseException:
            upload.abort()
            raise
        with storage_errors(url):
            upload.commit()

    def put_file(
        self,
        local: Path,
        url: str,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> StoredObject:
        """Upload a local file, streamed, and return its size and sha256."""
        with (
            local.open("rb") as source,
            self.open_write(url, content_type, metadata) as target,
            storage_errors(url),
        ):
            size, digests = copy_hashing(source, target, self.block_size)
        return StoredObject(url=url, size=size, sha256=digests["sha256"])

    def write_bytes(self, url: str, data: bytes, content_type: str | None = None) -> StoredObject:
        """Write a small object (a manifest, a playlist) atomically."""
        with self.open_write(url, content_type) as target:
            target.write(data)
        return StoredObject(url=url, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def read_bytes(self, url: str) -> bytes:
        """Read a small object whole; media goes through :meth:`open_read`."""
        with self.open_read(url) as stream:
            return stream.read()

    def iter_objects(self, prefix_url: str, page_size: int = 1000) -> Iterator[ObjectInfo]:
        """Every object under ``prefix_url``, listed page by page on S3."""
        with storage_errors(prefix_url):
            yield from self.backend(prefix_url).iter_objects(prefix_url, page_size)

    def presigned_url(self, url: str, expires_s: int) -> str:
        """An https (or the endpoint's http) address that reads ``url`` for ``expires_s``."""
        return self.backend(url).presigned_url(url, expires_s)

    def request_restore(self, url: str, days: int) -> None:
        """Ask for a cold object to be restored; only S3 stores have cold classes."""
        with storage_errors(url):
            self.backend(url).request_restore(url, days)

    def delete(self, url: str, recursive: bool = False) -> None:
        with storage_errors(url):
            fs, path = self.backend(url).filesystem(url)
            if fs.exists(path):
                fs.rm(path, recursive=recursive)


def copy_hashing(
    source: IO[bytes],
    target: IO[bytes] | None,
    block_size: int,
    algorithms: tuple[str, ...] = ("sha256",),
) -> tuple[int, dict[str, str]]:
    """Stream ``source`` into ``target`` (or nowhere) block by block, hashing on the way.

    Returns:
        The byte count and the hex digest of each algorithm.
    """
    digests = {name: hashlib.new(name, usedforsecurity=False) for name in algorithms}
    size = 0
    while block := source.read(block_size):
        for digest in digests.values():
            digest.update(block)
        if target is not None:
            target.write(block)
        size += len(block)
    return size, {name: digest.hexdigest() for name, digest in digests.items()}


@contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """Translate store and network failures into Régie's permanent/transient errors."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (PermanentError, TransientError):
        raise
    except FileNotFoundError as error:
        raise ObjectNotFoundError(
            url, "object not found", "check the key and the bucket"
        ) from error
    except PermissionError as error:
        raise PermanentError(url, f"access denied ({error})", "check the credentials") from error
    except ClientError as error:
        raise _client_error(url, error) from error
    except (BotoCoreError, ConnectionError, TimeoutError) as error:
        raise TransientError(url, f"storage unreachable ({error})") from error
    except OSError as error:
        if not transient_os_errors(url):
            raise
        raise TransientError(url, f"storage error ({error})") from error


def _client_error(url: str, error: Any) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in {"NoSuchKey", "NoSuchBucket", "404", "NotFound"}:
        return ObjectNotFoundError(
            url, f"object not found ({code})", "check the key and the bucket"
        )
    if code in TRANSIENT_CODES or status >= 500:
        return TransientError(url, f"storage error {code or status}, will retry")
    return PermanentError(url, f"storage refused the request ({code or status}: {error})")
