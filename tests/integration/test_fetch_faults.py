"""Fetch through a faulty network: corruption is caught, throttling retried, then reported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from regie.errors import IntegrityError, TransientError
from regie.fetch import fetch
from regie.stage import MANIFEST_NAME, StageContext
from regie.storage import S3Config, Storage
from tests.servers import Faults, faulty_proxy


@contextmanager
def through_proxy(
    s3_config: S3Config, bucket: str, tmp_path: Path, faults: Faults
) -> Iterator[StageContext]:
    with faulty_proxy(s3_config.endpoint_url or "", faults) as endpoint:
        storage = Storage(S3Config(endpoint, s3_config.region, "regie-test", "regie-test-secret"))
        yield StageContext(storage, (tmp_path / "work").as_uri(), tmp_path / "scratch")


def test_bytes_corrupted_in_transit_fail_the_md5_check(
    s3_config: S3Config, bucket: str, s3_client, clip: Path, tmp_path: Path
) -> None:
    s3_client.upload_file(str(clip), bucket, "clip.mp4")
    with (
        through_proxy(s3_config, bucket, tmp_path, Faults(corrupt_bodies=True)) as context,
        pytest.raises(IntegrityError, match="MD5") as refused,
    ):
        fetch(f"s3://{bucket}/clip.mp4", context)
    assert str(refused.value).startswith(f"s3://{bucket}/clip.mp4")
    assert not list((tmp_path / "work").rglob(MANIFEST_NAME))


def test_throttled_gets_are_retried(
    s3_config: S3Config, bucket: str, s3_client, clip: Path, tmp_path: Path
) -> None:
    s3_client.upload_file(str(clip), bucket, "clip.mp4")
    faults = Faults(throttle_gets=2)
    with through_proxy(s3_config, bucket, tmp_path, faults) as context:
        asset = fetch(f"s3://{bucket}/clip.mp4", context).artefact
    assert faults.throttled == 2
    assert asset.size == clip.stat().st_size


def test_persistent_throttling_is_a_transient_error(
    s3_config: S3Config, bucket: str, s3_client, clip: Path, tmp_path: Path
) -> None:
    s3_client.upload_file(str(clip), bucket, "clip.mp4")
    faults = Faults(throttle_gets=1000)
    with (
        through_proxy(s3_config, bucket, tmp_path, faults) as context,
        pytest.raises(TransientError, match="SlowDown") as raised,
    ):
        fetch(f"s3://{bucket}/clip.mp4", context)
    assert faults.throttled == 5  # botocore standard mode, 5 attempts; then the task retries
    assert str(raised.value).startswith(f"s3://{bucket}/clip.mp4")
