"""The webhook bridge refuses what it must with a 4xx, never answers 5xx to garbage, and emits
each upload once, through real Redis claims, to an HTTP server speaking Prefect's events API."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deployments.events.bridge import make_bridge
from regie.errors import TransientError
from regie.events import ObjectCreated, UploadFilter
from regie.events.emit import EventsApi, RedisSeenUploads, emit_uploads
from tests.unit.test_events import records

SECRET = "s3cr3t-bridge"
UPLOADS = UploadFilter(buckets=("regie-archive",), prefixes=("masters/",))
KEYS = st.text(max_size=10)
FIXTURE_REUSE = HealthCheck.function_scoped_fixture  # the client is stateless between examples
pytestmark = pytest.mark.allow_error_logs  # refusals are logged (at WARNING) by design


@pytest.fixture
def emitted() -> list[ObjectCreated]:
    return []


@pytest.fixture
def client(emitted: list[ObjectCreated]) -> TestClient:
    def emit(uploads: list[ObjectCreated]) -> list[ObjectCreated]:
        emitted.extend(uploads)
        return uploads

    return TestClient(make_bridge(UPLOADS, SECRET, emit, max_body=4096))


def _post(client: TestClient, body: bytes, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/s3-events", content=body, headers=_bearer() if headers is None else headers
    )


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {SECRET}"}


def test_signed_and_bearer_notifications_are_accepted_and_emitted(
    client: TestClient, emitted: list[ObjectCreated]
) -> None:
    body = json.dumps(records("masters/JT+20h.mxf")).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert _post(client, body, {"X-Regie-Signature": signature}).status_code == 202
    answer = _post(client, body)
    assert answer.status_code == 202 and answer.json() == {
        "accepted": 1,
        "emitted": 1,
        "ignored": 0,
    }
    assert [u.uri for u in emitted] == ["s3://regie-archive/masters/JT 20h.mxf"] * 2
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, json.dumps(records("masters/a.mxf")), 401),
        ({"Authorization": "Bearer wrong"}, json.dumps(records("masters/a.mxf")), 401),
        ({"X-Regie-Signature": "sha256=00"}, json.dumps(records("masters/a.mxf")), 401),
        (_bearer(), "x" * 5000, 413),
        (_bearer(), "{not json", 400),
        (_bearer(), '{"Records": [{"eventName": "ObjectCreated:Put"}]}', 400),
        (_bearer(), json.dumps(records("masters/a.mxf")).replace("regie-archive", "other"), 403),
        (_bearer(), json.dumps(records("masters/..%2F..%2Fetc%2Fshadow")), 422),
        (_bearer(), json.dumps(records("%2Fetc%2Fshadow")), 422),
        (_bearer(), json.dumps(records("masters/a%1B%5B31m.mxf")), 422),
    ],
    ids=["unsigned", "wrong-token", "wrong-hmac", "oversized", "not-json", "malformed",
         "wrong-bucket", "dot-dot", "absolute", "control-chars"],
)  # fmt: skip
def test_bad_requests_are_refused_logged_and_start_nothing(
    client: TestClient, emitted: list[ObjectCreated], headers: dict, body: str, status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    assert _post(client, body.encode(), headers).status_code == status
    assert emitted == []
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]


def test_uploads_outside_the_filter_are_acknowledged_but_not_emitted(
    client: TestClient, emitted: list[ObjectCreated]
) -> None:
    body = json.dumps(records("proxies/jt.mp4")).encode()
    assert _post(client, body).json() == {"accepted": 0, "emitted": 0, "ignored": 1}
    assert emitted == []


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=600),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=10), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps({"Records": [value]}).encode()),
        st.text(max_size=60).map(lambda key: json.dumps(records(key)).encode()),
    )
)
def test_fuzzed_bodies_never_get_a_5xx(client: TestClient, body: bytes) -> None:
    assert _post(client, body).status_code < 500


class EventsEndpoint(BaseHTTPRequestHandler):
    """Prefect's POST /api/events: a JSON list of events, 204; or 503 while 'down'."""

    received: ClassVar[list[dict]] = []
    down: ClassVar[bool] = False
    url: ClassVar[str] = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).down:
            self.send_response(503)
        else:
            type(self).received.extend(json.loads(body))
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def events_api() -> Iterator[type[EventsEndpoint]]:
    EventsEndpoint.received, EventsEndpoint.down = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), EventsEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    EventsEndpoint.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    yield EventsEndpoint
    server.shutdown()


def _fresh_upload(key: str) -> ObjectCreated:
    """An upload no earlier run has claimed (the Redis database is shared, never flushed)."""
    return ObjectCreated(
        bucket="regie-archive", key=key, etag=uuid.uuid4().hex, size=9, time=datetime.now(UTC)
    )


def test_an_upload_notified_five_times_by_two_routes_is_emitted_once(
    events_api: type[EventsEndpoint],
) -> None:
    url = f"redis://127.0.0.1:6379/{random.randint(1, 15)}"
    seen = [RedisSeenUploads(url) for _ in range(2)]  # a bridge and a queue consumer
    upload = _fresh_upload("masters/x.mxf")
    results: list[list[ObjectCreated]] = []

    def notify(seen_by: RedisSeenUploads) -> None:
        results.append(emit_uploads([upload], seen_by, EventsApi(events_api.url)))

    threads = [threading.Thread(target=notify, args=(s,)) for s in seen * 3][:5]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r) for r in results) == [0, 0, 0, 0, 1]
    (event,) = events_api.received
    assert event["event"] == "regie.object.created" and event["id"] == str(upload.event_id)
    assert event["resource"]["prefect.resource.id"] == "s3://regie-archive/masters/x.mxf"
    assert event["payload"]["etag"] == upload.etag


def test_an_api_outage_gives_the_claim_back_so_the_retry_emits(
    events_api: type[EventsEndpoint],
) -> None:
    seen = RedisSeenUploads(f"redis://127.0.0.1:6379/{random.randint(1, 15)}")
    upload = _fresh_upload("masters/y.mxf")
    events_api.down = True
    with pytest.raises(TransientError, match="503"):
        emit_uploads([upload], seen, EventsApi(events_api.url))
    events_api.down = False
    emitted = emit_uploads([upload], seen, EventsApi(events_api.url))
    assert emitted == [upload] and len(events_api.received) == 1
