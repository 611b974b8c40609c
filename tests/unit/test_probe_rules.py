"""Pure parts of the probe stage: commands as data, rotation, failure classification."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from regie.errors import ProbeError
from regie.probe import (
    classify_ffprobe_failure,
    ffprobe_argv,
    media_info_from_ffprobe,
    refuse_by_header,
    rotation_clockwise,
    tail_decode_argv,
)


def test_ffprobe_command() -> None:
    assert ffprobe_argv(Path("/m/a.mp4")) == [
        "ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
        "-protocol_whitelist", "file", "/m/a.mp4",
    ]  # fmt: skip


def test_tail_decode_command() -> None:
    assert tail_decode_argv(Path("/m/a.mp4"), 2.0) == [
        "ffmpeg", "-v", "error", "-nostdin", "-sseof", "-2", "-i", "/m/a.mp4",
        "-map", "0:v?", "-map", "0:a?", "-f", "null", "-",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("stream", "degrees"),
    [
        ({"side_data_list": [{"rotation": -90}]}, 90),
        ({"side_data_list": [{"rotation": 90}]}, 270),
        ({"side_data_list": [{"rotation": 180}]}, 180),
        ({"tags": {"rotate": "90"}}, 90),
        ({}, 0),
    ],
)
def test_rotation_is_clockwise(stream: dict, degrees: int) -> None:
    assert rotation_clockwise(stream) == degrees


def test_display_geometry_from_sar_and_rotation() -> None:
    data = {
        "format": {"format_name": "mov", "duration": "10.0", "start_time": "0"},
        "streams": [
            {
                "index": 0, "codec_type": "video", "codec_name": "h264", "width": 704,
                "height": 576, "sample_aspect_ratio": "16:11", "r_frame_rate": "25/1",
                "avg_frame_rate": "25/1", "time_base": "1/12800",
                "side_data_list": [{"rotation": -90}],
            }
        ],
    }  # fmt: skip
    video = media_info_from_ffprobe(data, "a", 1000).video[0]
    assert (video.display_width, video.display_height) == (576, 1024)
    assert video.display_aspect_ratio == Fraction(9, 16)
    assert not video.vfr


def test_unknown_codec_is_refused() -> None:
    data = {
        "format": {},
        "streams": [{"index": 0, "codec_type": "video", "codec_tag_string": "XVQQ"}],
    }
    with pytest.raises(ProbeError) as refused:
        media_info_from_ffprobe(data, "asset-9", 10)
    assert refused.value.kind == "unsupported_codec"
    assert "XVQQ" in str(refused.value)


@pytest.mark.parametrize(
    ("stderr", "header", "kind"),
    [
        (
            "[mov @ 0x1] moov atom not found\nx: Invalid data found",
            b"\0\0\0\x20ftypisom",
            "truncated",
        ),
        ("[mov @ 0x1] moov atom not found\nx: Invalid data found", b"hello world", "not_media"),
        (
            "[IMGUTILS @ 0x1] Picture size 40000x40000 is invalid\nx: busy",
            b"YUV4",
            "absurd_dimensions",
        ),
        ("x: Operation not permitted", b"\x00\x01", "corrupt"),
    ],
)
def test_ffprobe_failures_are_named(stderr: str, header: bytes, kind: str) -> None:
    assert classify_ffprobe_failure(stderr, header, "asset-1").kind == kind


def test_playlists_are_refused_before_ffprobe_opens_them() -> None:
    with pytest.raises(ProbeError) as refused:
        refuse_by_header(b"#EXTM3U\n#EXT-X-VERSION:3", 40, "asset-2")
    assert refused.value.kind == "wrong_container"
