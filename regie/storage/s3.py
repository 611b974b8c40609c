"""S3-compatible stores (Scaleway, OVHcloud, Outscale, MinIO, Ceph, AWS): connection and the calls
fsspec does not cover.

s3fs streams the bytes; boto3 answers what only the S3 API knows: user metadata, storage class, the
``x-amz-restore`` state of a cold object, restore requests and paginated listings that never hold a
whole prefix in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from regie.storage.backends import FsspecBackend
from regie.storage.objects import ObjectInfo, Upload

# botocore >= 1.36 sends CRC checksums by default, which several S3-compatible stores reject.
CHECKSUM_COMPAT = {
    "request_checksum_calculation": "when_required",
    "response_checksum_validation": "when_required",
}
RETRIES = {"mode": "standard", "total_max_attempts": 5}  # initial request included


@dataclass(frozen=True)
class S3Config:
    """How to reach an S3-compatible store; None fields fall back to boto3's own resolution."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None

    @classmethod
    def from_secrets(
        cls, endpoint_url: str | None, region: str | None, access_key_id: SecretStr | None,
        secret_access_key: SecretStr | None, session_token: SecretStr | None,
    ) -> S3Config:  # fmt: skip
        """The connection described by settings or a block, whose credentials are secrets."""
        reveal = [s.get_secret_value() if s else None
                  for s in (access_key_id, secret_access_key, session_token)]  # fmt: skip
        return cls(endpoint_url, region, *reveal)

    def fsspec_options(self, block_size: int) -> dict[str, Any]:
        """Keyword arguments for ``s3fs.S3FileSystem``."""
        return {
            "endpoint_url": self.endpoint_url,
            "key": self.access_key_id,
            "secret": self.secret_access_key,
            "token": self.session_token,
            "client_kwargs": {"region_name": self.region},
            "config_kwargs": {**CHECKSUM_COMPAT, "retries": RETRIES},
            "default_block_size": block_size,
            # Manifests are checked for existence across processes: never trust a stale listing.
            "use_listings_cache": False,
        }


def split_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` -> ``("bucket", "a/b")``."""
    parts = urlsplit(url)
    return parts.netloc, parts.path.lstrip("/")


def boto3_client(config: S3Config) -> Any:
    """A boto3 S3 client for ``config`` with standard retries."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        aws_access_key_id=config.access_key_id,
        aws_secret_access_key=config.secret_access_key,
        aws_session_token=config.session_token,
        config=Config(retries=RETRIES, **CHECKSUM_COMPAT),
    )


def head_object(client: Any, url: str) -> ObjectInfo:
    """HEAD one object: size, ETag, storage class, user metadata and restore state."""
    bucket, key = split_s3_url(url)
    head = client.head_object(Bucket=bucket, Key=key)
    return ObjectInfo(
        url=url,
        size=int(head["ContentLength"]),
        etag=head.get("ETag", "").strip('"') or None,
        storage_class=head.get("StorageClass"),
        metadata={k.lower(): v for k, v in head.get("Metadata", {}).items()},
        restore=head.get("Restore"),
    )


def open_body(client: Any, url: str) -> Any:
    """The streamed body of one GET: read it in chunks, it is never buffered whole."""
    bucket, key = split_s3_url(url)
    return client.get_object(Bucket=bucket, Key=key)["Body"]


def request_restore(client: Any, url: str, days: int, tier: str = "Standard") -> None:
    """Ask the store to restore a cold object for ``days``; a restore already running is fine."""
    from botocore.exceptions import ClientError

    bucket, key = split_s3_url(url)
    request = {"Days": days, "GlacierJobParameters": {"Tier": tier}}
    try:
        client.restore_object(Bucket=bucket, Key=key, RestoreRequest=request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "RestoreAlreadyInProgress":
            raise


def iter_objects(client: Any, prefix_url: str, page_size: int) -> Iterator[ObjectInfo]:
    """Every object under ``prefix_url``, fetched ``page_size`` keys at a time."""
    bucket, prefix = split_s3_url(prefix_url)
    paginator = client.get_paginator("list_objects_v2")
    pages = paginator.paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
    )
    for page in pages:
        for item in page.get("Contents", []):
            yield ObjectInfo(
                url=f"s3://{bucket}/{item['Key']}",
                size=int(item["Size"]),
                etag=item.get("ETag", "").strip('"') or None,
                storage_class=item.get("StorageClass"),
                modified=item.get("LastModified"),
            )


class S3Backend(FsspecBackend):
    """S3-compatible stores: s3fs writes, boto3 reads, lists and answers the S3-only questions."""

    transient_os_errors = True  # s3fs reports network failures as OSError

    @cached_property
    def client(self) -> Any:
        return boto3_client(self.s3_config)

    def location(self, url: str) -> str:
        config = self.s3_config
        return f"s3 endpoint={config.endpoint_url or 'aws'} region={config.region}"

    def filesystem_options(self) -> dict[str, Any]:
        return self.s3_config.fsspec_options(self.block_size)

    def info(self, url: str) -> ObjectInfo:
        return head_object(self.client, url)

    def open_read(self, url: str) -> Any:
        """One streamed GET: s3fs would issue a ranged request per block and keep read-ahead
        buffers, which costs memory and throughput for a front-to-back read."""
        return open_body(self.client, url)

    def upload(self, url: str, headers: dict[str, Any]) -> Upload:
        """A PUT or a multipart upload, with content type, metadata, Cache-Control and ACL."""
        fs, path = self.filesystem(url)
        return S3Upload(fs, path, self.block_size, headers)

    def iter_objects(self, prefix_url: str, page_size: int) -> Iterator[ObjectInfo]:
        return iter_objects(self.client, prefix_url, page_size)

    def presigned_url(self, url: str, expires_s: int) -> str:
        bucket, key = split_s3_url(url)
        return str(
            self.client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_s
            )
        )

    def request_restore(self, url: str, days: int) -> None:
        request_restore(self.client, url, days)


class S3Upload(Upload):
    """A PUT or a multipart upload, which exists only once completed."""

    def __init__(self, fs: Any, path: str, block_size: int, headers: dict[str, Any]) -> None:
        extra = {name: value for name, value in headers.items() if value}
        self.stream = fs.open(path, "wb", block_size=block_size, **extra)

    def commit(self) -> None:
        self.stream.close()

    def abort(self) -> None:
        self.stream.discard()  # type: ignore[attr-defined]  # aborts the multipart upload
        self.stream.closed = True  # type: ignore[misc]  # or fsspec would upload it on __del__
