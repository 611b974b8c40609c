"""``regie bridge``: an HTTP endpoint for S3 notifications, turning uploads into Prefect events.

``POST /s3-events`` takes AWS, MinIO and Ceph ``Records[]`` notifications and EventBridge events,
authenticated by ``Authorization: Bearer <secret>`` or ``X-Regie-Signature: sha256=<HMAC of the
body>``; bodies over the size limit, malformed bodies, unknown buckets and dangerous keys are
refused with a 4xx and logged, and start nothing. Accepted uploads are emitted (once each, see
``regie.events.emit``) and answered 202 at once: the run itself starts from the deployment trigger.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from regie.errors import MediaError, TransientError
from regie.events import InvalidKeyError, ObjectCreated, UploadFilter, parse_notification

log = logging.getLogger("regie.bridge")
MAX_BODY_BYTES = 256 * 1024  # a full 1,000-record notification is about 200 kB
Emit = Callable[[list[ObjectCreated]], list[ObjectCreated]]


def make_bridge(
    uploads: UploadFilter, secret: str, emit: Emit, max_body: int = MAX_BODY_BYTES
) -> FastAPI:
    """The bridge's ASGI app. ``emit`` posts the events (``regie.events.emit.emit_uploads``)."""
    app = FastAPI(title="Régie bucket-event bridge", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/s3-events", status_code=202)
    async def s3_events(request: Request) -> JSONResponse:
        body = await _read_limited(request, max_body)
        if body is None:
            return _refuse(413, f"body over {max_body} bytes", request)
        if not _authentic(request, body, secret):
            return _refuse(401, "missing or wrong credentials", request)
        try:
            notified = parse_notification(body)
        except InvalidKeyError as error:
            return _refuse(422, error.message, request)
        except MediaError as error:
            return _refuse(400, error.message, request)
        # emit talks to Redis and the Prefect API: off the event loop, so requests overlap
        return await run_in_threadpool(_accept, notified, uploads, emit, request)

    return app


def _accept(
    notified: list[ObjectCreated], uploads: UploadFilter, emit: Emit, request: Request
) -> JSONResponse:
    wanted, strangers = uploads.split(notified)
    if strangers:
        return _refuse(403, f"bucket(s) not watched: {', '.join(strangers)}", request)
    try:
        emitted = emit(wanted)
    except TransientError as error:
        log.warning("bridge: events not emitted, the store will retry: %s", error.message)
        return JSONResponse({"error": error.message}, status_code=503)
    for upload in emitted:
        log.info(
            "bridge: %s (%s, %d bytes) -> %s", upload.uri, upload.etag, upload.size, upload.event_id
        )
    answer = {
        "accepted": len(wanted),
        "emitted": len(emitted),
        "ignored": len(notified) - len(wanted),
    }
    return JSONResponse(answer, status_code=202)


async def _read_limited(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _authentic(request: Request, body: bytes, secret: str) -> bool:
    bearer = request.headers.get("authorization", "")
    if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].encode(), secret.encode()):
        return True
    signature = request.headers.get("x-regie-signature", "")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(signature) and hmac.compare_digest(signature.encode(), expected.encode())


def _refuse(status: int, reason: str, request: Request) -> JSONResponse:
    client = request.client.host if request.client else "?"
    log.warning("bridge: refused %d from %s: %s", status, client, reason)
    return JSONResponse({"error": reason}, status_code=status)
