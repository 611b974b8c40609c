"""One interface over every store Régie touches, addressed by URL (``file://``, ``s3://``, ``memory://``).

Bytes are streamed in fixed-size blocks, so a master of any size costs a few blocks of memory. An
object becomes visible only once complete: local and in-memory writes go to a temporary name that
is renamed into place; S3 writes are single PUTs or multipart uploads that exist only when
completed, and an upload that fails is aborted.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import fsspec
from fsspec import AbstractFileSystem

from regie.errors import ObjectNotFoundError, PermanentError, TransientError
from regie.storage import s3
from regie.storage.residency import ResidencyPolicy, check_residency
from regie.storage.s3 import ObjectInfo, S3Config

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


def join_url(base: str, *parts: str) -> str:
    """Join URL path segments with exactly one slash between them."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts if p)])


def protocol_of(url: str) -> str:
    return urlsplit(url).scheme or "file"


def local_path(url: str) -> Path:
    """The file a ``file://`` URL names, percent-escapes decoded (``Path.as_uri`` writes them)."""
    return Path(unquote(urlsplit(url).path))


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

    @cached_property
    def _s3_client(self) -> Any:
        return s3.boto3_client(self.s3_config)

    def location(self, url: str) -> str:
        """Where ``url`` physically lives, for provenance records."""
        if protocol_of(url) != "s3":
            return protocol_of(url)
        return f"s3 endpoint={self.s3_config.endpoint_url or 'aws'} region={self.s3_config.region}"

    def check(self, url: str) -> None:
        """Refuse ``url`` if it lies outside France (see :mod:`regie.storage.residency`)."""
        check_residency(url, self.s3_config.endpoint_url, self.s3_config.region, self.residency)

    def filesystem(self, url: str) -> tuple[AbstractFileSystem, str]:
        """The fsspec filesystem and path for ``url``, after the residency check."""
        protocol = protocol_of(url)
        self.check(url)
        options = self.s3_config.fsspec_options(self.block_size) if protocol == "s3" else {}
        if protocol == "file":
            url = local_path(url).as_posix()
        fs, path = fsspec.core.url_to_fs(url, **options)
        return fs, path

    def info(self, url: str) -> ObjectInfo:
        """Size, ETag, storage class and metadata of one object."""
        if protocol_of(url) == "s3":
            self.check(url)
            with storage_errors(url):
                return s3.head_object(self._s3_client, url)
        fs, path = self.filesystem(url)
        with storage_errors(url):
            detail = fs.info(path)
            if detail["type"] != "file":
                raise PermanentError(url, "is a directory, not an object")
            return ObjectInfo(url=url, size=int(detail["size"]))

    def find(self, url: str) -> ObjectInfo | None:
        """The object at ``url``, or None: one request where ``exists`` then ``info`` take two."""
        try:
            return self.info(url)
        except ObjectNotFoundError:
            return None

    def exists(self, url: str) -> bool:
        fs, path = self.filesystem(url)
        with storage_errors(url):
            return bool(fs.exists(path))

    @contextmanager
    def open_read(self, url: str) -> Iterator[IO[bytes]]:
        """A sequential binary stream over ``url``.

        On S3 this is one streamed GET: s3fs would issue a ranged request per block and keep
        read-ahead buffers, which costs memory and throughput for a front-to-back read.
        """
        if protocol_of(url) == "s3":
            self.check(url)
            with storage_errors(url):
                stream = s3.open_body(self._s3_client, url)
        else:
            fs, path = self.filesystem(url)
            with storage_errors(url):
                stream = fs.open(path, "rb")
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
        fs, path = self.filesystem(url)
        headers = {
            "ContentType": content_type,
            "Metadata": metadata,
            "CacheControl": cache_control,
            "ACL": acl,
        }
        with storage_errors(url):
            if protocol_of(url) == "s3":
                upload: _Upload = _S3Upload(fs, path, self.block_size, headers)
            else:
                upload = _RenameUpload(fs, path)
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
        if protocol_of(prefix_url) == "s3":
            self.check(prefix_url)
            with storage_errors(prefix_url):
                yield from s3.iter_objects(self._s3_client, prefix_url, page_size)
            return
        fs, path = self.filesystem(prefix_url)
        with storage_errors(prefix_url):
            for name, detail in sorted(fs.find(path, detail=True).items()):
                yield ObjectInfo(url=fs.unstrip_protocol(name), size=int(detail["size"]))

    def presigned_url(self, url: str, expires_s: int) -> str:
        """An https (or the endpoint's http) address that reads ``url`` for ``expires_s``."""
        self.check(url)
        bucket, key = s3.split_s3_url(url)
        return str(
            self._s3_client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_s
            )
        )

    def request_restore(self, url: str, days: int) -> None:
        """Ask for a cold object to be restored; only S3 stores have cold classes."""
        self.check(url)
        with storage_errors(url):
            s3.request_restore(self._s3_client, url, days)

    def delete(self, url: str, recursive: bool = False) -> None:
        fs, path = self.filesystem(url)
        with storage_errors(url):
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


class _Upload:
    """An object being written: visible after :meth:`commit`, gone after :meth:`abort`."""

    stream: IO[bytes]

    def commit(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError


class _RenameUpload(_Upload):
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


class _S3Upload(_Upload):
    """S3: a PUT or a multipart upload, which exists only once completed."""

    def __init__(
        self, fs: AbstractFileSystem, path: str, block_size: int, headers: dict[str, Any]
    ) -> None:
        extra = {name: value for name, value in headers.items() if value}
        self.stream = fs.open(path, "wb", block_size=block_size, **extra)

    def commit(self) -> None:
        self.stream.close()

    def abort(self) -> None:
        self.stream.discard()  # type: ignore[attr-defined]  # aborts the multipart upload
        self.stream.closed = True  # type: ignore[misc]  # or fsspec would upload it on __del__


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
        if protocol_of(url) != "s3":
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
