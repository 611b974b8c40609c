"""Fetch from a real S3 server: streamed, checksummed, cold objects restored, idempotent."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from regie.errors import IntegrityError, RestoreTimeoutError
from regie.fetch import FETCH, RestorePolicy, fetch, local_source, wait_for_restore
from regie.stage import MANIFEST_NAME, StageContext
from regie.storage import ObjectInfo, Storage

MIB = 1024 * 1024


def _upload(s3_client, bucket: str, key: str, path: Path, **extra) -> str:  # type: ignore[no-untyped-def]
    s3_client.upload_file(str(path), bucket, key, ExtraArgs=extra or None)
    return f"s3://{bucket}/{key}"


def test_fetch_streams_and_records_checksums(
    s3_work_context: StageContext, bucket: str, s3_client, clip: Path
) -> None:
    uri = _upload(s3_client, bucket, "masters/clip.mp4", clip)
    outcome = fetch(uri, s3_work_context)
    asset = outcome.artefact
    assert asset.sha256 == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert asset.size == clip.stat().st_size
    assert (asset.bucket, asset.key) == (bucket, "masters/clip.mp4")
    assert asset.etag == hashlib.md5(clip.read_bytes()).hexdigest()
    assert local_source(asset, s3_work_context).read_bytes() == clip.read_bytes()
    assert outcome.manifest_url.startswith(f"s3://{bucket}/work/{asset.asset_id}/fetch/")
    assert "127.0.0.1" in outcome.manifest.provenance.written_to


def test_second_fetch_does_no_work_and_keeps_the_id(
    s3_work_context: StageContext, bucket: str, s3_client, clip: Path
) -> None:
    uri = _upload(s3_client, bucket, "clip.mp4", clip)
    first = fetch(uri, s3_work_context)
    local_source(first.artefact, s3_work_context).unlink()  # prove nothing is downloaded again
    second = fetch(uri, s3_work_context)
    assert second.reused and second.artefact == first.artefact
    scratch_copy = s3_work_context.scratch_dir / "sources" / first.artefact.asset_id
    assert not any(scratch_copy.iterdir())


def test_new_etag_gives_a_new_asset(
    s3_work_context: StageContext, bucket: str, s3_client, tmp_path: Path
) -> None:
    path = tmp_path / "v.mp4"
    path.write_bytes(b"version 1")
    first = fetch(_upload(s3_client, bucket, "v.mp4", path), s3_work_context).artefact
    path.write_bytes(b"version 2")
    second = fetch(_upload(s3_client, bucket, "v.mp4", path), s3_work_context).artefact
    assert first.asset_id != second.asset_id


def test_multipart_object_verified_by_stored_checksum(
    s3_work_context: StageContext, bucket: str, s3_client, tmp_path: Path
) -> None:
    path = tmp_path / "master.mxf"
    path.write_bytes(b"\x42" * 11 * MIB)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    url = f"s3://{bucket}/master.mxf"
    s3_work_context.storage.put_file(path, url, metadata={"sha256": digest})
    asset = fetch(url, s3_work_context).artefact
    assert "-" in asset.etag and asset.sha256 == digest


def test_wrong_stored_checksum_fails_and_writes_no_manifest(
    s3_work_context: StageContext, bucket: str, s3_client, tmp_path: Path
) -> None:
    path = tmp_path / "master.mxf"
    path.write_bytes(b"\x42" * 11 * MIB)
    url = f"s3://{bucket}/bad.mxf"
    s3_work_context.storage.put_file(path, url, metadata={"sha256": "0" * 64})
    with pytest.raises(IntegrityError, match="SHA-256") as refused:
        fetch(url, s3_work_context)
    assert str(refused.value).startswith(url)
    manifests = [i.url for i in s3_work_context.storage.iter_objects(f"s3://{bucket}/work/")]
    assert not [m for m in manifests if m.endswith(MANIFEST_NAME)]


def test_cold_object_is_restored_then_fetched(
    s3_work_context: StageContext, bucket: str, s3_client, clip: Path
) -> None:
    uri = _upload(s3_client, bucket, "cold/clip.mp4", clip, StorageClass="GLACIER")
    assert s3_work_context.storage.info(uri).is_cold
    asset = fetch(uri, s3_work_context, RestorePolicy(timeout_s=30, poll_s=0.1)).artefact
    assert asset.restored and asset.storage_class == "GLACIER"
    assert asset.sha256 == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert (
        'ongoing-request="false"'
        in s3_client.head_object(Bucket=bucket, Key="cold/clip.mp4")["Restore"]
    )


class _SlowRestoreStorage(Storage):
    """moto finishes restores instantly; a real Glacier restore takes hours. This store reports a
    restore in progress for ``pending`` more checks, as the S3 ``x-amz-restore`` header would."""

    def __init__(self, pending: int) -> None:
        super().__init__()
        self.pending = pending
        self.restore_requests = 0

    def info(self, url: str) -> ObjectInfo:
        self.pending -= 1
        state = 'ongoing-request="true"' if self.pending >= 0 else 'ongoing-request="false"'
        return ObjectInfo(url, 10, "e", "GLACIER", restore=state)

    def request_restore(self, url: str, days: int) -> None:
        self.restore_requests += 1


def test_restore_is_polled_until_ready() -> None:
    storage = _SlowRestoreStorage(pending=3)
    sleeps: list[float] = []
    info = ObjectInfo("s3://b/k", 10, "e", "GLACIER")
    done = wait_for_restore(storage, info, RestorePolicy(timeout_s=60, poll_s=5), sleeps.append)
    assert done.is_restored
    assert storage.restore_requests == 1
    assert sleeps == [5, 5, 5]


def test_restore_gives_up_at_the_timeout_with_a_clear_error() -> None:
    storage = _SlowRestoreStorage(pending=10**6)
    info = ObjectInfo("s3://b/k", 10, "e", "GLACIER")
    with pytest.raises(RestoreTimeoutError, match="REGIE_RESTORE_TIMEOUT_S") as refused:
        wait_for_restore(storage, info, RestorePolicy(timeout_s=0.05, poll_s=0.01), lambda s: None)
    assert "s3://b/k" in str(refused.value) and "GLACIER" in str(refused.value)


def test_fetch_stage_name_and_version_are_stable() -> None:
    assert (FETCH.name, FETCH.version) == ("fetch", "1")
