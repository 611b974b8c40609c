"""Broadcast masters through ``regie run`` with no option: what gets published.

An interlaced 1080i50 XDCAM HD422 MXF with 8 mono tracks, a DV 576i anamorphic 16:9 master, a
D-10/IMX50 MXF with its VBI lines, ProRes 422 HQ and DNxHD 185x 10-bit 4:2:2 MOVs with 4 mono tracks
and a tmcd track, each with a cut at 2 s and the start timecode 10:00:00:00.
The checks read the published package: idet on the first video rendition, its display aspect,
which tone is in which ear of the default audio rendition, and the EDL's timecodes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import m3u8
import numpy as np
import pytest

from tests import masters

REGIE = str(Path(sys.executable).with_name("regie"))
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
KINDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "xdcam-hd422": (masters.xdcam_hd422, "xdcam.mxf"),
    "dv-16x9": (masters.dv_anamorphic, "dv.dv"),
    "d10-imx50": (masters.d10_imx50, "imx.mxf"),
    "prores-hq-10bit": (masters.prores_hq, "prores.mov"),
    "dnxhd-185x-10bit": (masters.dnxhd_185x, "dnxhd.mov"),  # no field order flag: idet decides
}


@dataclass(frozen=True)
class Published:
    """A master's run: its stage artefacts and the live package."""

    artefacts: dict[str, dict]
    master: m3u8.M3U8
    folder: Path

    def playlist(self, uri: str) -> Path:
        return self.folder / uri


@pytest.fixture(scope="module", params=list(KINDS))
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    make, name = KINDS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    return run_regie(make(folder / name), folder)


def run_regie(master: Path, folder: Path) -> Published:
    """``regie run MASTER`` with no option, in its own home under ``folder``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGIE_", "PREFECT_"))}
    env = {**clean, "REGIE_HOME": str(folder / "var")}
    done = subprocess.run(
        [REGIE, "run", str(master)], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    artefacts = {
        stage: json.loads(Path(url.removeprefix("file://")).read_text())["artefact"]
        for stage, url in summary["manifests"].items()
    }
    live = Path(summary["live"]["hls"].removeprefix("file://"))
    return Published(artefacts, m3u8.load(str(live)), live.parent)


def test_the_first_video_rendition_is_progressive(published: Published) -> None:
    scan = published.artefacts["transcode"]["scan"]
    sampled = scan["tff"] + scan["bff"] + scan["progressive"] + scan["undetermined"]
    assert scan["scan"] in ("tff", "bff") and scan["tff"] + scan["bff"] >= 0.9 * sampled
    assert "bwdif" in published.artefacts["transcode"]["picture_filters"]
    counts = masters.idet_counts(published.playlist(published.master.playlists[0].uri))
    combed = counts["tff"] + counts["bff"]
    assert combed <= 0.1 * (combed + counts["progressive"]), counts


def test_every_rendition_is_8_bit_4_2_0_high_profile(published: Published) -> None:
    """What every browser decodes, from 10-bit 4:2:2 mezzanines too (libx264 would otherwise
    keep 4:2:2 10-bit: High 4:2:2 Intra, which no browser plays)."""
    for variant in published.master.playlists:
        done = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=profile,pix_fmt", "-of", "json", str(published.playlist(variant.uri))],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        stream = json.loads(done.stdout)["streams"][0]
        assert (stream["profile"], stream["pix_fmt"]) in {("High", "yuv420p"), ("Main", "yuv420p")}
        assert variant.stream_info.codecs.startswith(("avc1.64", "avc1.4d"))


def test_the_display_aspect_is_16_9_in_square_pixels(published: Published) -> None:
    first = published.playlist(published.master.playlists[0].uri)
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height,sample_aspect_ratio", "-of", "json", str(first)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    stream = json.loads(done.stdout)["streams"][0]
    assert stream["sample_aspect_ratio"] == "1:1"
    assert Fraction(stream["width"], stream["height"]) == Fraction(16, 9)


def test_the_default_audio_carries_tracks_1_and_2_as_left_and_right(published: Published) -> None:
    default = next(m for m in published.master.media if m.default == "YES")
    assert masters.channel_tones(published.playlist(default.uri)) == [
        masters.tone(1), masters.tone(2),
    ]  # fmt: skip
    versions = published.artefacts["transcode"]["audio_versions"]
    assert [(v["role"], v["tracks"]) for v in versions] == [("programme", [1, 2])]


def test_edl_and_shot_list_count_in_the_masters_timecode(published: Published) -> None:
    assert published.artefacts["probe"]["timecode"] == masters.TIMECODE
    shots = published.artefacts["shots"]
    assert [s["first_frame"] for s in shots["shots"]] == [0, masters.CUT_FRAME]
    edl = Path(shots["edl"].removeprefix("file://")).read_text().splitlines()
    events = [line.split() for line in edl if line[:3].isdigit()]
    assert [e[4:6] for e in events] == [
        ["10:00:00:00", "10:00:02:00"], ["10:00:02:00", "10:00:03:00"],
    ]  # fmt: skip
    csv = Path(shots["csv"].removeprefix("file://")).read_text().splitlines()
    assert csv[1].split(",")[5:7] == ["10:00:00:00", "10:00:02:00"]
    timeline = json.loads(Path(shots["otio"].removeprefix("file://")).read_text())
    first = timeline["tracks"]["children"][0]["children"][0]["source_range"]["start_time"]
    assert (first["value"], first["rate"]) == (10 * 3600 * 25, 25)  # 10:00:00:00 at 25 fps
    release = json.loads((published.folder / "current.json").read_text())["release"]
    metadata = json.loads((published.folder / release / "metadata.json").read_text())
    assert metadata["timecode"] == {"start": masters.TIMECODE, "drop_frame": False}


@pytest.mark.parametrize("published", ["d10-imx50"], indirect=True)
def test_d10_vbi_lines_are_cropped(published: Published) -> None:
    video = published.artefacts["probe"]["video"][0]
    assert video["vbi_lines"] == 32 and video["display_height"] == 576
    assert published.artefacts["transcode"]["picture_filters"].startswith("crop=")
    first = published.playlist(published.master.playlists[0].uri)
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(first), "-frames:v", "1", "-vf", "crop=iw:4:0:0",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    assert sum(done.stdout) / len(done.stdout) < 200  # the white VBI lines are gone


@pytest.fixture(scope="module")
def tape(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Published]:
    """A digitised tape (bars and tone, black, slate, black, programme, tail black) published."""
    folder = tmp_path_factory.mktemp("tape")
    master = masters.tape(folder / "tape.mov")
    return master, run_regie(master, folder)


def _grey_frames(path: Path, first: int, count: int) -> np.ndarray:
    """Frames ``first`` to ``first + count`` of ``path`` as 160x90 grey pictures."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf",
         f"select=between(n\\,{first}\\,{first + count - 1}),scale=160:90:flags=area",
         "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return np.frombuffer(done.stdout, np.uint8).reshape(-1, 90, 160).astype(float)


def test_the_published_programme_opens_on_its_first_frame(tape: tuple[Path, Published]) -> None:
    """The first published frame is the master's programme frame 175 (not 174 or 176, which
    show the pattern one step away, nor black or bars)."""
    master, published = tape
    first = published.playlist(published.master.playlists[0].uri)
    (opening,) = _grey_frames(first, 0, 1)
    around = _grey_frames(master, masters.PROGRAMME_FIRST_FRAME - 3, 7)
    distances = [float(np.abs(frame - opening).mean()) for frame in around]
    assert int(np.argmin(distances)) - 3 == 0, distances
    assert min(distances) < 3 < sorted(distances)[1]
    assert published.artefacts["probe"]["programme"]["first_frame"] == masters.PROGRAMME_FIRST_FRAME


def test_the_published_programme_lasts_its_frames_without_tone(
    tape: tuple[Path, Published],
) -> None:
    _, published = tape
    first = published.playlist(published.master.playlists[0].uri)
    assert len(_grey_frames(first, 0, 1000)) == masters.PROGRAMME_FRAMES
    assert Fraction(published.artefacts["transcode"]["duration"]) == Fraction(4)
    default = next(m for m in published.master.media if m.default == "YES")
    audio = published.playlist(default.uri)
    assert masters.channel_tones(audio) == [masters.tone(1), masters.tone(2)]
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(audio), "-ac", "1", "-ar", "48000", "-f", "f32le", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    samples = np.frombuffer(done.stdout, "<f4")
    assert len(samples) == pytest.approx(4 * 48000, abs=2048)  # AAC priming and padding
    spectrum = np.abs(np.fft.rfft(samples))
    hertz = np.fft.rfftfreq(len(samples), 1 / 48000)
    line_up = spectrum[np.abs(hertz - masters.LINE_UP_HZ) < 20].max()
    assert line_up < 0.01 * spectrum[np.abs(hertz - masters.tone(1)) < 20].max()


def test_the_edl_starts_at_the_programmes_first_frame(tape: tuple[Path, Published]) -> None:
    _, published = tape
    shots = published.artefacts["shots"]
    edl = Path(shots["edl"].removeprefix("file://")).read_text().splitlines()
    events = [line.split() for line in edl if line[:3].isdigit()]
    assert [e[4:6] for e in events] == [
        ["10:00:07:00", "10:00:09:00"], ["10:00:09:00", "10:00:11:00"],
    ]  # fmt: skip
    release = json.loads((published.folder / "current.json").read_text())["release"]
    metadata = json.loads((published.folder / release / "metadata.json").read_text())
    assert metadata["timecode"]["start"] == "10:00:07:00"
    assert metadata["duration_s"] == 4.0
