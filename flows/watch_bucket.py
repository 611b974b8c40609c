"""watch-bucket: the polling route for stores that send no notifications (Scaleway today).

Every minute (deployment ``watch-bucket/every-minute``) it lists the prefix page by page, compares
the listing with the one it stored last time (key -> ETag, in the work store) and emits
``regie.object.created`` for new or changed objects, through the same once-per-upload emitter as
the bridge and the queue consumer. The new listing is stored only after the events went out, so
a failed sweep is simply done again. The first sweep of a prefix records what is there without
emitting, unless ``baseline`` is False: the catalogue already in the bucket is backfill's job.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL
from pydantic import BaseModel

from regie.events import ListingState, diff_listing
from regie.events.emit import EventsApi, emit_uploads, seen_uploads
from regie.events.watch import list_uploads, load_state, save_state, state_url
from regie.settings import Settings
from tasks.names import sweep_flow_run_name
from tasks.schedule import name_next_sweeps


class Sweep(BaseModel):
    """What one sweep saw and did."""

    prefix: str
    listed: int
    changed: int
    emitted: list[str]
    baseline: bool


@flow(name="watch-bucket", flow_run_name=sweep_flow_run_name)
def watch_bucket(prefix_url: str, baseline: bool = True) -> Sweep:
    """Emit an event for every object new or changed under ``prefix_url`` since the last sweep.

    Args:
        prefix_url: s3://bucket/prefix/ to watch.
        baseline: On the first sweep, record the objects already there without emitting.
    """
    name_next_sweeps()
    settings = Settings()
    storage = settings.storage()
    state_at = state_url(settings.work_url, prefix_url)
    previous = load_state(storage, state_at)
    first = previous is None
    listing = list_uploads(storage, prefix_url)
    changed, state = diff_listing(previous or ListingState(prefix=prefix_url), listing)
    uploads = settings.upload_filter()
    wanted = [u for u in changed if uploads.ignores(u) is None]
    seen = seen_uploads(settings.events_redis_url)
    api = EventsApi(PREFECT_API_URL.value(), PREFECT_API_AUTH_STRING.value())
    emitted = [] if first and baseline else emit_uploads(wanted, seen, api)
    save_state(storage, state_at, state)
    get_run_logger().info(
        "%s: %d objects, %d new or changed, %d emitted", prefix_url, len(listing), len(changed),
        len(emitted),
    )  # fmt: skip
    return Sweep(
        prefix=prefix_url, listed=len(listing), changed=len(changed),
        emitted=[u.uri for u in emitted], baseline=first and baseline,
    )  # fmt: skip
