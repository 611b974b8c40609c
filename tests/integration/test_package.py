"""Packages that validate, on real transcoded media: measured bandwidths, I-frames, priming, text.

One clip goes through fetch, probe, shots, transcode and (from reference text) subtitles in French
and English, and is published to a local origin once for the module; the tests read what was
written with m3u8, ElementTree, ffprobe and the box reader, and break copies of it on purpose.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import m3u8
import pytest

from regie.errors import PermanentError
from regie.fetch import fetch
from regie.package.dash import NS
from regie.package.validate import Expected, check_package
from regie.probe import probe
from regie.publish import CdnTarget, ReleaseInputs, publish
from regie.shots.stage import detect_shots
from regie.stage import StageContext
from regie.storage import Storage
from regie.subtitles.stage import make_subtitles
from regie.transcode import Rung, TranscodeOptions, transcode
from tests import media
from tests.transcripts import text_transcript

LADDER = (Rung(lines=360, bitrate_kbps=600), Rung(lines=234, bitrate_kbps=250))
FRENCH = "Bonsoir à tous et bienvenue dans ce journal consacré aux archives de la télévision"
ENGLISH = "Good evening everyone and welcome to this news about the television archives"
Q = {"mpd": NS}


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("package")
    clip = media.cut_clip_with_quiet_tone(root / "Journal 20h.mp4")
    context = StageContext(Storage(), (root / "work").as_uri(), root / "scratch")
    source = fetch(clip.as_uri(), context).artefact
    info = probe(source, context).artefact
    shots = detect_shots(source, info, context)
    options = TranscodeOptions(ladder=LADDER, ssim_step=0)
    ladder = transcode(source, info, shots, context, options)
    french = text_transcript(context, [FRENCH], "fr", source.asset_id)
    english = text_transcript(context, [ENGLISH], "en", source.asset_id)
    subtitles = tuple(make_subtitles(t, info, shots, context) for t in (french, english))
    extras = ReleaseInputs(subtitles=subtitles[:1], translations=subtitles[1:], transcript=french)
    target = CdnTarget(origin_url=(root / "origin").as_uri())
    receipt = publish(source, info, shots.artefact, ladder, context, target, None, extras)
    return {
        "package": Path(ladder.manifest_url.removeprefix("file://")).parent,
        "release": Path(receipt.artefact.release_url.removeprefix("file://")),
        "args": (source, info, shots.artefact, ladder, context),
        "extras": extras, "root": root,
    }  # fmt: skip


def folder_reader(folder: Path) -> tuple[Callable[[str], bytes], Callable[[str], int]]:
    def read(name: str) -> bytes:
        return (folder / name).read_bytes()

    def size(name: str) -> int:
        if not (folder / name).is_file():
            raise FileNotFoundError(name)
        return (folder / name).stat().st_size

    return read, size


def test_the_transcoded_package_declares_what_its_segments_measure(release: dict) -> None:
    folder: Path = release["package"]
    assert check_package(*folder_reader(folder), Expected()) == []
    master = m3u8.load(str(folder / "master.m3u8"))
    assert master.is_independent_segments
    audio = m3u8.load(str(folder / master.media[0].uri))
    audio_peak = max((folder / s.uri).stat().st_size * 8 / s.duration for s in audio.segments)
    for variant in master.playlists:
        video = m3u8.load(str(folder / variant.uri))
        peak = max((folder / s.uri).stat().st_size * 8 / s.duration for s in video.segments)
        assert variant.stream_info.bandwidth >= peak + audio_peak
        assert sum(s.duration for s in video.segments) == pytest.approx(8.0, abs=0.001)
    assert master.media[0].channels == "2"
    assert [p.iframe_stream_info.resolution for p in master.iframe_playlists] == [
        (640, 360), (416, 234)]  # fmt: skip
    iframes = m3u8.load(str(folder / master.iframe_playlists[0].uri))
    assert iframes.is_i_frames_only and iframes.segments
    for entry in iframes.segments:  # each range starts on a fragment header
        length, offset = (int(x) for x in entry.byterange.split("@"))
        data = (folder / entry.uri).read_bytes()
        assert data[offset + 4 : offset + 8] == b"moof" and offset + length <= len(data)


def test_the_mpd_is_honest_about_segments_switching_and_thumbnails(release: dict) -> None:
    mpd = ET.parse(release["package"] / "manifest.mpd").getroot()
    longest = max(int(s.get("d")) / int(t.get("timescale"))
                  for t in mpd.iterfind(".//mpd:SegmentTemplate", Q)
                  for s in t.iterfind(".//mpd:S", Q))  # fmt: skip
    declared = float(mpd.get("maxSegmentDuration").removeprefix("PT").removesuffix("S"))
    assert declared >= longest
    video = mpd.find(".//mpd:AdaptationSet[@contentType='video']", Q)
    assert video.get("bitstreamSwitching") is None  # two init segments
    thumbs = mpd.find(".//mpd:AdaptationSet[@contentType='image']", Q)
    assert thumbs.find(".//mpd:EssentialProperty", Q).get("value") == "5x5"
    assert declared == 125.0  # one sprite sheet covers 25 tiles of 5 s


def test_the_aac_priming_is_cut_by_an_edit_list(release: dict) -> None:
    folder: Path = release["package"]
    audio = m3u8.load(str(folder / "master.m3u8")).media[0].uri
    probe_ = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=start_time", "-of", "json",
         str(folder / audio)], capture_output=True, text=True, check=True,
    )  # fmt: skip
    # ffmpeg honours the edit list: the 1024 priming samples lie before 0 and are never heard
    assert float(json.loads(probe_.stdout)["streams"][0]["start_time"]) == pytest.approx(
        -1024 / 48000, abs=1e-6
    )


def test_the_release_offers_french_and_english_text_tracks(release: dict) -> None:
    folder: Path = release["release"]
    master = m3u8.load(str(folder / "master.m3u8"))
    texts = {m.language: m for m in master.media if m.type == "SUBTITLES"}
    assert set(texts) == {"fr", "en"}
    assert texts["fr"].name == "Français" and texts["en"].name == "English (translation)"
    assert texts["en"].characteristics == "fr.regie.translation" and not texts["fr"].characteristics
    assert master.media[0].language == "fr"
    assert all("SUBTITLES" in str(v) for v in master.playlists)
    playlist = m3u8.load(str(folder / texts["fr"].uri))
    first = (folder / "subtitles/fr" / playlist.segments[0].uri).read_text()
    assert first.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000")
    assert "Bonsoir" in first
    assert sum(s.duration for s in playlist.segments) == pytest.approx(8.0)
    mpd = ET.parse(folder / "manifest.mpd").getroot()
    assert mpd.find(".//mpd:AdaptationSet[@contentType='audio']", Q).get("lang") == "fr"
    sets = mpd.findall(".//mpd:AdaptationSet[@contentType='text']", Q)
    offered = {(s.get("lang"), s.get("mimeType"), s.find("mpd:Label", Q).text) for s in sets}
    assert offered == {
        ("fr", "text/vtt", "Français"), ("fr", "application/ttml+xml", "Français (EBU-TT-D)"),
        ("en", "text/vtt", "English (translation)"),
        ("en", "application/ttml+xml", "English (translation) (EBU-TT-D)"),
    }  # fmt: skip
    for adaptation in sets:
        assert (folder / adaptation.find(".//mpd:BaseURL", Q).text).is_file()
    stable = (folder.parent / "review" / "index.html").read_text()  # beside the live master
    assert f'url=../{folder.name}/review/index.html"' in stable
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["languages"] == ["fr"]
    assert [(s["language"], s["translation"]) for s in metadata["subtitles"]] == [
        ("fr", False), ("en", True)]  # fmt: skip


def test_broken_manifests_are_found(release: dict, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(release["package"], folder)
    master = (folder / "master.m3u8").read_text()
    master = re.sub(r"STREAM-INF:BANDWIDTH=\d+", "STREAM-INF:BANDWIDTH=1000", master)
    (folder / "master.m3u8").write_text(
        master.replace("#EXT-X-INDEPENDENT-SEGMENTS\n", "").replace(',CHANNELS="2"', "")
    )
    mpd = (folder / "manifest.mpd").read_text()
    mpd = mpd.replace('maxSegmentDuration="PT125.000S"', 'maxSegmentDuration="PT6.0S"')
    (folder / "manifest.mpd").write_text(
        mpd.replace('contentType="video"', 'contentType="video" bitstreamSwitching="true"')
    )
    init = folder / "init-2.mp4"  # the audio track without its edit list
    init.write_bytes(init.read_bytes().replace(b"edts", b"free"))
    findings = " | ".join(check_package(*folder_reader(folder), Expected("fr", ("fr",))))
    for expected in ("lacks EXT-X-INDEPENDENT-SEGMENTS", "is below the measured peak",
                     "has no CHANNELS", "maxSegmentDuration 6.0 s is below the longest segment",
                     "bitstreamSwitching on AdaptationSet 0", "AAC priming (1024 samples)",
                     "audio late by 21.3 ms", "language 'und', the transcript says fr",
                     "no SUBTITLES rendition in fr", "no text AdaptationSet in fr"):  # fmt: skip
        assert expected in findings


def test_publish_refuses_a_broken_package_and_publishes_nothing(release: dict) -> None:
    source, info, shots, ladder, context = release["args"]
    stored = release["package"] / "master.m3u8"
    good = stored.read_text()
    stored.write_text(good.replace("#EXT-X-INDEPENDENT-SEGMENTS\n", ""))
    target = CdnTarget(origin_url=(release["root"] / "other-origin").as_uri())
    try:
        with pytest.raises(
            PermanentError, match=r"does not validate: master\.m3u8 lacks EXT-X-INDEP"
        ):
            publish(source, info, shots, ladder, context, target, None, release["extras"])
    finally:
        stored.write_text(good)
    assert not (release["root"] / "other-origin").exists()


def test_regie_review_serves_the_live_release_page_over_http(release: dict) -> None:
    asset_folder = release["release"].parent
    command = [
        str(Path(sys.executable).parent / "regie"),
        "review",
        str(asset_folder),
        "--port",
        "0",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        address = (server.stdout.readline() if server.stdout else "").strip()
        assert address.endswith(f"/{release['release'].name}/review/index.html")
        page = httpx.get(address)
        assert page.status_code == 200 and page.headers["content-type"] == "text/html"
        assert 'src="vendor/hls.min.js"' in page.text and "http" not in page.text.split("<body")[0]
        data = httpx.get(address.replace("index.html", "data.json")).json()
        assert [s["language"] for s in data["subtitles"]] == ["fr", "en"]
        segment = address.replace("review/index.html", "seg-0-00001.m4s")
        part = httpx.get(segment, headers={"Range": "bytes=4-7"})
        assert part.status_code == 206 and part.content in (b"styp", b"moof")
    finally:
        server.terminate()
        server.wait(timeout=10)
