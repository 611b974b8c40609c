"""Probe on real media: the shared clips are described exactly, broken files are refused by kind."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from regie.errors import ProbeError
from regie.fetch import fetch
from regie.probe import probe, probe_file
from regie.stage import MANIFEST_NAME, StageContext
from tests import media

# file name -> ProbeError kind it must produce
BROKEN_KINDS = {
    "truncated_index": "truncated",
    "truncated_tail": "truncated",
    "empty": "empty",
    "not_media": "not_media",
    "still_image": "still_image",
    "no_streams": "no_streams",
    "huge_declared": "absurd_dimensions",
    "oversized": "absurd_dimensions",
    "wrong_container_srt": "wrong_container",
    "wrong_container_playlist": "wrong_container",
    "unsupported_codec": "unsupported_codec",
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return media.broken_media(tmp_path_factory.mktemp("broken"))


@pytest.mark.parametrize("name", sorted(BROKEN_KINDS))
def test_broken_input_is_refused_with_its_reason(broken: dict[str, Path], name: str) -> None:
    path = broken[name]
    with pytest.raises(ProbeError) as refused:
        probe_file(path, asset=path.name)
    assert refused.value.kind == BROKEN_KINDS[name]
    assert str(refused.value).startswith(f"{path.name}: ")


def test_every_refusal_reads_differently(broken: dict[str, Path]) -> None:
    reasons = set()
    for path in broken.values():
        with pytest.raises(ProbeError) as refused:
            probe_file(path, asset="a")
        reasons.add(refused.value.reason)
    assert len(reasons) == len(broken)


@pytest.mark.parametrize("name", ["truncated_tail", "not_media", "no_streams"])
def test_refused_stage_writes_no_manifest(
    broken: dict[str, Path], local_context: StageContext, name: str
) -> None:
    source = fetch(broken[name].as_uri(), local_context).artefact
    with pytest.raises(ProbeError):
        probe(source, local_context)
    asset_dir = Path(local_context.work_url.removeprefix("file://")) / source.asset_id
    manifests = sorted(p.relative_to(asset_dir).parts[0] for p in asset_dir.rglob(MANIFEST_NAME))
    assert manifests == ["fetch"]
    assert not list(local_context.scratch_dir.glob(f"{source.asset_id}-probe-*"))


def test_audio_only_master_is_valid(tmp_path: Path) -> None:
    info = probe_file(media.audio_only(tmp_path / "radio.m4a"), asset="radio")
    assert not info.has_video
    assert info.audio[0].sample_rate == 48000 and info.audio[0].channels == 1
    assert info.duration == 3


def test_generated_clip(clip: Path) -> None:
    info = probe_file(clip, asset="clip")
    video = info.primary_video
    assert video is not None
    assert (video.width, video.height, video.frame_rate, video.frames) == (320, 240, 25, 100)
    assert info.duration == 4 and info.audio[0].sample_rate == 48000


def test_shared_clips_are_described_exactly(shared_data: Path) -> None:
    videos = shared_data / "video"
    vfr = probe_file(videos / "goldeneye-vfr-drop3.mp4", "g").video[0]
    assert vfr.vfr and vfr.frames == 160 and vfr.frame_rate == Fraction(24000, 1001)
    rotated = probe_file(videos / "issue-134-rotate.mp4", "r").video[0]
    assert rotated.rotation == 90 and (rotated.display_width, rotated.display_height) == (544, 1280)
    anamorphic = probe_file(videos / "issue-195-aspect-ratio.mp4", "s").video[0]
    assert anamorphic.sample_aspect_ratio == Fraction(16, 11)
    assert anamorphic.display_aspect_ratio == Fraction(16, 9)
    assert probe_file(videos / "delayed_start.mp4", "d").start_time == Fraction(43, 40)
    ntsc = probe_file(videos / "testvideo.mp4", "t").video[0]
    assert ntsc.frame_rate == Fraction(30000, 1001) and not ntsc.vfr and ntsc.frames == 720


def test_programme_through_fetch_and_probe(shared_data: Path, local_context: StageContext) -> None:
    uri = (shared_data / "programme" / "programme-fr.mp4").as_uri()
    source = fetch(uri, local_context).artefact
    outcome = probe(source, local_context)
    info = outcome.artefact
    truth = json.loads((shared_data / "programme" / "programme-fr.json").read_text())
    video = info.primary_video
    assert video is not None and video.frames == truth["frames"]
    assert video.frame_rate == Fraction(truth["fps"]) and video.vfr == truth["vfr"]
    assert info.audio[0].channels == 2
    assert "ffprobe" in outcome.manifest.provenance.tools
    assert probe(source, local_context).reused
