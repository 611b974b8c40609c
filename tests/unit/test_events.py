"""Notifications in every shape stores send, key checks, filters and the watcher's listing diff."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from regie.events import (
    InvalidKeyError,
    ListingState,
    NotificationError,
    ObjectCreated,
    UploadFilter,
    diff_listing,
    parse_notification,
)

WHEN = "2026-11-26T19:00:00.000Z"


def records(key: str, event: str = "ObjectCreated:Put", source: str = "aws:s3") -> dict:
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": source, "awsRegion": "fr-par", "eventTime": WHEN,
        "eventName": event,
        "s3": {"bucket": {"name": "regie-archive"},
               "object": {"key": key, "size": 1234, "eTag": '"9b2cf535f27731c974343645a3985328"'}},
    }]}  # fmt: skip


def test_aws_records_give_the_decoded_key_and_the_bare_etag() -> None:
    (upload,) = parse_notification(json.dumps(records("masters/JT+20h%C3%A9+1995.mxf")))
    assert upload.uri == "s3://regie-archive/masters/JT 20hé 1995.mxf"
    assert upload.etag == "9b2cf535f27731c974343645a3985328" and upload.size == 1234
    assert upload.time == datetime(2026, 11, 26, 19, tzinfo=UTC)


def test_minio_wrapper_and_ceph_records_are_read_the_same() -> None:
    minio = {"EventName": "s3:ObjectCreated:Put", "Key": "regie-archive/masters/a.mxf",
             **records("masters/a.mxf", "s3:ObjectCreated:Put", "minio:s3")}  # fmt: skip
    ceph = records("masters/a.mxf", "ObjectCreated:CompleteMultipartUpload", "ceph:s3")
    assert parse_notification(json.dumps(minio)) == parse_notification(json.dumps(ceph))


def test_eventbridge_and_sns_envelope() -> None:
    bridge = {"version": "0", "detail-type": "Object Created", "source": "aws.s3", "time": WHEN,
              "detail": {"bucket": {"name": "regie-archive"},
                         "object": {"key": "masters/a b.mxf", "size": 5, "etag": "e"}}}  # fmt: skip
    (upload,) = parse_notification(json.dumps(bridge))
    assert upload.key == "masters/a b.mxf"  # EventBridge keys are not URL-encoded
    sns = {"Type": "Notification", "Message": json.dumps(records("masters/a.mxf"))}
    assert parse_notification(json.dumps(sns))[0].key == "masters/a.mxf"


def test_deletions_and_test_events_carry_no_upload() -> None:
    assert parse_notification(json.dumps(records("masters/a.mxf", "ObjectRemoved:Delete"))) == []
    assert parse_notification('{"Service": "Amazon S3", "Event": "s3:TestEvent"}') == []


@pytest.mark.parametrize(
    "body",
    ["", "not json", "[1, 2]", '{"Records": "x"}', '{"Records": [{"eventName": 3}]}', "{}",
     json.dumps(records("k")).replace("1234", "-1")],
)  # fmt: skip
def test_malformed_bodies_are_refused_with_the_reason(body: str) -> None:
    with pytest.raises(NotificationError):
        parse_notification(body)


@pytest.mark.parametrize(
    "key", ["masters/../../etc/passwd", "%2Fetc%2Fpasswd", "masters/a%0Ab.mxf", "masters/",
            "masters/a%00.mxf", "a%5Cb.mxf"],
)  # fmt: skip
def test_dangerous_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidKeyError):
        parse_notification(json.dumps(records(key)))


def _upload(key: str, etag: str = "e1", size: int = 10) -> ObjectCreated:
    return ObjectCreated(bucket="regie-archive", key=key, etag=etag, size=size, time=WHEN)  # type: ignore[arg-type]


def test_filter_keeps_media_under_the_prefixes_and_says_why_not() -> None:
    uploads = UploadFilter(buckets=("regie-archive",), prefixes=("masters/",), min_size=2)
    assert uploads.ignores(_upload("masters/jt.MXF")) is None
    assert uploads.ignores(_upload("proxies/jt.mxf")) == "outside the watched prefixes"
    assert uploads.ignores(_upload("masters/jt.pdf")) == "not a media extension"
    assert uploads.ignores(_upload("masters/jt.mxf", size=1)) == "smaller than 2 bytes"
    assert not uploads.knows_bucket("someone-elses-bucket")
    stranger = ObjectCreated(bucket="someone-elses-bucket", key="masters/x.mxf", etag="e",
                             size=10, time=WHEN)  # type: ignore[arg-type]  # fmt: skip
    wanted, strangers = uploads.split(
        [_upload("masters/a.mxf"), _upload("proxies/b.mxf"), stranger]
    )
    assert [u.key for u in wanted] == ["masters/a.mxf"] and strangers == ["someone-elses-bucket"]


def test_one_upload_has_one_identity_and_event_id() -> None:
    assert _upload("masters/a.mxf").event_id == _upload("masters/a.mxf").event_id
    assert _upload("masters/a.mxf").identity != _upload("masters/a.mxf", etag="e2").identity


def test_listing_diff_finds_new_and_changed_objects_among_100k() -> None:
    before = ListingState(prefix="s3://regie-archive/masters/",
                          etags={f"masters/{n:06}.mxf": "e1" for n in range(100_000)})  # fmt: skip
    listing = [_upload(f"masters/{n:06}.mxf") for n in range(1, 100_000)]  # 000000 deleted
    listing[41] = _upload("masters/000042.mxf", etag="e2")  # overwritten
    listing.append(_upload("masters/100000.mxf"))  # new
    changed, after = diff_listing(before, listing)
    assert [u.key for u in changed] == ["masters/000042.mxf", "masters/100000.mxf"]
    assert len(after.etags) == 100_000 and "masters/000000.mxf" not in after.etags
    assert diff_listing(after, listing)[0] == []
