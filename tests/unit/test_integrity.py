"""What a fetch checks against the store's declarations, and how store failures are classified."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from regie.errors import IntegrityError, PermanentError, TransientError
from regie.fetch import derive_asset_id, verify_integrity
from regie.storage import ObjectInfo
from regie.storage.store import storage_errors

MD5 = "9e107d9d372bb6826bd81d3542a419d6"
SHA = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"


def test_matching_single_part_object_passes() -> None:
    verify_integrity(ObjectInfo("s3://b/k", 43, etag=MD5), size=43, sha256=SHA, md5=MD5)


@pytest.mark.parametrize(
    ("info", "size", "problem"),
    [
        (ObjectInfo("s3://b/k", 44, etag=MD5), 43, "size 43 bytes, store says 44"),
        (ObjectInfo("s3://b/k", 43, etag="0" * 32), 43, "ETag says"),
        (ObjectInfo("s3://b/k", 43, etag="abc-3", metadata={"sha256": "f" * 64}), 43, "SHA-256"),
    ],
)
def test_mismatches_are_integrity_errors(info: ObjectInfo, size: int, problem: str) -> None:
    with pytest.raises(IntegrityError) as refused:
        verify_integrity(info, size=size, sha256=SHA, md5=MD5)
    assert problem in str(refused.value)
    assert str(refused.value).startswith("s3://b/k")


def test_multipart_etag_is_not_compared_as_md5() -> None:
    info = ObjectInfo("s3://b/k", 43, etag="3858f62230ac3c915f300c664312c11f-2")
    verify_integrity(info, size=43, sha256=SHA, md5=MD5)


def test_asset_id_is_stable_and_readable() -> None:
    first = derive_asset_id("s3://archive/1998/JT 20h.mxf", "abc")
    assert first == derive_asset_id("s3://archive/1998/JT 20h.mxf", "abc")
    assert first.startswith("jt-20h-")
    assert first != derive_asset_id("s3://archive/1998/JT 20h.mxf", "abd")
    assert first != derive_asset_id("s3://other/1998/JT 20h.mxf", "abc")


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "GetObject",
    )


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_client_error("SlowDown", 503), TransientError),
        (_client_error("InternalError", 500), TransientError),
        (_client_error("NoSuchKey", 404), PermanentError),
        (_client_error("AccessDenied", 403), PermanentError),
        (ConnectionResetError("reset"), TransientError),
        (FileNotFoundError("gone"), PermanentError),
    ],
)
def test_store_failures_are_classified(error: Exception, kind: type[Exception]) -> None:
    with pytest.raises(kind) as raised, storage_errors("s3://b/k"):
        raise error
    assert isinstance(raised.value, kind)
    if kind is PermanentError:
        assert not isinstance(raised.value, TransientError)
