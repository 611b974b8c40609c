"""The shots stage on real media: shot list, keyframes, contact sheet, exports, edge cases."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from regie.errors import PermanentError
from regie.fetch import fetch
from regie.probe import probe
from regie.shots.stage import ShotOptions, detect_shots
from regie.stage import StageContext
from tests import media


def _run(path: Path, context: StageContext, options: ShotOptions | None = None):  # type: ignore[no-untyped-def]
    source = fetch(path.as_uri(), context).artefact
    return detect_shots(source, probe(source, context).artefact, context, options)


def _local(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


def test_bikes_shot_list_and_pictures(shared_data: Path, local_context: StageContext) -> None:
    truth = json.loads((shared_data / "shots" / "bikes.json").read_text())
    outcome = _run(shared_data / "video" / "bikes.mp4", local_context)
    shots = outcome.artefact
    assert [s.first_frame for s in shots.shots] == [0, *truth["cuts"]]
    assert shots.shots[-1].last_frame == truth["frames"] - 1
    assert [s.start for s in shots.shots[1:]] == [Fraction(c, 25) for c in truth["cuts"]]
    for shot in shots.shots:
        with Image.open(_local(shot.keyframe)) as picture:
            assert picture.format == "JPEG" and picture.size == (320, 136)
    with Image.open(_local(shots.contact_sheet)) as sheet:
        assert sheet.size == (6 * 320, 136 + 22)
    csv_rows = _local(shots.csv).read_text().splitlines()
    assert len(csv_rows) == 1 + len(truth["cuts"]) + 1
    edl = _local(shots.edl).read_text()
    assert edl.count("* FROM CLIP NAME:  bikes.mp4") == 6  # the adapter writes two spaces
    assert "002  AX       V     C        00:00:01:05 00:00:03:01" in edl
    names = sorted(o.name for o in outcome.manifest.outputs)
    assert names[:3] == ["contact-sheet.jpg", "keyframes/shot-0000.jpg", "keyframes/shot-0001.jpg"]
    assert _run(shared_data / "video" / "bikes.mp4", local_context).reused


def test_variable_frame_rate_times_are_the_frames_timestamps(
    shared_data: Path, local_context: StageContext
) -> None:
    clip = shared_data / "video" / "goldeneye-vfr-drop3.mp4"
    shots = _run(clip, local_context).artefact
    pts = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=pts",
         "-of", "csv=p=0", str(clip)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert [s.first_frame for s in shots.shots] == [0, 60, 140]
    assert shots.shots[1].start == Fraction(int(pts[60]), 24000)
    assert shots.shots[1].start != Fraction(60 * 1001, 24000)  # what constant rate would claim


def test_rotated_and_anamorphic_keyframes_are_shown_as_broadcast(
    shared_data: Path, local_context: StageContext
) -> None:
    rotated = _run(shared_data / "video" / "issue-134-rotate.mp4", local_context).artefact
    with Image.open(_local(rotated.shots[0].keyframe)) as picture:
        assert picture.height > picture.width  # 1280x544 turned by 90 degrees
    anamorphic = _run(shared_data / "video" / "issue-195-aspect-ratio.mp4", local_context).artefact
    with Image.open(_local(anamorphic.shots[0].keyframe)) as picture:
        assert picture.size == (320, 180)  # 704x576 with 16:11 pixels is 16:9


def test_single_frame_video_is_one_shot(tmp_path: Path, local_context: StageContext) -> None:
    clip = tmp_path / "one-frame.mp4"
    media.ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", "-c:v", "libx264", str(clip)
    )
    shots = _run(clip, local_context).artefact
    assert [(s.first_frame, s.last_frame) for s in shots.shots] == [(0, 0)]
    assert shots.transitions == []


def test_one_long_black_shot_has_no_transition(tmp_path: Path, local_context: StageContext) -> None:
    clip = tmp_path / "black.mp4"
    media.ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=black:size=320x240:rate=25:duration=12",
        "-c:v",
        "libx264",
        str(clip),
    )
    shots = _run(clip, local_context).artefact
    assert len(shots.shots) == 1 and shots.frame_count == 300


def test_audio_only_asset_is_refused_clearly(tmp_path: Path, local_context: StageContext) -> None:
    with pytest.raises(PermanentError, match="audio-only"):
        _run(media.audio_only(tmp_path / "radio.m4a"), local_context)


def test_unknown_detector_is_a_permanent_error(clip: Path, local_context: StageContext) -> None:
    with pytest.raises(PermanentError, match="unknown shot detector"):
        _run(clip, local_context, ShotOptions(detector="magic"))
