"""process-asset on a real Prefect server (PostgreSQL + Redis), deployed and run by process workers.

`regie setup` prepares pools, queues, GPU limits and blocks; `prefect --no-prompt deploy --all`
registers prefect.yaml; workers on the local pools run real clips from moto S3 through to publish.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import WorkPoolUpdate
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    DeploymentFilter,
    DeploymentFilterId,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterState,
    LogFilter,
    LogFilterFlowRunId,
    LogFilterTaskRunId,
)
from prefect.client.schemas.objects import FlowRun, Log, StateType, TaskRun
from prefect.deployments import run_deployment
from prefect.states import Scheduled

from cli.embedded import RUN_ENVIRONMENT
from deployments.topology import POOLS
from flows.dag import STAGES
from regie.asset_run import AssetRun
from regie.models import ModelStore
from tasks.gpu import ACQUIRED, RELEASED, gpu_limit_name
from tasks.names import sweep_name
from tasks.report import artifact_key
from tasks.schedule import WAITING
from tests import media
from tests.platform import (
    CPU,
    L4,
    SPEECH_OFF,
    Platform,
    run_cli,
    wait_final,
)
from tests.prefect_server import BIN

pytestmark = [pytest.mark.slow, pytest.mark.allow_error_logs, pytest.mark.timeout(900)]
POOL_RUNS = {pool.name: pool.flow_runs for pool in POOLS}


def _start(deployment: str, parameters: dict[str, Any], **kwargs: Any) -> FlowRun:
    return run_deployment(f"process-asset/{deployment}", parameters=parameters, timeout=0, **kwargs)


def _task_runs(client: SyncPrefectClient, flow_runs: list[FlowRun]) -> list[TaskRun]:
    ids = FlowRunFilter(id=FlowRunFilterId(any_=[run.id for run in flow_runs]))
    return client.read_task_runs(flow_run_filter=ids)


def _logs(client: SyncPrefectClient, task_run: TaskRun, awaited: str = RELEASED) -> list[Log]:
    """A task run's logs, once a line with ``awaited`` has reached the API (logs come in
    batches, late on a busy machine). The test's timeout bounds the wait."""
    only = LogFilter(task_run_id=LogFilterTaskRunId(any_=[task_run.id]))
    while True:
        logs = client.read_logs(only)
        if any(awaited in log.message for log in logs):
            return logs
        time.sleep(1)


def _slot_held(logs: list[Log]) -> tuple[datetime, datetime]:
    """When a task run held its GPU slot, from the lines ``tasks.gpu`` logs."""
    taken = [log.timestamp for log in logs if log.message.startswith(ACQUIRED)]
    given_back = [log.timestamp for log in logs if log.message.startswith(RELEASED)]
    assert len(taken) == len(given_back) == 1, [log.message for log in logs]
    return taken[0], given_back[0]


def test_three_assets_and_a_broken_one_through_the_l4_pool(
    platform: Platform, tmp_path: Path
) -> None:
    clips = [media.good_clip(tmp_path / f"clip-{n}.mp4", seconds=3) for n in range(3)]
    good = [platform.upload(clip, f"masters/reportage-{n}.mp4") for n, clip in enumerate(clips)]
    broken = platform.upload(media.truncated(clips[0], tmp_path / "cut.mp4"), "masters/cut.mp4")
    options = {"encoder": "auto", **SPEECH_OFF}
    runs = [_start("urgent", {"source_uri": uri, "options": options}) for uri in [*good, broken]]
    with get_client(sync_client=True) as client:
        finished = wait_final(client, runs)
        states = [run.state for run in finished]
        assert [state.is_completed() for state in states] == [True, True, True, False]
        task_runs = _task_runs(client, finished)
        limit = client.read_global_concurrency_limit_by_name(gpu_limit_name(L4, "nvenc"))
        client_logs = {t.id: _logs(client, t) for t in task_runs if t.name.startswith("transc")}
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="reportage-"))
        )
        failure = client.read_latest_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="cut-%-urgent-report"))
        )
    # The broken master fails once in probe, with the asset and the reason, and is not retried.
    probe_of_broken = [t for t in task_runs if t.name.startswith("probe-cut-")]
    assert len(probe_of_broken) == 1 and probe_of_broken[0].run_count == 1
    assert probe_of_broken[0].state.is_failed()
    assert "cut-" in states[3].message
    # GPU limit of 1: the three encodes held the NVENC slot one after the other.
    encodes = [t for t in task_runs if t.name.startswith("transcode-")]
    held = {t.id: _slot_held(client_logs[t.id]) for t in encodes}
    in_order = sorted(held.values())
    assert len(held) == 3 and limit.limit == 1 and limit.active_slots == 0
    assert all(end <= next_start for (_, end), (next_start, _) in pairwise(in_order))
    waits = [(held[t.id][0] - t.start_time).total_seconds() for t in encodes]
    assert max(waits) > 0.5  # they did ask at the same time: a slot was waited for
    # Published: the stable HLS master of each good asset is on the origin.
    for n in range(3):
        master = platform.s3.get_object(
            Bucket=platform.origin, Key=f"programmes/reportage-{n}/master.m3u8"
        )
        assert master["Body"].read().startswith(b"#EXTM3U")
    keys = {artifact.key for artifact in artifacts}
    report = next(a for a in artifacts if a.key.endswith("-report"))
    assert any(key.endswith("-renditions") for key in keys) and any(
        key.endswith("-shots") for key in keys
    )
    assert "| publish | done |" in report.data and "## Live" in report.data
    _assert_links_open(report.data)
    # The failed run has its report too: the asset, what failed and the source.
    (failed,) = failure
    assert failed.data.startswith("# cut-") and ": failed" in failed.data.splitlines()[0]
    assert "**ProbeError**: truncated MP4/MOV: the index (moov) is missing" in failed.data
    assert f"Source: `{broken}`" in failed.data


def _assert_links_open(markdown: str) -> None:
    """Every link and image of a report is an http(s) address a browser can open."""
    links = re.findall(r"\]\(([^)]+)\)", markdown)
    assert links and all(link.startswith(("http://", "https://")) for link in links), links
    images = re.findall(r"!\[[^]]*\]\(([^)]+)\)", markdown)
    for link in [*images, *links[:3]]:
        answer = httpx.get(link, timeout=10)
        assert answer.status_code == 200, link
    assert all(httpx.get(image).headers["content-type"] == "image/jpeg" for image in images)


def test_store_outage_is_retried_by_the_task_and_the_run_completes(
    platform: Platform, tmp_path: Path
) -> None:
    uri = platform.upload(media.good_clip(tmp_path / "flaky.mp4", seconds=2), "masters/flaky.mp4")
    # Connections dropped, then every GET throttled until the stage has failed once.
    platform.faults.dropped, platform.faults.drop_requests = 0, 2
    platform.faults.throttled, platform.faults.throttle_gets = 0, 10**6
    env = {"REGIE_S3_ENDPOINT_URL": platform.proxy}
    run = _start(
        "urgent", {"source_uri": uri, "until": "probe", "options": SPEECH_OFF},
        job_variables={"env": env},
    )  # fmt: skip
    with get_client(sync_client=True) as client:
        failed_once = _await_task_state(client, run, "fetch-", "AwaitingRetry")
        platform.faults.throttle_gets = 0  # the store is back
        (finished,) = wait_final(client, [run])
        (fetch,) = [t for t in _task_runs(client, [finished]) if t.name.startswith("fetch-")]
        logs = "\n".join(log.message for log in _logs(client, fetch, "Retry 1/"))
    assert failed_once.is_scheduled()
    assert "TransientError(" in logs and "reduce your request rate" in logs, logs
    assert finished.state.is_completed(), finished.state.message
    assert platform.faults.dropped == 2 and platform.faults.throttled >= 5
    # The retry is on record, as the UI shows it. At least 2, not exactly: the store comes back
    # when this test sees AwaitingRetry, and a busy machine can let a second attempt start first.
    assert fetch.run_count >= 2


def _await_task_state(client: SyncPrefectClient, run: FlowRun, prefix: str, state_name: str) -> Any:
    """The state of the run's task ``prefix*`` once it reaches ``state_name``; however long a
    busy worker takes to pick the run up (the test's timeout bounds the wait)."""
    while True:
        for task_run in _task_runs(client, [run]):
            if task_run.name.startswith(prefix) and task_run.state_name == state_name:
                return task_run.state
        state = client.read_flow_run(run.id).state
        assert not (state and state.is_final()), f"{prefix}* never reached {state_name}: {state}"
        time.sleep(0.5)


def test_distributed_mode_runs_stage_groups_on_their_pools(
    platform: Platform, tmp_path: Path
) -> None:
    uri = platform.upload(media.good_clip(tmp_path / "d.mp4", seconds=2), "masters/distribue.mp4")
    report_url = f"s3://{platform.origin}/runs/distribue.json"
    with get_client(sync_client=True) as client:  # the saved CDN target, as the form's picker
        cdn = client.read_block_document_by_name("regie-cdn-target", "regie-cdn-target")
    picked = {"$ref": {"block_document_id": str(cdn.id)}}  # gives it, through to publish's group
    options = {"encoder": "libx264", "cdn_block": picked, **SPEECH_OFF}
    run = _start("distributed", {"source_uri": uri, "options": options, "report_url": report_url})
    with get_client(sync_client=True) as client:
        (parent,) = wait_final(client, [run])
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_task_run_id={"is_null_": False})
        )
        children = [c for c in children if c.created and c.created >= parent.created]
        deployments = {c.deployment_id: client.read_deployment(c.deployment_id) for c in children}
    assert parent.state.is_completed(), parent.state.message
    body = platform.s3.get_object(Bucket=platform.origin, Key="runs/distribue.json")["Body"]
    result = AssetRun.model_validate_json(body.read())
    groups = {deployments[c.deployment_id].name: c.work_pool_name for c in children}
    assert groups == {
        "stages-analyse": L4, "stages-picture": L4, "stages-speech": L4, "stages-publish": CPU
    }  # fmt: skip
    assert set(result.manifests) == {"fetch", "probe", "shots", "transcode", "publish"}
    assert set(result.skipped) == {"asr", "subtitles", "tagging", "translate", "subtitles-en"}
    assert result.live["hls"].endswith("programmes/distribue/master.m3u8")
    assert artifact_key(result.asset_id).startswith("distribue-")


def test_a_fresh_upload_overtakes_the_backfill_on_a_one_slot_pool(
    platform: Platform, tmp_path: Path
) -> None:
    clips = [media.good_clip(tmp_path / f"archive-{n}.mp4", seconds=2) for n in range(3)]
    uris = [platform.upload(clip, f"fonds/1995/jt-{n}.mp4") for n, clip in enumerate(clips)]
    catalogue = tmp_path / "catalogue.csv"
    layouts = ["1:programme:fr", "", ""]  # the first master's programme is its left channel
    catalogue.write_text("uri,collection,audio_layout\n" + "".join(
        f"{uri},jt,{layout}\n" for uri, layout in zip(uris, layouts, strict=True)))  # fmt: skip
    source = platform.upload(catalogue, "catalogues/jt-1995.csv")
    fresh = platform.upload(
        media.good_clip(tmp_path / "fresh.mp4", seconds=2), "masters/direct.mp4"
    )
    with get_client(sync_client=True) as client:
        client.update_work_pool(L4, WorkPoolUpdate(concurrency_limit=1))
        try:
            parent = run_deployment(
                "backfill/catalogue", timeout=0, parameters={
                    "source": source, "dry_run": False, "max_concurrency": 3,
                    "options": {"encoder": "libx264", **SPEECH_OFF}},
            )  # fmt: skip
            first = _await_backfill_children(client, running=1)
            urgent = _start("urgent", {"source_uri": fresh, "options": SPEECH_OFF})
            wait_final(client, [parent])
            (urgent,) = wait_final(client, [urgent])
            children = _await_backfill_children(client, running=0)
        finally:
            client.update_work_pool(L4, WorkPoolUpdate(concurrency_limit=POOL_RUNS[L4]))
        parent = client.read_flow_run(parent.id)
    assert parent.state.is_completed(), parent.state.message
    assert len(children) == 3 and all(c.state.is_completed() for c in children)
    later = [c for c in children if c.id != first.id]
    # the upload was queued after all three backfill runs, yet ran right after the first
    assert all(urgent.start_time < c.start_time for c in later)
    assert all(c.work_queue_name == "backfill" for c in children)
    assert urgent.work_queue_name == "urgent"
    # named from the start as they name themselves, each with its catalogue row's layout
    assert {c.name: c.parameters["options"]["audio_layout"] for c in children} == {
        "jt-0": "1:programme:fr", "jt-1": "auto", "jt-2": "auto"}  # fmt: skip


def _await_backfill_children(client: SyncPrefectClient, running: int) -> Any:
    """The backfill's process-asset runs: the first once ``running`` are running (1), or all
    of them once none is left to run (0). The test's timeout bounds the wait."""
    only = DeploymentFilter(name=DeploymentFilterName(any_=["archive"]))
    while True:
        runs = client.read_flow_runs(deployment_filter=only)
        if running and (started := [r for r in runs if r.state_name == "Running"]):
            return started[0]
        if not running and len(runs) == 3 and all(r.state.is_final() for r in runs):
            return runs
        time.sleep(0.5)


def test_setup_is_idempotent_and_leaves_pools_queues_and_limits_as_the_topology_says(
    platform: Platform,
) -> None:
    again = json.loads(run_cli(platform.env, str(BIN / "regie"), "setup", "--gpu-limit",
                               f"{gpu_limit_name(L4, 'nvenc')}=1"))  # fmt: skip
    with get_client(sync_client=True) as client:
        queues = {q.name: q.priority for q in client.read_work_queues(work_pool_name=L4)}
        pool = client.read_work_pool(L4)
        cuda = client.read_global_concurrency_limit_by_name(gpu_limit_name(L4, "cuda"))
    assert again["limits"][gpu_limit_name(L4, "nvenc")] == 1 and cuda.limit == 2
    assert queues["urgent"] == 1 and queues["backfill"] == 10
    env = pool.base_job_template["variables"]["properties"]["env"]["default"]
    assert env == {**RUN_ENVIRONMENT, "REGIE_GPU_POOL": L4} and pool.type == "process"
    assert set(again["blocks"]) == {"regie-object-store", "regie-model-store", "regie-cdn-target"}


def _deployments(client: SyncPrefectClient) -> dict[str, Any]:
    flows = {}
    named = {}
    for deployment in client.read_deployments():
        if deployment.flow_id not in flows:
            flows[deployment.flow_id] = client.read_flow(deployment.flow_id).name
        named[f"{flows[deployment.flow_id]}/{deployment.name}"] = deployment
    return named


def test_pools_queues_deployments_and_automation_as_the_ui_shows_them(platform: Platform) -> None:
    with get_client(sync_client=True) as client:
        deployments = _deployments(client)
        pools = {pool.name: client.read_work_pool(pool.name) for pool in POOLS}
        queues = {name: client.read_work_queues(work_pool_name=name) for name in pools}
        (automation,) = client.read_automations_by_name("process-asset on upload")
    flows = {name.split("/")[0] for name in deployments}
    assert not {name.split("/")[1] for name in deployments} & flows  # no deployment named as a flow
    # The catalogue's form starts its runs with the options the archive deployment would use.
    catalogue, archive = deployments["backfill/catalogue"], deployments["process-asset/archive"]
    assert catalogue.parameters["options"] == archive.parameters["options"]
    assert archive.parameters["options"]["shot_detector"] == "fast"  # the tests' broadcast data
    assert deployments["process-asset/speech-h100"].work_pool_name == "scw-fr-par-2-h100"
    watcher = deployments["watch-bucket/every-minute"]
    assert watcher.global_concurrency_limit.limit == 1
    assert watcher.concurrency_options.collision_strategy == "CANCEL_NEW"
    on_upload = deployments["process-asset/on-upload"]
    assert on_upload.global_concurrency_limit.limit == 8
    assert automation.description.startswith("Each regie.object.created event")
    for name, pool in pools.items():
        assert pool.concurrency_limit == POOL_RUNS[name] and "runs at once" in pool.description
        described = {
            q.name: (q.priority, q.concurrency_limit, bool(q.description)) for q in queues[name]
        }
        assert described == {
            "urgent": (1, None, True), "backfill": (10, POOL_RUNS[name] * 3 // 4, True)
        }  # fmt: skip


def test_the_watcher_cannot_pile_up_runs(platform: Platform) -> None:
    """Five sweeps overdue at once (the worker was down): one runs, the others are cancelled."""
    with get_client(sync_client=True) as client:
        watcher = _deployments(client)["watch-bucket/every-minute"]
        overdue = Scheduled(scheduled_time=datetime.now(UTC) - timedelta(minutes=5))
        runs = [client.create_flow_run_from_deployment(watcher.id, state=overdue) for _ in range(5)]
        finished = wait_final(client, runs)
        left = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[watcher.id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(name={"any_": ["Late"]})),
        )
    states = sorted(run.state_name for run in finished)
    assert states.count("Completed") <= 1 and states.count("Cancelled") >= 4, states
    assert all("concurrency limit" in r.state.message for r in finished if r.state.is_cancelled())
    assert not left


def test_watcher_runs_are_named_before_they_start(platform: Platform) -> None:
    """The scheduler creates sweeps an hour ahead with random names; each sweep names the runs
    still waiting as they will be named when they start."""
    with get_client(sync_client=True) as client:
        watcher = _deployments(client)["watch-bucket/every-minute"]
        sweep = _await_scheduled_sweep(client, watcher.id)
        waiting = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[watcher.id])),
            flow_run_filter=WAITING,
        )
    prefix = watcher.parameters["prefix_url"]
    assert sweep.name == sweep_name(prefix, sweep.expected_start_time)
    assert sweep.name.startswith(f"watch-{platform.watched}-masters-")
    there_before = [run for run in waiting if run.created < sweep.start_time]
    assert len(there_before) >= 30  # an hour of sweeps, less those due since
    assert all(run.name == sweep_name(prefix, run.expected_start_time) for run in there_before)


def _await_scheduled_sweep(client: SyncPrefectClient, watcher: Any) -> FlowRun:
    """The latest sweep the schedule started and that completed (one a minute; the test's
    timeout bounds the wait)."""
    only = DeploymentFilter(id=DeploymentFilterId(any_=[watcher]))
    completed = FlowRunFilter(state=FlowRunFilterState(type={"any_": [StateType.COMPLETED]}))
    while True:
        runs = client.read_flow_runs(deployment_filter=only, flow_run_filter=completed)
        scheduled = [r for r in runs if r.created_by and r.created_by.type == "SCHEDULE"]
        if scheduled:
            return max(scheduled, key=lambda run: run.start_time)
        time.sleep(2)


def test_custom_run_forms_offer_choices_and_blocks_and_no_none_box(platform: Platform) -> None:
    """Forms as the UI draws them from each deployment's parameter schema."""
    with get_client(sync_client=True) as client:
        deployments = _deployments(client)
        saved = {b.name for b in client.read_block_documents_by_type("regie-cdn-target")}
    for name, deployment in deployments.items():  # the UI's 'Property is type "None"' box
        assert '"type": "null"' not in json.dumps(deployment.parameter_openapi_schema), name
    urgent = deployments["process-asset/urgent"].parameter_openapi_schema
    # mode, queue and report_url are set by deployments and parent runs, not typed in a form
    assert set(urgent["properties"]) == {"source_uri", "until", "stages", "options"}
    options = urgent["definitions"]["AssetOptions"]["properties"]
    pickers = {field: _resolved(urgent, options[field]).get("block_type_slug")
               for field in ("cdn_block", "object_store_block", "model_store_block")}  # fmt: skip
    assert pickers == {"cdn_block": "regie-cdn-target", "object_store_block": "regie-object-store",
                       "model_store_block": "regie-model-store"}  # fmt: skip
    assert "regie-cdn-target" in saved  # what the picker lists


def _resolved(schema: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """A property's schema, its ``#/definitions/…`` reference followed."""
    reference = prop.get("$ref", "")
    return schema["definitions"][reference.rpartition("/")[2]] if reference else prop


def _run_logs(client: SyncPrefectClient, run: FlowRun) -> list[Log]:
    """Every log line of a flow run and its task runs, once the final one has arrived."""
    only = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id]))
    for _ in range(30):
        logs = client.read_logs(only)
        if any("Finished in state" in log.message and not log.task_run_id for log in logs):
            break
        time.sleep(1)
    return logs


def test_a_run_reads_like_the_dag_in_the_ui(
    platform: Platform, tmp_path: Path, real_whisper_store: ModelStore, shared_data: Path
) -> None:
    """A run with every stage: the graph has the DAG's edges and nothing parented under a stage,
    task runs are named <stage>-<asset id>, a healthy run logs no WARNING, and a regie.* warning
    (the tagging ensemble without its classifier) reaches the run's logs."""
    names = ("jfk.flac", "fleurs/fleurs-en-000.ogg", "fleurs/fleurs-en-001.ogg")
    speech = [shared_data / "speech" / name for name in names]
    uri = platform.upload(media.speech_clip(tmp_path / "ask.mp4", speech), "masters/ask-not.mp4")
    env = {"REGIE_MODEL_STORE_URL": real_whisper_store.url}
    options = {"asr_model": "whisper-tiny.en", "language": "en", "encoder": "libx264",
               "english_subtitles": False}  # fmt: skip
    with get_client(sync_client=True) as client:
        (healthy,) = wait_final(client, [_start(
            "urgent", {"source_uri": uri, "options": {**options, "tagging": {"tagger": "lexical"}}},
            job_variables={"env": env},
        )])  # fmt: skip
        (warned,) = wait_final(client, [_start(
            "urgent", {"source_uri": uri, "options": options}, job_variables={"env": env}
        )])  # fmt: skip
        task_runs = _task_runs(client, [healthy])
        logs, warned_logs = _run_logs(client, healthy), _run_logs(client, warned)
    assert healthy.state.is_completed(), healthy.state.message
    assert warned.state.is_completed(), warned.state.message
    assert healthy.name == "ask-not"
    stage_of = {t.id: name for t in task_runs if (name := _stage(t.name)) in STAGES}
    assert sorted(stage_of.values()) == sorted(
        ["fetch", "probe", "shots", "asr", "subtitles", "tagging", "transcode", "publish"]
    ), [t.name for t in task_runs]
    for task_run in task_runs:
        assert not task_run.task_inputs.get("__parents__"), task_run.name
        if task_run.id not in stage_of:
            continue
        upstream = {stage_of.get(i.id) for inputs in task_run.task_inputs.values() for i in inputs}
        ran = set(STAGES[stage_of[task_run.id]].needs) & set(stage_of.values())
        assert ran <= upstream, task_run.name
    assert not [log.message for log in logs if log.level >= logging.WARNING]
    warnings = [log for log in warned_logs if log.level == logging.WARNING]
    assert any(log.name.startswith("regie.") and "without" in log.message for log in warnings), [
        (log.name, log.message) for log in warnings
    ]


def _stage(task_run_name: str) -> str:
    """fetch-ask-not, asr-ask-not-0123456789ab -> fetch, asr."""
    stage, _, _ = task_run_name.partition("-ask-not")
    return stage
