"""S3 notifications in the shapes stores send them, parsed into :class:`ObjectCreated` records.

- ``Records[]``: AWS S3, MinIO (``s3:ObjectCreated:Put``, wrapped with ``EventName``/``Key``)
  and Ceph RGW; object keys arrive URL-encoded (``+`` for a space).
- EventBridge (``detail-type: Object Created``): keys arrive as they are.
- Either inside an SNS envelope (``Type: Notification``, the notification as a JSON string).
AWS's ``s3:TestEvent`` (sent when a notification is configured) carries no object.
Only object-created events count; deletions and the rest are ignored.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regie.errors import PermanentError
from regie.events.uploads import ObjectCreated, check_key


class NotificationError(PermanentError):
    """A body that is not an S3 notification we understand."""


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Bucket(_Loose):
    name: str


class _RecordObject(_Loose):
    key: str
    size: int = Field(ge=0)
    etag: str = Field(alias="eTag")


class _RecordS3(_Loose):
    bucket: _Bucket
    object: _RecordObject


class _Record(_Loose):
    event_name: str = Field(alias="eventName")
    event_time: datetime = Field(alias="eventTime")
    s3: _RecordS3


class _Records(_Loose):
    records: list[_Record] = Field(alias="Records", max_length=1000)


class _DetailObject(_Loose):
    key: str
    size: int = Field(ge=0)
    etag: str


class _Detail(_Loose):
    bucket: _Bucket
    object: _DetailObject


class _EventBridge(_Loose):
    detail_type: str = Field(alias="detail-type")
    time: datetime
    detail: _Detail


def parse_notification(body: bytes | str) -> list[ObjectCreated]:
    """The objects created according to one notification body.

    Raises:
        NotificationError: Not JSON, not a known shape, or a field of the wrong type.
        InvalidKeyError: An object key that must never be processed (see ``check_key``).
    """
    document = _json(body)
    if isinstance(document, dict) and document.get("Type") == "Notification":
        document = _json(document.get("Message", ""))  # SNS envelope
    if not isinstance(document, dict):
        raise NotificationError("notification", "body is not a JSON object")
    try:
        if "Records" in document:
            uploads = _from_records(_Records.model_validate(document))
        elif "detail-type" in document:
            uploads = _from_eventbridge(_EventBridge.model_validate(document))
        elif document.get("Event") == "s3:TestEvent":
            uploads = []
        else:
            raise NotificationError("notification", "neither Records[] nor an EventBridge event")
        for upload in uploads:
            check_key(upload.bucket, upload.key)
        return uploads
    except ValidationError as error:
        raise NotificationError("notification", f"malformed: {_first(error)}") from None


def _from_records(records: _Records) -> list[ObjectCreated]:
    return [
        ObjectCreated(
            bucket=r.s3.bucket.name,
            key=unquote_plus(r.s3.object.key),
            etag=r.s3.object.etag.strip('"'),
            size=r.s3.object.size,
            time=r.event_time,
        )
        for r in records.records
        if r.event_name.removeprefix("s3:").startswith("ObjectCreated:")
    ]


def _from_eventbridge(event: _EventBridge) -> list[ObjectCreated]:
    if event.detail_type != "Object Created":
        return []
    detail = event.detail
    return [
        ObjectCreated(
            bucket=detail.bucket.name,
            key=detail.object.key,
            etag=detail.object.etag.strip('"'),
            size=detail.object.size,
            time=event.time,
        )
    ]


def _json(body: bytes | str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise NotificationError("notification", f"body is not JSON ({error})") from None


def _first(error: ValidationError) -> str:
    detail = error.errors()[0]
    where = ".".join(str(part) for part in detail["loc"])
    return f"{where}: {detail['msg']}"
