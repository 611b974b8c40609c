"""Publishing to a real S3 origin (moto over HTTP): headers, resume, switch, purge, rollback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import m3u8
import pytest
from pydantic import SecretStr

from regie.errors import MediaError, PermanentError
from regie.fetch import fetch
from regie.probe import probe
from regie.publish import CdnTarget, EdgeServicesTarget, PublishOptions, publish, unpublish
from regie.publish.layout import CachePolicy
from regie.publish.verify import referenced_uris
from regie.shots.stage import detect_shots
from regie.stage import MANIFEST_NAME, StageContext
from regie.storage import Storage
from regie.transcode import Rung, TranscodeOptions, transcode
from tests import media
from tests.servers import PurgeApi, edge_services_api

SMALL = (Rung(lines=234, bitrate_kbps=300),)


@pytest.fixture(scope="module")
def two_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media.cut_clip_with_quiet_tone(tmp_path_factory.mktemp("media") / "Journal 20h.mp4")


@pytest.fixture
def context(s3_storage: Storage, tmp_path: Path) -> StageContext:
    """Work store on local disk (as on a worker), origin on the S3 server."""
    return StageContext(s3_storage, (tmp_path / "work").as_uri(), tmp_path / "scratch")


@pytest.fixture
def target(s3_endpoint: str, bucket: str) -> CdnTarget:
    """An origin bucket (objects published public-read, as a CDN reads them) and its address."""
    return CdnTarget(
        origin_url=f"s3://{bucket}", prefix="programmes",
        http_base_url=f"{s3_endpoint}/{bucket}/programmes",
    )  # fmt: skip


def _stages(path: Path, context: StageContext, audio_kbps: int = 128):  # type: ignore[no-untyped-def]
    source = fetch(path.as_uri(), context).artefact
    info = probe(source, context).artefact
    shots = detect_shots(source, info, context)
    options = TranscodeOptions(ladder=SMALL, ssim_step=0, audio_bitrate_kbps=audio_kbps)
    return source, info, shots.artefact, transcode(source, info, shots, context, options)


def test_release_goes_live_with_the_right_headers_and_is_verified_over_http(
    two_shots: Path, context: StageContext, target: CdnTarget, s3_client, s3_endpoint: str
) -> None:
    source, info, shots, ladder = _stages(two_shots, context)
    receipt = publish(source, info, shots, ladder, context, target).artefact
    assert receipt.slug == "journal-20h" and receipt.release == Path(receipt.release_url).name
    assert receipt.verified_over == "http" and receipt.skipped == 0
    assert receipt.uploaded == receipt.verified - 2 > 10  # every object, + stable master and MPD
    bucket = target.origin_url.removeprefix("s3://")
    base = f"programmes/journal-20h/{receipt.release}"
    segment = s3_client.head_object(Bucket=bucket, Key=f"{base}/seg-0-00001.m4s")
    assert segment["ContentType"] == "video/iso.segment"
    assert segment["CacheControl"] == "public, max-age=31536000, immutable"
    playlist = s3_client.head_object(Bucket=bucket, Key=f"{base}/media_0.m3u8")
    assert playlist["ContentType"] == "application/vnd.apple.mpegurl"
    assert playlist["CacheControl"] == "public, max-age=5"
    stable = httpx.get(f"{target.http_base_url}/journal-20h/master.m3u8")
    assert stable.status_code == 200
    assert [p.uri for p in m3u8.loads(stable.text).playlists] == [f"{receipt.release}/media_0.m3u8"]
    mpd = httpx.get(f"{target.http_base_url}/journal-20h/manifest.mpd").text
    assert f"<BaseURL>{receipt.release}/</BaseURL>" in mpd
    pointer = httpx.get(f"{target.http_base_url}/journal-20h/current.json").json()
    assert pointer["release"] == receipt.release and pointer["hls"].endswith("/master.m3u8")
    metadata = httpx.get(f"{target.http_base_url}/journal-20h/{receipt.release}/metadata.json")
    assert metadata.json()["shots"] == 2 and metadata.json()["title"] == "Journal 20h"


def test_rerun_does_nothing_and_a_lost_receipt_resumes_without_uploading(
    two_shots: Path, context: StageContext, target: CdnTarget
) -> None:
    source, info, shots, ladder = _stages(two_shots, context)
    first = publish(source, info, shots, ladder, context, target)
    assert publish(source, info, shots, ladder, context, target).reused
    Path(first.manifest_url.removeprefix("file://")).unlink()  # as if the run died after uploads
    again = publish(source, info, shots, ladder, context, target).artefact
    assert again.uploaded == 0 and again.skipped == first.artefact.uploaded


def test_readers_polling_the_pointer_never_see_a_hole(
    two_shots: Path, context: StageContext, target: CdnTarget, s3_client
) -> None:
    source, info, shots, old_ladder = _stages(two_shots, context)
    old = publish(source, info, shots, old_ladder, context, target, PublishOptions(workers=2))
    _, _, _, broken = _stages(two_shots, context, audio_kbps=96)
    _, _, _, good = _stages(two_shots, context, audio_kbps=64)
    damaged = next(o for o in broken.manifest.outputs if o.name == "seg-0-00002.m4s")
    Path(damaged.uri.removeprefix("file://")).write_bytes(b"damaged")
    # a release that fails half way: never pointed to
    with _reader(target) as (seen, holes), pytest.raises(MediaError) as failed:
        _first_look(seen)  # the validated package fails fast, at its first damaged upload
        publish(source, info, shots, broken, context, target, PublishOptions(workers=2))
    assert "seg-0-00002.m4s" in str(failed.value)
    assert seen and set(seen) == {old.artefact.release} and holes == []
    bucket = target.origin_url.removeprefix("s3://")
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix="programmes/journal-20h/")
    records = [o["Key"] for o in listed["Contents"] if o["Key"].endswith("/release.json")]
    assert records == [f"programmes/journal-20h/{old.artefact.release}/release.json"]
    work = Path(context.work_url.removeprefix("file://"))
    assert len(list(work.glob(f"*/publish/*/{MANIFEST_NAME}"))) == 1  # no receipt for it
    with _reader(target) as (seen, holes):  # a release that succeeds: old, then new, whole
        new = publish(source, info, shots, good, context, target, PublishOptions(workers=2))
    assert holes == [] and seen[0] == old.artefact.release
    assert set(seen) <= {old.artefact.release, new.artefact.release}
    assert httpx.get(f"{target.http_base_url}/journal-20h/current.json").json()["release"] == (
        new.artefact.release
    )


def _first_look(seen: list[str]) -> None:
    """Wait until the reader has read the live release once."""
    deadline = time.monotonic() + 30
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)


@contextmanager
def _reader(target: CdnTarget) -> Iterator[tuple[list[str], list[str]]]:
    seen: list[str] = []
    holes: list[str] = []
    stop = threading.Event()
    reader = threading.Thread(target=_watch, args=(target, seen, holes, stop))
    reader.start()
    try:
        yield seen, holes
    finally:
        stop.set()
        reader.join()


def _watch(target: CdnTarget, seen: list[str], holes: list[str], stop: threading.Event) -> None:
    """A player polling the pointer, fetching everything the live master references."""
    base = f"{target.http_base_url}/journal-20h"
    with httpx.Client() as http:
        while not stop.is_set():
            pointer = http.get(f"{base}/current.json")
            if pointer.status_code != 200:
                continue
            master = http.get(f"{base}/master.m3u8").text
            for uri in referenced_uris(master, lambda u: http.get(f"{base}/{u}").text):
                if http.head(f"{base}/{uri}").status_code != 200:
                    holes.append(uri)
            seen.append(pointer.json()["release"])


def test_purge_asks_only_for_the_stable_entry_points_and_retries_429(
    two_shots: Path, context: StageContext, target: CdnTarget
) -> None:
    api = PurgeApi(throttle=1)
    source, info, shots, ladder = _stages(two_shots, context)
    with edge_services_api(api) as url:
        edge = EdgeServicesTarget(
            pipeline_id="pipe-fr-par-1", token=SecretStr("scw-secret"), api_url=url, backoff_s=0.01
        )
        cdn = target.model_copy(update={"edge": edge})
        receipt = publish(source, info, shots, ladder, context, cdn).artefact
    assert receipt.purge_request == "purge-0001"
    assert api.requests is not None and len(api.requests) == 2  # one 429, then accepted
    path, headers, body = api.requests[-1]
    assert path == "/edge-services/v1beta1/purge-requests"
    assert headers["X-Auth-Token"] == "scw-secret"
    assert json.loads(body) == {
        "pipeline_id": "pipe-fr-par-1",
        "assets": [
            "/programmes/journal-20h/current.json",
            "/programmes/journal-20h/master.m3u8",
            "/programmes/journal-20h/manifest.mpd",
            "/programmes/journal-20h/review/index.html",
        ],
    }


def test_unpublish_moves_the_pointer_back(
    two_shots: Path, context: StageContext, target: CdnTarget
) -> None:
    source, info, shots, old_ladder = _stages(two_shots, context)
    _, _, _, new_ladder = _stages(two_shots, context, audio_kbps=96)
    old = publish(source, info, shots, old_ladder, context, target).artefact
    new = publish(source, info, shots, new_ladder, context, target).artefact
    asset_url = f"{target.origin_url}/programmes/journal-20h"
    back = unpublish(context.storage, asset_url, "journal-20h", None, CachePolicy())
    assert back.release == old.release
    live = httpx.get(f"{target.http_base_url}/journal-20h/master.m3u8").text
    assert f"{old.release}/media_0.m3u8" in live
    with pytest.raises(PermanentError, match="no complete release 'nope'"):
        unpublish(context.storage, asset_url, "journal-20h", "nope", CachePolicy())
    forward = unpublish(context.storage, asset_url, "journal-20h", new.release, CachePolicy())
    assert forward.release == new.release


def test_release_failing_verification_hands_viewers_back_the_previous_one(
    two_shots: Path, context: StageContext, target: CdnTarget
) -> None:
    source, info, shots, old_ladder = _stages(two_shots, context)
    old = publish(source, info, shots, old_ladder, context, target).artefact
    _, _, _, new = _stages(two_shots, context, audio_kbps=96)
    wrong = target.model_copy(update={"http_base_url": f"{target.http_base_url}/not-here"})
    with pytest.raises(PermanentError, match="origin answered 404"):
        publish(source, info, shots, new, context, wrong)
    live = httpx.get(f"{target.http_base_url}/journal-20h/current.json").json()
    assert live["release"] == old.release
