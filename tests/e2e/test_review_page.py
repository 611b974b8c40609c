"""The review page in a real browser: Debian's Chromium driven by Playwright, hls.js and dash.js.

One release is made for the module from the first 12 s of the shared French programme (real
Whisper base: French transcript and its English translation, real shots and transcode), published
to a local origin and served over loopback HTTP as ``regie review`` serves it. Each player must
play past 5 s, offer the French and English text tracks, show at 4 s a French cue the truth's
first sentence contains, and seek to a shot when its thumbnail is clicked.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from regie.asr import AsrOptions, transcribe_asset
from regie.fetch import fetch
from regie.models import ModelStore
from regie.package.serve import origin_server, review_path
from regie.probe import probe
from regie.publish import CdnTarget, ReleaseInputs, publish
from regie.shots.stage import detect_shots
from regie.stage import StageContext
from regie.storage import Storage
from regie.subtitles.stage import make_subtitles
from regie.transcode import Rung, TranscodeOptions, transcode
from tests import media

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
# headless without a GPU or a sandbox (containers), no network but loopback, no first-run work
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
EXCERPT_S = 12
CUE_AT_S = 4.0
LADDER = (Rung(lines=360, bitrate_kbps=700), Rung(lines=234, bitrate_kbps=300))


@pytest.fixture(scope="module")
def origin(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, real_whisper_store: ModelStore
) -> Iterator[tuple[str, dict]]:
    """The published asset served over HTTP: (review page URL, the truth's first sentence)."""
    root = tmp_path_factory.mktemp("review")
    excerpt = root / "Journal des archives.mp4"
    media.ffmpeg("-i", str(shared_data / "programme" / "programme-fr.mp4"), "-t", str(EXCERPT_S),
                 "-vf", "scale=640:360", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac",
                 str(excerpt))  # fmt: skip
    context = StageContext(Storage(), (root / "work").as_uri(), root / "scratch")
    source = fetch(excerpt.as_uri(), context).artefact
    info = probe(source, context).artefact
    shots = detect_shots(source, info, context)
    french, english = (
        transcribe_asset(source, info, context, real_whisper_store,
                         AsrOptions(model="whisper-base", language="fr", task=task))
        for task in ("transcribe", "translate")
    )  # fmt: skip
    subtitles = tuple(make_subtitles(t, info, shots, context) for t in (french, english))
    ladder = transcode(source, info, shots, context, TranscodeOptions(ladder=LADDER, ssim_step=0))
    target = CdnTarget(origin_url=(root / "origin").as_uri())
    extras = ReleaseInputs(subtitles=subtitles[:1], translations=subtitles[1:], transcript=french)
    publish(source, info, shots.artefact, ladder, context, target, None, extras)
    folder = root / "origin" / "programmes" / "journal-des-archives"
    server = origin_server(folder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    truth = json.loads((shared_data / "programme" / "programme-fr.json").read_text())
    try:
        yield (
            f"http://127.0.0.1:{server.server_address[1]}/{review_path(folder)}",
            {"sentence": truth["speech"][0], "shots": len(shots.artefact.shots)},
        )
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower().replace("\u2019", "'"))


@pytest.mark.parametrize("engine", ["hls", "dash"])
def test_a_player_plays_offers_both_tracks_shows_the_cue_and_seeks_to_a_shot(
    origin: tuple[str, dict], browser, engine: str
) -> None:
    url, truth = origin
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{url}?player={engine}")
    page.wait_for_function("window.review && window.review.ready", timeout=30_000)
    tracks = page.evaluate("window.review.subtitleTracks")
    labels = {(t["lang"], t["label"]) for t in tracks}
    assert ("fr", "Français") in labels and ("en", "English (translation)") in labels
    page.evaluate("document.getElementById('video').play()")
    page.wait_for_function("document.getElementById('video').currentTime > 5", timeout=60_000)
    french = next(i for i, t in enumerate(tracks) if t["label"] == "Français")
    page.evaluate(f"window.review.chooseSubtitles({french})")
    page.evaluate(f"document.getElementById('video').currentTime = {CUE_AT_S}")
    shown = page.wait_for_function(_ACTIVE_CUE, timeout=30_000).json_value()
    said = set(words(truth["sentence"]["text"]))
    assert truth["sentence"]["start"] < CUE_AT_S < truth["sentence"]["end"]
    cue = words(shown)
    assert cue and sum(w in said for w in cue) >= 0.6 * len(cue), (shown, said)
    assert page.evaluate("window.review.errors") == []
    shots = page.locator("#timeline .shot")
    assert shots.count() == truth["shots"] > 1
    target = float(shots.nth(1).get_attribute("data-start"))
    shots.nth(1).click()
    page.wait_for_function(f"Math.abs({_CURRENT_TIME} - {target}) < 0.1", timeout=10_000)
    page.close()


def test_the_page_shows_the_picture_cues_and_quality(origin: tuple[str, dict], browser) -> None:
    url, _ = origin
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(url)
    page.wait_for_function("window.review && window.review.ready", timeout=30_000)
    page.evaluate("document.getElementById('video').currentTime = 2")
    page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=30_000)
    assert page.locator("#cues li").count() > 0
    assert page.locator("#renditions tr").count() == 1 + len(LADDER)
    assert "LUFS" in page.locator("#loudness").inner_text()
    cue = page.locator("#cues li").nth(1)
    cue.click()  # a cue seeks the player to its start
    at = float(cue.get_attribute("data-start") or "nan")
    page.wait_for_function(f"Math.abs({_CURRENT_TIME} - {at}) < 0.1", timeout=10_000)
    page.click("button[data-tab=transcript]")
    page.fill("#search", "accident")
    assert page.locator("#segments mark").count() >= 1
    assert page.locator("#segments li").count() >= 1
    picture = Image.open(io.BytesIO(page.locator("#video").screenshot())).convert("L")
    assert ImageStat.Stat(picture).mean[0] > 20  # not a black frame
    page.close()


_CURRENT_TIME = "document.getElementById('video').currentTime"
_ACTIVE_CUE = """(() => {
  for (const track of document.getElementById('video').textTracks) {
    if (track.mode === 'showing' && track.activeCues && track.activeCues.length) {
      return [...track.activeCues].map((c) => c.text).join(' ');
    }
  }
  return false;
})()"""
