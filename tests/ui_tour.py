"""The Prefect UI as a data engineer sees it, in screenshots (Debian's Chromium through Playwright).

    PYTHONPATH=$PWD python -m tests.ui_tour /tmp/ui-tour

Starts the platform of ``tests/platform.py`` with the UI on, runs a short programme with speech
through every stage and a broken master through ``process-asset/urgent``, then saves the run page
(graph and logs), its report artifact, the failed run's page and report, the Custom-run form of
``process-asset/urgent`` (its top, and a block picker open) and the watcher's upcoming runs. Not a
test: a look, for people.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.update({"AWS_ACCESS_KEY_ID": "regie-test", "AWS_SECRET_ACCESS_KEY": "regie-test-secret",
                   "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})  # fmt: skip

from playwright.sync_api import Page, sync_playwright
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.deployments import run_deployment

from regie.storage import S3Config
from tests import media
from tests.conftest import REGION, SHARED_DATA
from tests.platform import Platform, running_platform, wait_final
from tests.real_models import cache_folder
from tests.servers import moto_server

CHROMIUM = Path("/usr/bin/chromium")  # Debian's
ARGS = ["--no-sandbox", "--disable-background-networking", "--hide-scrollbars"]
SPEECH = ("jfk.flac", "fleurs/fleurs-en-000.ogg", "fleurs/fleurs-en-001.ogg")


def screenshot(page: Page, url: str, path: Path, open_picker: bool = False) -> Path:
    """The page once the UI has drawn it; with its first block picker open when asked."""
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(4000)  # the run graph and the artifact's markdown draw after loading
    if open_picker:  # the saved blocks it offers (the keyboard opens it; a click only focuses)
        picker = page.locator(".schema-form-property-block-document").first
        picker.scroll_into_view_if_needed()
        picker.locator("button.p-select-button__control").focus()
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(1000)
    page.screenshot(path=path)
    return path


def tour(out: Path, home: Path) -> list[Path]:
    with moto_server(home / "moto.log") as endpoint:
        config = S3Config(endpoint_url=endpoint, region=REGION, access_key_id="regie-test",
                          secret_access_key="regie-test-secret")  # fmt: skip
        with running_platform(home, config, endpoint, REGION, ui=True) as platform:
            return photograph(pages(platform, home), out)


def pages(platform: Platform, home: Path) -> dict[str, tuple[str, bool]]:
    """Runs a programme and a broken master; the UI's pages to look at (and whether to open
    a block picker)."""
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
        watcher = client.read_deployment_by_name("watch-bucket/every-minute")
        reports = {run.id: _report_id(client, run.id) for run in (done, failed)}
    ui = platform.api.removesuffix("/api")
    form = f"{ui}/deployments/deployment/{urgent.id}/run"
    return {
        "run-page": (f"{ui}/runs/flow-run/{done.id}", False),
        "report": (f"{ui}/artifacts/artifact/{reports[done.id]}", False),
        "failed-run-page": (f"{ui}/runs/flow-run/{failed.id}", False),
        "failed-report": (f"{ui}/artifacts/artifact/{reports[failed.id]}", False),
        "custom-run": (form, False),
        "custom-run-blocks": (form, True),
        "watcher-upcoming": (f"{ui}/deployments/deployment/{watcher.id}?tab=Upcoming", False),
    }


def photograph(shots: dict[str, tuple[str, bool]], out: Path) -> list[Path]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1400})
        saved = [screenshot(page, url, out / f"ui-{name}.png", pick)
                 for name, (url, pick) in shots.items()]  # fmt: skip
        browser.close()
    return saved


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
