"""Audio layouts on a master with 8 mono tracks: each declared version its own rendition.

The layout declares the programme mix (tracks 1+2, French), the original version (3+4, English)
and the audio description (track 7, French). Every rendition is checked by ear (the tone of each
channel) and by how both manifests offer it (language, default, role, accessibility).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import m3u8
import numpy as np
import pytest

from regie.asr.audio import SAMPLE_RATE, read_windows
from regie.errors import PermanentError
from regie.fetch import fetch
from regie.probe import ProbeOptions, probe, probe_file
from regie.stage import StageContext
from regie.transcode.ladder import Rung
from regie.transcode.stage import TranscodeOptions, transcode
from tests import masters

LAYOUT = "1+2:programme:fr,3+4:original:en,7:description:fr"
MPD = "{urn:mpeg:dash:schema:mpd:2011}"


@pytest.fixture(scope="module")
def eight_tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return masters.mono_tracks_mov(tmp_path_factory.mktemp("masters") / "eight.mov")


def test_each_declared_version_is_its_own_rendition_with_language_and_role(
    eight_tracks: Path, local_context: StageContext
) -> None:
    source = fetch(eight_tracks.as_uri(), local_context).artefact
    info = probe(source, local_context, ProbeOptions(audio_layout=LAYOUT)).artefact
    options = TranscodeOptions(ladder=(Rung(lines=180, bitrate_kbps=300),), ssim_step=0)
    ladder = transcode(source, info, None, local_context, options).artefact
    versions = ladder.audio_versions
    assert [(v.role, v.language, v.tracks) for v in versions] == [
        ("programme", "fr", [1, 2]), ("original", "en", [3, 4]), ("description", "fr", [7]),
    ]  # fmt: skip
    heard = [masters.channel_tones(Path(v.playlist.removeprefix("file://"))) for v in versions]
    tone = masters.tone
    assert heard == [[tone(1), tone(2)], [tone(3), tone(4)], [tone(7), tone(7)]]
    master = m3u8.load(ladder.hls_master.removeprefix("file://"))
    offered = [(m.language, m.name, m.default, m.characteristics) for m in master.media]
    assert offered == [
        ("fr", "Français", "YES", None),
        ("en", "English (version originale)", "NO", None),
        ("fr", "Français (audiodescription)", "NO", "public.accessibility.describes-video"),
    ]
    mpd = ElementTree.parse(ladder.dash_manifest.removeprefix("file://")).getroot()
    sets = [a for a in mpd.iter(f"{MPD}AdaptationSet") if a.get("contentType") == "audio"]
    described = [
        [(d.get("schemeIdUri"), d.get("value")) for d in a.findall(f"{MPD}Accessibility")]
        for a in sets
    ]
    assert [a.get("lang") for a in sets] == ["fr", "en", "fr"]
    assert [a.find(f"{MPD}Role").get("value") for a in sets] == ["main", "alternate", "alternate"]  # type: ignore[union-attr]
    assert described == [[], [], [("urn:tva:metadata:cs:AudioPurposeCS:2007", "1")]]


def test_a_layout_that_does_not_fit_the_master_is_refused(eight_tracks: Path) -> None:
    with pytest.raises(PermanentError) as refused:
        probe_file(eight_tracks, "eight", ProbeOptions(audio_layout="1+2:programme,9:description"))
    message = str(refused.value)
    assert message.startswith("eight: audio layout '1+2:programme,9:description' does not match")
    assert "track 9 does not exist" in message and "#8 pcm_s16le 1 ch" in message


def test_speech_recognition_hears_the_programme_mix(eight_tracks: Path) -> None:
    layout = probe_file(eight_tracks, "eight").audio_layout
    assert layout is not None and layout.programme.tracks == [1, 2]
    (window,) = read_windows(eight_tracks, "eight", mix=(layout, layout.programme))
    spectrum = np.abs(np.fft.rfft(window.samples))
    hertz = np.fft.rfftfreq(len(window.samples), 1 / SAMPLE_RATE)
    loudest = sorted(int(round(f, -1)) for f in hertz[np.argsort(spectrum)[-2:]])
    assert loudest == [masters.tone(1), masters.tone(2)]  # both sides of the mix, no track 3
