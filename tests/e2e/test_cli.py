"""The ``regie`` command as a newcomer uses it: real process, Prefect ephemeral API, real media."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from flows.dag import STAGES
from regie.models import ModelStore
from regie.stage import MANIFEST_NAME
from tests import media
from tests.servers import PurgeApi, edge_services_api, run_command, stop_session

REGIE = str(Path(sys.executable).with_name("regie"))
# a whole DAG per test: the default 300 s is too short on a busy 2-core machine
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def regie(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_command([REGIE, *args], env)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGIE_", "PREFECT_"))}
    return {**clean, "REGIE_HOME": str(tmp_path / "var")}


def last_json(done: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(1800)  # the whole DAG on a 2-minute programme, twice, on a busy 2-core machine
def test_run_twice_on_the_programme_does_the_work_once(
    shared_data: Path, env: dict[str, str], real_whisper_store: ModelStore
) -> None:
    source = shared_data / "programme" / "programme-fr.mp4"
    # real weights: a random model decodes every chunk to its length limit at every temperature
    folder = real_whisper_store.resolve("whisper-base").path
    added = regie("models", "add", "whisper-base", str(folder), env=env)
    assert added.returncode == 0, added.stdout + added.stderr[-2000:]
    # the English branch (a second Whisper pass) has its own end-to-end test (test_review_page.py)
    run = ["run", str(source), "--asr-model", "whisper-base", "--no-english-subtitles"]
    first = regie(*run, env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    summary = last_json(first)
    assert summary["status"] == "done" and summary["reused"] == []
    assert summary["asset_id"].startswith("programme-fr-")
    english = {"translate", "subtitles-en"}
    assert set(summary["manifests"]) == set(STAGES) - english
    assert summary["skipped"] == dict.fromkeys(english, "english_subtitles is off")
    subtitles_manifest = Path(summary["manifests"]["subtitles"].removeprefix("file://"))
    subtitles = json.loads(subtitles_manifest.read_text())["artefact"]
    assert subtitles["shot_cuts"] == 38 and subtitles["language"] == "fr"
    assert subtitles["compliance"]["hard_rule_violations"] == 0
    probe_manifest = Path(summary["manifests"]["probe"].removeprefix("file://"))
    info = json.loads(probe_manifest.read_text())["artefact"]
    assert info["video"][0]["frames"] == 2955 and info["audio"][0]["channels"] == 2
    truth = json.loads((shared_data / "programme" / "programme-fr.json").read_text())
    shots_manifest = Path(summary["manifests"]["shots"].removeprefix("file://"))
    shots = json.loads(shots_manifest.read_text())["artefact"]
    assert [t["first_frame"] for t in shots["transitions"]] == truth["cuts"]
    assert len(shots["shots"]) == len(truth["cuts"]) + 1
    ladder_manifest = Path(summary["manifests"]["transcode"].removeprefix("file://"))
    ladder = json.loads(ladder_manifest.read_text())["artefact"]
    assert [r["name"] for r in ladder["renditions"]] == ["720p", "540p", "360p", "234p"]
    assert ladder["shot_cuts_aligned"] == len(truth["cuts"])  # checked IDR frames on every cut
    assert abs(ladder["loudness_out"]["integrated_lufs"] + 23) <= 1
    assert all(r["ssim"] > 0.9 for r in ladder["renditions"])
    live = Path(env["REGIE_HOME"]) / "cdn" / "programmes" / "programme-fr"
    assert summary["live"]["hls"] == (live / "master.m3u8").as_uri()
    assert f"live hls     {summary['live']['hls']}" in first.stdout
    pointer = json.loads((live / "current.json").read_text())
    publish_manifest = Path(summary["manifests"]["publish"].removeprefix("file://"))
    assert pointer["release"] == publish_manifest.parent.name  # the publish key
    stable = (live / "master.m3u8").read_text()
    assert stable.count("#EXT-X-STREAM-INF") == 4 and f"{pointer['release']}/media_0.m3u8" in stable
    assert (live / pointer["release"] / "release.json").is_file()
    written = {
        name: Path(url.removeprefix("file://")).stat().st_mtime_ns
        for name, url in summary["manifests"].items()
    }

    second = regie(*run, env=env)
    assert second.returncode == 0, second.stderr[-2000:]
    again = last_json(second)
    assert again["reused"] == [stage for stage in STAGES if stage not in english]
    assert again["manifests"] == summary["manifests"]
    assert written == {
        n: Path(u.removeprefix("file://")).stat().st_mtime_ns for n, u in again["manifests"].items()
    }


def test_unpublish_switches_and_purges_or_says_why_not(clip: Path, env: dict[str, str]) -> None:
    run = regie("run", str(clip), env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    release = Path(last_json(run)["manifests"]["publish"]).parent.name
    done = regie("unpublish", "clip", env=env)
    assert done.returncode == 2
    assert done.stdout.strip() == "error: clip: no earlier complete release to go back to"
    unknown = regie("unpublish", "clip", "--to", "0123", env=env)
    assert "no complete release '0123'" in unknown.stdout
    api = PurgeApi()
    with edge_services_api(api) as url:
        env |= {"REGIE_EDGE_PIPELINE_ID": "pipe-1", "REGIE_EDGE_API_TOKEN": "t0k",
                "REGIE_EDGE_API_URL": url}  # fmt: skip
        again = regie("unpublish", "clip", "--to", release, env=env)
    assert again.returncode == 0, again.stdout + again.stderr[-2000:]
    assert json.loads(again.stdout)["release"] == release
    assert api.requests is not None and len(api.requests) == 1
    assert json.loads(api.requests[0][2])["assets"] == [
        "/programmes/clip/current.json", "/programmes/clip/master.m3u8",
        "/programmes/clip/manifest.mpd",
        "/programmes/clip/review/index.html",
    ]  # fmt: skip


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_a_killed_run_leaves_no_prefect_server_behind(
    clip: Path, env: dict[str, str], tmp_path: Path, signum: int
) -> None:
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen([REGIE, "run", clip.as_uri()], env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        while "Beginning flow run" not in log.read_text() and run.poll() is None:
            time.sleep(0.2)  # the test's timeout bounds the wait
        servers = [p for p in psutil.Process(run.pid).children(recursive=True)
                   if "uvicorn" in p.cmdline()]  # fmt: skip
        assert len(servers) == 1, log.read_text()[-2000:]
        os.kill(run.pid, signum)
        run.wait()
        _, alive = psutil.wait_procs(servers, timeout=60)
        assert not alive, f"the temporary server outlived the run killed by {signum}"
    finally:
        stop_session(run)


def test_run_until_fetch_stops_there(clip: Path, env: dict[str, str]) -> None:
    done = regie("run", clip.as_uri(), "--until", "fetch", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert list(last_json(done)["manifests"]) == ["fetch"]


def test_run_from_the_s3_archive_into_an_s3_work_bucket(
    s3_endpoint: str, bucket: str, s3_client, clip: Path, env: dict[str, str]
) -> None:
    s3_client.upload_file(str(clip), bucket, "masters/clip.mp4")
    env |= {
        "REGIE_S3_ENDPOINT_URL": s3_endpoint,
        "REGIE_S3_REGION": "fr-par",
        "REGIE_WORK_URL": f"s3://{bucket}/work",
    }
    done = regie("run", f"s3://{bucket}/masters/clip.mp4", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = last_json(done)
    key = summary["manifests"]["probe"].removeprefix(f"s3://{bucket}/")
    manifest = json.loads(s3_client.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert manifest["artefact"]["video"][0]["width"] == 320
    assert manifest["stage"] == "probe" and manifest["asset_id"] == summary["asset_id"]
    master = summary["manifests"]["transcode"].replace("_manifest.json", "master.m3u8")
    body = s3_client.get_object(Bucket=bucket, Key=master.removeprefix(f"s3://{bucket}/"))
    assert body["ContentType"] == "application/vnd.apple.mpegurl"
    assert b"RESOLUTION=312x234" in body["Body"].read()


def test_broken_master_fails_the_run_and_leaves_no_probe_manifest(
    tmp_path: Path, env: dict[str, str]
) -> None:
    broken = media.truncated(
        media.good_clip(tmp_path / "ok.mp4", faststart=True), tmp_path / "cut.mp4"
    )
    done = regie("run", str(broken), env=env)
    assert done.returncode == 1
    summary = last_json(done)
    assert summary["status"] == "failed" and "truncated" in summary["error"]
    assert summary["asset_id"].startswith("cut-") and summary["source"] == broken.as_uri()
    assert summary["error"].startswith(summary["asset_id"])
    manifests = list((tmp_path / "var" / "work").rglob(MANIFEST_NAME))
    assert [m.relative_to(tmp_path / "var" / "work").parts[1] for m in manifests] == ["fetch"]


def test_foreign_storage_is_refused_before_any_request(env: dict[str, str]) -> None:
    env |= {"REGIE_S3_ENDPOINT_URL": "https://s3.nl-ams.scw.cloud", "REGIE_S3_REGION": "nl-ams"}
    done = regie("run", "s3://archive/masters/jt.mxf", env=env)
    assert done.returncode == 1
    error = last_json(done)["error"]
    assert error.startswith("s3://archive/masters/jt.mxf") and "REGIE_ALLOW_NON_FR=1" in error


def test_audio_only_master_skips_the_video_stages(tmp_path: Path, env: dict[str, str]) -> None:
    done = regie("run", str(media.audio_only(tmp_path / "radio.m4a")), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = last_json(done)
    assert set(summary["skipped"]) == {
        "shots",
        "asr",
        "subtitles",
        "tagging",
        "transcode",
        "translate",
        "subtitles-en",
        "publish",
    }
    assert summary["skipped"]["shots"] == "audio-only master"
    assert "whisper-small is not in the model store" in summary["skipped"]["asr"]
    assert set(summary["manifests"]) == {"fetch", "probe"}


def test_probe_prints_media_info(clip: Path, env: dict[str, str]) -> None:
    done = regie("probe", str(clip), env=env)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["video"][0]["frame_rate"] == "25" and info["duration"] == "4"


def test_probe_on_bad_media_prints_one_error_line(tmp_path: Path, env: dict[str, str]) -> None:
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video\n")
    done = regie("probe", str(notes), env=env)
    assert done.returncode == 2
    assert done.stdout.strip().splitlines() == [f"error: {notes}: not a media file (text)"]


def test_probe_on_a_missing_file_prints_one_error_line(tmp_path: Path, env: dict[str, str]) -> None:
    done = regie("probe", str(tmp_path / "nope.mxf"), env=env)
    assert done.returncode == 2
    assert done.stdout.strip().splitlines() == [f"error: {tmp_path / 'nope.mxf'}: file not found"]


def test_probe_reads_from_s3(
    s3_endpoint: str, bucket: str, s3_client, clip: Path, env: dict[str, str]
) -> None:
    s3_client.upload_file(str(clip), bucket, "clip.mp4")
    env |= {"REGIE_S3_ENDPOINT_URL": s3_endpoint, "REGIE_S3_REGION": "fr-par"}
    done = regie("probe", f"s3://{bucket}/clip.mp4", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["video"][0]["height"] == 240
