"""Storage against a real S3 server over HTTP: streaming, atomic writes, pagination, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from regie.errors import PermanentError, ResidencyError
from regie.storage import S3Config, Storage

MIB = 1024 * 1024


def test_put_and_read_back_with_metadata(
    s3_storage: Storage, bucket: str, tmp_path: Path, s3_client
) -> None:
    local = tmp_path / "clip.bin"
    local.write_bytes(b"regie" * 1000)
    stored = s3_storage.put_file(local, f"s3://{bucket}/a/clip.bin", "video/mp4", {"sha256": "x"})
    assert stored.size == 5000
    assert s3_storage.read_bytes(stored.url) == b"regie" * 1000
    info = s3_storage.info(stored.url)
    assert info.size == 5000 and info.metadata == {"sha256": "x"} and not info.is_multipart
    head = s3_client.head_object(Bucket=bucket, Key="a/clip.bin")
    assert head["ContentType"] == "video/mp4"


def test_large_write_is_multipart_and_streamed(s3_storage: Storage, bucket: str) -> None:
    url = f"s3://{bucket}/big.bin"
    with s3_storage.open_write(url) as stream:
        for index in range(3):  # 3 x 8 MiB blocks, never held together
            stream.write(bytes([index]) * 8 * MIB)
    info = s3_storage.info(url)
    assert info.size == 24 * MIB
    assert info.is_multipart and info.etag is not None and info.etag.endswith("-3")


def test_failed_multipart_write_leaves_nothing(s3_storage: Storage, bucket: str, s3_client) -> None:
    url = f"s3://{bucket}/partial.bin"
    with pytest.raises(RuntimeError), s3_storage.open_write(url) as stream:
        stream.write(b"\x01" * 12 * MIB)  # one part already uploaded
        raise RuntimeError("source went away")
    assert not s3_storage.exists(url)
    assert s3_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_failed_small_write_leaves_nothing(s3_storage: Storage, bucket: str) -> None:
    url = f"s3://{bucket}/small.json"
    with pytest.raises(RuntimeError), s3_storage.open_write(url) as stream:
        stream.write(b"{}")
        raise RuntimeError("crash")
    assert not s3_storage.exists(url)


def test_failed_local_write_leaves_no_file_and_no_temporary(tmp_path: Path) -> None:
    url = (tmp_path / "out" / "manifest.json").as_uri()
    with pytest.raises(RuntimeError), Storage().open_write(url) as stream:
        stream.write(b"half")
        raise RuntimeError("crash")
    assert list((tmp_path / "out").iterdir()) == []


def test_listing_walks_every_page(s3_storage: Storage, bucket: str, s3_client) -> None:
    for index in range(250):
        s3_client.put_object(Bucket=bucket, Key=f"jt/{index:04d}.mp4", Body=b"x")
    s3_client.put_object(Bucket=bucket, Key="other/skip.mp4", Body=b"x")
    urls = [info.url for info in s3_storage.iter_objects(f"s3://{bucket}/jt/", page_size=100)]
    assert len(urls) == 250
    assert urls[0] == f"s3://{bucket}/jt/0000.mp4" and urls[-1] == f"s3://{bucket}/jt/0249.mp4"


def test_missing_object_is_a_permanent_error(s3_storage: Storage, bucket: str) -> None:
    with pytest.raises(PermanentError, match="object not found"):
        s3_storage.info(f"s3://{bucket}/nope.mp4")


def test_storage_refuses_a_foreign_endpoint_before_any_request() -> None:
    storage = Storage(S3Config(endpoint_url="https://s3.nl-ams.scw.cloud", region="nl-ams"))
    with pytest.raises(ResidencyError, match="REGIE_ALLOW_NON_FR=1"):
        storage.exists("s3://archive/x.mp4")


def test_find_answers_none_for_a_missing_object_and_the_info_of_a_present_one(
    s3_storage: Storage, bucket: str, tmp_path: Path
) -> None:
    url = f"s3://{bucket}/masters/present.bin"
    assert s3_storage.find(url) is None
    s3_storage.write_bytes(url, b"12345")
    found = s3_storage.find(url)
    assert found is not None and found.size == 5
    assert Storage().find((tmp_path / "absent.bin").as_uri()) is None
