"""The Prefect UI as a data engineer sees it, in screenshots (Debian's Chromium, headless).

    PYTHONPATH=$PWD python -m tests.ui_tour /tmp/ui-tour

Starts the platform of ``tests/platform.py`` with the UI on, runs a short programme with speech
through every stage and a broken master through ``process-asset/urgent``, then saves the run page
(graph and logs), its report artifact, the failed run's page and report, and the Custom-run form
of ``process-asset/urgent``. Not a test: a look, for people.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.update({"AWS_ACCESS_KEY_ID": "regie-test", "AWS_SECRET_ACCESS_KEY": "regie-test-secret",
                   "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})  # fmt: skip

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.deployments import run_deployment

from regie.storage import S3Config
from tests import media
from tests.conftest import REGION, SHARED_DATA
from tests.platform import running_platform, wait_final
from tests.real_models import cache_folder
from tests.servers import moto_server

SPEECH = ("jfk.flac", "fleurs/fleurs-en-000.ogg", "fleurs/fleurs-en-001.ogg")


def screenshot(url: str, path: Path, height: int = 1800) -> Path:
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--hide-scrollbars", f"--window-size=1600,{height}",
         "--virtual-time-budget=25000", f"--screenshot={path}", url],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return path


def tour(out: Path, home: Path) -> list[Path]:
    with moto_server(home / "moto.log") as endpoint:
        config = S3Config(endpoint_url=endpoint, region=REGION, access_key_id="regie-test",
                          secret_access_key="regie-test-secret")  # fmt: skip
        with running_platform(home, config, endpoint, REGION, ui=True) as platform:
            clip = media.speech_clip(home / "ask.mp4", [SHARED_DATA / "speech" / n for n in SPEECH])
            good = platform.upload(clip, "masters/ask-not.mp4")
            cut = platform.upload(media.truncated(clip, home / "cut.mp4"), "masters/cut.mp4")
            env = {"REGIE_MODEL_STORE_URL": (cache_folder() / "store").as_uri()}
            options = {"asr_model": "whisper-tiny.en", "language": "en", "encoder": "libx264",
                       "english_subtitles": False, "tagging": {"tagger": "lexical"}}  # fmt: skip
            runs = [run_deployment("process-asset/urgent", timeout=0, job_variables={"env": env},
                                   parameters={"source_uri": uri, "options": options})
                    for uri in (good, cut)]  # fmt: skip
            with get_client(sync_client=True) as client:
                done, failed = wait_final(client, runs)
                urgent = client.read_deployment_by_name("process-asset/urgent")
                reports = {run.id: _report_id(client, run.id) for run in (done, failed)}
            ui = platform.api.removesuffix("/api")
            pages = {
                "run-page": f"runs/flow-run/{done.id}",
                "report": f"artifacts/artifact/{reports[done.id]}",
                "failed-run-page": f"runs/flow-run/{failed.id}",
                "failed-report": f"artifacts/artifact/{reports[failed.id]}",
                "custom-run": f"deployments/deployment/{urgent.id}/run",
            }
            return [screenshot(f"{ui}/{page}", out / f"{name}.png") for name, page in pages.items()]


def _report_id(client: object, run_id: object) -> str:
    artifacts = client.read_artifacts(  # type: ignore[attr-defined]
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
    )
    return str(next(a.id for a in artifacts if a.key and a.key.endswith("-report")))


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "ui-tour").resolve()
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="regie-ui-tour-") as scratch:
        for shot in tour(target, Path(scratch)):
            print(shot)
