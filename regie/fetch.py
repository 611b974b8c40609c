"""Fetch stage: an archive object becomes a verified local copy and a :class:`SourceAsset`.

The object is streamed block by block into scratch while its SHA-256 and MD5 are computed, then
checked against the store: size always, the ETag when it is a plain MD5, and for multipart uploads
(whose ETag is not a content hash) the ``sha256`` user metadata when the uploader set it. Objects in
a cold class are restored first, with bounded polling. ``file://`` masters are hashed in place,
never copied: on the embedded default the archive is already local.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict

from regie.artefacts import SourceAsset
from regie.errors import IntegrityError, PermanentError, RestoreTimeoutError
from regie.stage import NoOptions, Stage, StageContext, StageOutcome, StageRun, run_stage
from regie.storage import ObjectInfo, Storage, copy_hashing, local_path, protocol_of
from regie.storage.s3 import split_s3_url
from regie.storage.store import storage_errors

log = logging.getLogger("regie.fetch")
FETCH = Stage("fetch", "1", SourceAsset)
CHECKSUM_METADATA = "sha256"
CHUNK = 1024 * 1024
DIGESTS = ("sha256", "md5")


class RestorePolicy(BaseModel):
    """How long to wait for a cold object, and how often to look (not part of the stage key)."""

    model_config = ConfigDict(frozen=True)

    days: int = 2
    timeout_s: float = 6 * 3600
    poll_s: float = 60


def fetch(
    uri: str, context: StageContext, restore: RestorePolicy | None = None
) -> StageOutcome[SourceAsset]:
    """Fetch ``uri`` from the archive, or return the manifest of an earlier identical fetch.

    Raises:
        PermanentError: Missing object, integrity mismatch, residency violation.
        TransientError: Storage unavailable; a cold restore still running at the timeout.
    """
    info = context.storage.info(uri)
    etag = source_etag(uri, info)
    asset_id = derive_asset_id(uri, etag)
    policy = restore or RestorePolicy()

    def produce(run: StageRun) -> SourceAsset:
        return _fetch_verified(info, etag, asset_id, run.context, policy)

    return run_stage(FETCH, asset_id, {"source": f"{uri}#{etag}"}, NoOptions(), context, produce)


def source_etag(uri: str, info: ObjectInfo) -> str:
    """The object's ETag; a local file's size and modification time stand in for one."""
    return info.etag or _local_identity(uri)


def derive_asset_id(uri: str, etag: str) -> str:
    """A readable id, stable for the same (bucket, key, ETag): ``<key stem>-<hash>``."""
    parts = urlsplit(uri)
    digest = hashlib.sha256(f"{parts.netloc}{parts.path}#{etag}".encode()).hexdigest()
    return f"{asset_slug(uri)}-{digest[:12]}"


def asset_slug(uri: str) -> str:
    """The readable part of an asset id: the object key's stem, lowercase, dashes."""
    stem = PurePosixPath(unquote(urlsplit(uri).path)).stem
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40] or "asset"


def local_source(asset: SourceAsset, context: StageContext) -> Path:
    """Path of the asset's bytes on this machine, fetching them again if scratch was wiped."""
    if protocol_of(asset.uri) == "file":
        master = local_path(asset.uri)
        if not master.is_file() or master.stat().st_size != asset.size:
            raise IntegrityError(
                asset.asset_id, f"{master} is gone or changed since it was fetched"
            )
        return master
    target = _scratch_copy(context, asset.asset_id, asset.key)
    if not target.exists() or target.stat().st_size != asset.size:
        sha256, _ = _download(context.storage, asset.uri, target)
        if sha256 != asset.sha256:
            raise IntegrityError(asset.asset_id, "content changed since it was first fetched")
    return target


def _fetch_verified(
    info: ObjectInfo, etag: str, asset_id: str, context: StageContext, policy: RestorePolicy
) -> SourceAsset:
    storage = context.storage
    restored = False
    if info.is_cold and not info.is_restored:
        info = wait_for_restore(storage, info, policy, time.sleep)
        restored = True
    if protocol_of(info.url) == "file":
        sha256, md5, size = _hash_in_place(local_path(info.url))
    else:
        target = _scratch_copy(context, asset_id, urlsplit(info.url).path)
        sha256, md5 = _download(storage, info.url, target)
        size = target.stat().st_size
    verify_integrity(info, size=size, sha256=sha256, md5=md5)
    bucket, key = _bucket_and_key(info.url)
    log.info("%s: fetched %s (%d bytes, sha256 %s)", asset_id, info.url, size, sha256[:12])
    return SourceAsset(
        asset_id=asset_id,
        uri=info.url,
        bucket=bucket,
        key=key,
        etag=etag,
        size=size,
        sha256=sha256,
        storage_class=info.storage_class,
        restored=restored,
    )


def verify_integrity(info: ObjectInfo, size: int, sha256: str, md5: str) -> None:
    """Compare what arrived with what the store declared.

    Raises:
        IntegrityError: Size, ETag or stored checksum disagree.
    """
    problems = []
    if size != info.size:
        problems.append(f"size {size} bytes, store says {info.size}")
    if info.etag and not info.is_multipart and md5 != info.etag.lower():
        problems.append(f"MD5 {md5}, ETag says {info.etag}")
    declared = info.metadata.get(CHECKSUM_METADATA)
    if declared and declared.lower() != sha256:
        problems.append(f"SHA-256 {sha256}, metadata says {declared}")
    if problems:
        raise IntegrityError(info.url, "transfer corrupted: " + "; ".join(problems), "re-run fetch")


def wait_for_restore(
    storage: Storage,
    info: ObjectInfo,
    policy: RestorePolicy,
    sleep: Callable[[float], None],
) -> ObjectInfo:
    """Request a restore of a cold object and poll until it is readable.

    Raises:
        RestoreTimeoutError: Still not restored after ``policy.timeout_s``.
    """
    if not info.restore_in_progress:
        log.info(
            "%s is in %s: requesting a %d-day restore", info.url, info.storage_class, policy.days
        )
        storage.request_restore(info.url, policy.days)
    deadline = time.monotonic() + policy.timeout_s
    while True:
        info = storage.info(info.url)
        if info.is_restored:
            return info
        if time.monotonic() >= deadline:
            raise RestoreTimeoutError(
                info.url,
                f"restore from {info.storage_class} not finished after {policy.timeout_s:.0f} s",
                "the restore keeps running: retry later or raise REGIE_RESTORE_TIMEOUT_S",
            )
        sleep(policy.poll_s)


def _download(storage: Storage, url: str, target: Path) -> tuple[str, str]:
    """Stream ``url`` into ``target`` via a temporary name; return (sha256, md5)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with storage.open_read(url) as source, partial.open("wb") as sink, storage_errors(url):
        _, digests = copy_hashing(source, sink, CHUNK, DIGESTS)
    partial.replace(target)
    return digests["sha256"], digests["md5"]


def _hash_in_place(path: Path) -> tuple[str, str, int]:
    with path.open("rb") as source:
        size, digests = copy_hashing(source, None, CHUNK, DIGESTS)
    return digests["sha256"], digests["md5"], size


def _scratch_copy(context: StageContext, asset_id: str, key: str) -> Path:
    suffix = PurePosixPath(key).suffix.lower()
    return context.scratch_dir / "sources" / asset_id / f"source{suffix}"


def _local_identity(uri: str) -> str:
    path = local_path(uri)
    if not path.is_file():
        raise PermanentError(uri, "object not found", "check the path")
    stat = path.stat()
    return f"local-{stat.st_size}-{stat.st_mtime_ns}"


def _bucket_and_key(url: str) -> tuple[str, str]:
    if protocol_of(url) == "s3":
        return split_s3_url(url)
    path = PurePosixPath(local_path(url))
    return str(path.parent), path.name
