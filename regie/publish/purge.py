"""CDN purge through Scaleway Edge Services, after the pointer has switched.

Only the stable entry points are purged (the pointer, the stable master and MPD): segments live
under a release path that never changes, so a peak audience keeps hitting the edge for them.
API: ``POST {api}/edge-services/v1beta1/purge-requests`` with ``pipeline_id`` and ``assets``,
authenticated by the ``X-Auth-Token`` header. 429 and 5xx answers are retried with exponential
backoff and jitter; anything else is a permanent error carrying the API's message.
"""

from __future__ import annotations

import logging
import random
import time

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from regie.errors import PermanentError, TransientError

log = logging.getLogger("regie.publish.purge")
PURGE_PATH = "/edge-services/v1beta1/purge-requests"


class EdgeServicesTarget(BaseModel):
    """A Scaleway Edge Services pipeline in front of the origin bucket."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pipeline_id: str
    token: SecretStr
    api_url: str = "https://api.scaleway.com"
    attempts: int = 5
    backoff_s: float = 1.0


def purge_request_body(pipeline_id: str, paths: list[str]) -> dict[str, object]:
    """The JSON body of one purge request (pure)."""
    return {"pipeline_id": pipeline_id, "assets": [f"/{p.lstrip('/')}" for p in paths]}


def purge(target: EdgeServicesTarget, paths: list[str], asset: str) -> str:
    """Ask the CDN to drop ``paths`` (object keys); returns the purge request id."""
    url = target.api_url.rstrip("/") + PURGE_PATH
    headers = {"X-Auth-Token": target.token.get_secret_value()}
    body = purge_request_body(target.pipeline_id, paths)
    for attempt in range(1, target.attempts + 1):
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=30)
        except httpx.TransportError as error:
            failure: Exception = TransientError(asset, f"CDN purge API unreachable ({error})")
        else:
            if response.status_code < 300:
                return str(response.json().get("id", ""))
            if response.status_code != 429 and response.status_code < 500:
                raise PermanentError(
                    asset, f"CDN purge refused ({response.status_code}: {response.text[:200]})"
                )
            failure = TransientError(asset, f"CDN purge API answered {response.status_code}")
        if attempt == target.attempts:
            raise failure
        delay = target.backoff_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
        log.warning("%s: %s; retrying in %.1f s", asset, failure, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")
