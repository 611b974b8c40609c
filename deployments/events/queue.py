"""``regie events consume``: S3 notifications from an SQS-compatible queue (AWS SQS, Scaleway
Queues) turned into Prefect events.

Long polling; a message is deleted only after its uploads were emitted, so a crash or an API
outage leaves it in the queue to be received again. A message that can never be understood is
left too, and the queue's redrive policy moves it to its dead-letter queue after a few tries.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from deployments.events.bridge import Emit
from regie.errors import MediaError, TransientError
from regie.events import UploadFilter, parse_notification

log = logging.getLogger("regie.queue")


def consume(
    sqs: Any, queue_url: str, uploads: UploadFilter, emit: Emit, stop: threading.Event,
    wait_s: int = 20,
) -> None:  # fmt: skip
    """Receive, emit and delete until ``stop`` is set."""
    while not stop.is_set():
        received = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s
        )
        for message in received.get("Messages", []):
            if handle(message, uploads, emit):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def handle(message: dict[str, Any], uploads: UploadFilter, emit: Emit) -> bool:
    """Emit the uploads of one message; True when it may be deleted."""
    try:
        notified = parse_notification(message["Body"])
    except MediaError as error:
        log.warning(
            "queue: message %s left for the dead-letter queue: %s", message["MessageId"], error
        )
        return False
    wanted, strangers = uploads.split(notified)
    if strangers:
        log.warning(
            "queue: message %s names unwatched bucket(s) %s", message["MessageId"], strangers
        )
    try:
        emitted = emit(wanted)
    except TransientError as error:
        log.warning("queue: message %s kept, events not emitted: %s", message["MessageId"], error)
        return False
    for upload in emitted:
        log.info("queue: %s (%s) emitted", upload.uri, upload.etag)
    return True
