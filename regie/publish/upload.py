"""Copying a release to the CDN origin: bounded parallel uploads that resume and verify.

Object stores answer one request in tens of milliseconds whatever its size, so a release of a
few thousand small segments is bound by round trips, not bandwidth: uploads run on a bounded
pool of threads. An object already at its place with the same sha256 (kept as user metadata on
S3, hashed again on local folders) is skipped, so a re-run after a failure resumes. Every copy is
hashed on the way and must match the stage's record of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from regie.errors import IntegrityError
from regie.publish.layout import ReleaseFile
from regie.storage import Storage, copy_hashing, join_url

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class UploadReport:
    """How many objects were written and how many were already in place."""

    uploaded: int
    skipped: int


def upload_files(
    storage: Storage,
    files: Iterable[ReleaseFile],
    release_url: str,
    workers: int,
    acl: str | None = None,
) -> UploadReport:
    """Copy ``files`` under ``release_url``, ``workers`` at a time; returns what was done."""

    def copy(file: ReleaseFile) -> bool:
        return copy_release_file(storage, file, join_url(release_url, file.key), acl)

    written = parallel(copy, list(files), workers)
    return UploadReport(uploaded=sum(written), skipped=len(written) - sum(written))


def copy_release_file(
    storage: Storage, file: ReleaseFile, url: str, acl: str | None = None
) -> bool:
    """Copy one file unless an identical object is there; True when it was written."""
    if already_published(storage, file, url):
        return False
    metadata = {"sha256": file.sha256}
    with (
        storage.open_read(file.source) as source,
        storage.open_write(url, file.content_type, metadata, file.cache_control, acl) as target,
    ):
        _, digests = copy_hashing(source, target, storage.block_size)
        if digests["sha256"] != file.sha256:  # raising inside the block aborts the upload
            raise IntegrityError(file.source, "changed since the stage recorded its checksum")
    return True


def already_published(storage: Storage, file: ReleaseFile, url: str) -> bool:
    info = storage.find(url)
    if info is None:
        return False
    if "sha256" in info.metadata:
        return info.metadata["sha256"] == file.sha256
    if info.size != file.size:
        return False
    with storage.open_read(url) as existing:
        return copy_hashing(existing, None, storage.block_size)[1]["sha256"] == file.sha256


def parallel(work: Callable[[T], R], items: list[T], workers: int) -> list[R]:
    """``work`` over ``items`` on a bounded pool; the first exception is raised after all stop."""
    if workers <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))
