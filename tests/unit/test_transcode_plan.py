"""Pure planning of the ladder: rungs, sizes, rates, key frames, thumbnails, loudness options."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from regie.artefacts import LoudnessMeasure, Shot, ShotList, VideoStream
from regie.errors import PermanentError
from regie.programme import TimeSpan
from regie.transcode.command import SpriteSpec
from regie.transcode.keyframes import force_key_frames_arg, keyframe_times
from regie.transcode.ladder import DEFAULT_LADDER, Rung, output_frame_rate, plan_renditions
from regie.transcode.loudness import (
    GainFilter,
    LoudnessTarget,
    normalise_filter,
    normalise_options,
    parse_measurement,
)
from regie.transcode.thumbnails import poster_time, sheets_needed, thumbnails_vtt
from regie.transcode.validate import MediaSegment, ssim_windows, window_input


def video(width: int, height: int, rate: str = "25", sar: str = "1:1", rotation: int = 0,
          display: tuple[int, int] | None = None) -> VideoStream:  # fmt: skip
    shown = display or (width, height)
    return VideoStream(
        index=0, codec="h264", width=width, height=height, sample_aspect_ratio=sar,
        display_aspect_ratio=Fraction(*shown), rotation=rotation, display_width=shown[0],
        display_height=shown[1], frame_rate=rate, avg_frame_rate=rate, vfr=False,
        time_base="1/12800",
    )  # fmt: skip


def test_1080p25_source_gets_the_whole_default_ladder() -> None:
    plan = plan_renditions(video(1920, 1080), DEFAULT_LADDER)
    assert [(r.name, r.width, r.height) for r in plan] == [
        ("1080p", 1920, 1080), ("720p", 1280, 720), ("540p", 960, 540),
        ("360p", 640, 360), ("234p", 416, 234),
    ]  # fmt: skip
    assert [r.bitrate_kbps for r in plan] == [6000, 3000, 2000, 800, 300]
    assert plan[0].maxrate_kbps == 6600 and plan[0].bufsize_kbps == 12000


def test_no_rung_above_the_source_and_odd_widths_made_even() -> None:
    plan = plan_renditions(video(853, 480), DEFAULT_LADDER)
    assert [(r.width, r.height) for r in plan] == [(640, 360), (416, 234)]
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in plan)


def test_tiny_source_gets_one_rendition_at_its_own_size() -> None:
    plan = plan_renditions(video(320, 180), DEFAULT_LADDER)
    assert [(r.width, r.height, r.bitrate_kbps) for r in plan] == [(320, 180, 300)]


def test_non_square_pixels_follow_the_display_aspect_ratio() -> None:
    pal = video(720, 576, sar="64:45", display=(1024, 576))  # 16:9 PAL
    assert [(r.width, r.height) for r in plan_renditions(pal, DEFAULT_LADDER)] == [
        (960, 540), (640, 360), (416, 234),
    ]  # fmt: skip


def test_portrait_rotated_source_keeps_its_orientation() -> None:
    phone = video(1920, 1080, rotation=90, display=(1080, 1920))
    top = plan_renditions(phone, DEFAULT_LADDER)[0]
    assert (top.width, top.height) == (1080, 1920)


@pytest.mark.parametrize(
    ("source", "cap", "expected"),
    [("50", 30, "25"), ("60000/1001", 30, "30000/1001"), ("25", 30, "25"), ("120", 60, "60"),
     ("0", 30, "25")],
)  # fmt: skip
def test_frame_rate_halved_under_the_rung_cap(source: str, cap: int, expected: str) -> None:
    assert output_frame_rate(Fraction(source), cap) == Fraction(expected)


def test_low_rungs_of_a_50p_source_run_at_25() -> None:
    plan = plan_renditions(video(1920, 1080, rate="50"), DEFAULT_LADDER)
    assert [r.frame_rate for r in plan] == [50, 50, 50, 25, 25]


def test_keyframes_on_the_grid_and_on_every_cut() -> None:
    cuts = [Fraction(331, 100), Fraction(153, 25)]  # 3.31 s is between frames at 25 fps
    times = keyframe_times(Fraction(10), cuts, Fraction(25))
    # 3.31 snaps to frame 83 (3.32); the grid point at 6 s is dropped for the cut at 6.12 s
    assert times == [0, 2, Fraction(83, 25), 4, Fraction(153, 25), 8]


def test_keyframe_times_round_down_to_the_microsecond() -> None:
    ntsc_frame = Fraction(1001, 30000)
    assert force_key_frames_arg([Fraction(0), 2, ntsc_frame * 61]) == "0,2,2.035366"


def test_thumbnails_vtt_points_into_the_sprite_grid() -> None:
    spec = SpriteSpec(interval_s=5, width=160, height=90, columns=5, rows=5)
    vtt = thumbnails_vtt(Fraction(127), spec).splitlines()
    assert vtt[:4] == [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:05.000",
        "sprite-0001.jpg#xywh=0,0,160,90",
    ]
    assert "sprite-0001.jpg#xywh=640,360,160,90" in vtt  # the 25th tile, bottom right
    assert vtt[-2:] == ["00:02:05.000 --> 00:02:07.000", "sprite-0002.jpg#xywh=0,0,160,90"]
    assert sheets_needed(Fraction(127), spec) == 2


def test_poster_is_the_middle_of_the_longest_shot() -> None:
    shots = ShotList(
        asset_id="a", detector="fast", frame_count=250, frame_rate=25,
        shots=[Shot(index=0, first_frame=0, last_frame=49, start=0, end=2),
               Shot(index=1, first_frame=50, last_frame=249, start=2, end=10)],
        transitions=[],
    )  # fmt: skip
    assert poster_time(Fraction(10), shots) == 6
    assert poster_time(Fraction(10), None) == 1


LOUDNORM_OUTPUT = """[Parsed_loudnorm_0 @ 0x1]
{
	"input_i" : "-27.61",
	"input_tp" : "-4.47",
	"input_lra" : "18.06",
	"input_thresh" : "-39.20",
	"output_i" : "-23.00",
	"output_tp" : "-1.00",
	"output_lra" : "7.00",
	"output_thresh" : "-34.60",
	"normalization_type" : "dynamic",
	"target_offset" : "0.02"
}
"""


def test_loudness_measurement_parsed_and_second_pass_is_linear_r128() -> None:
    measured = parse_measurement(LOUDNORM_OUTPUT, "asset")
    assert measured == LoudnessMeasure(
        integrated_lufs=-27.61, true_peak_dbtp=-4.47, range_lu=18.06, threshold_lufs=-39.2,
        target_offset_lu=0.02,
    )  # fmt: skip
    options = normalise_options(measured, LoudnessTarget())
    assert options["I"] == "-23.0" and options["TP"] == "-1.0" and options["linear"] == "true"
    assert options["LRA"] == "19.1"  # raised to the measured range so loudnorm stays linear
    assert options["measured_I"] == "-27.61" and options["offset"] == "0.02"


def test_second_pass_is_a_plain_gain_when_the_true_peak_allows_it() -> None:
    """Whatever the loudness range: loudnorm's linear mode needs an LRA target of at least the
    measured range, and ffmpeg takes at most 20 LU (measured: a 60 s excerpt, 22.6 LU)."""
    wide = LoudnessMeasure(integrated_lufs=-27.99, true_peak_dbtp=-11.73, range_lu=22.6,
                           threshold_lufs=-40.0, target_offset_lu=0.1)  # fmt: skip
    assert normalise_filter(wide, LoudnessTarget()) == GainFilter(
        name="volume", options={"volume": "4.99dB"}
    )
    quiet_peak = wide.model_copy(update={"true_peak_dbtp": -6.0})  # would reach -1.01 dBTP
    assert normalise_filter(quiet_peak, LoudnessTarget()).name == "volume"
    peaky = wide.model_copy(update={"true_peak_dbtp": -5.9})  # would reach -0.91 dBTP: limit
    limited = normalise_filter(peaky, LoudnessTarget())
    assert limited.name == "loudnorm" and limited.options["measured_TP"] == "-5.9"


def test_custom_rung_preset_is_carried_to_the_rendition() -> None:
    ladder = (Rung(lines=720, bitrate_kbps=3000, preset="faster"),)
    assert plan_renditions(video(1920, 1080), ladder)[0].preset == "faster"


def test_ssim_windows_sit_in_the_middle_of_each_part_on_a_frame() -> None:
    """An hour in 12 windows of 5 s: one per 5 minutes, centred, starting on a frame."""
    ntsc = Fraction(1001, 30000)
    windows = ssim_windows(Fraction(3600), ntsc, 12, Fraction(5))
    assert len(windows) == 12
    assert all(w.duration == 5 and (w.start / ntsc).denominator == 1 for w in windows)
    assert [round(float(w.start), 3) for w in windows[:2]] == [147.481, 447.48]
    assert windows[-1].end <= 3600 and windows[0].start > 0


def test_ssim_windows_covering_the_programme_are_the_programme() -> None:
    whole = [TimeSpan(start=0, end=60)]
    assert ssim_windows(Fraction(60), Fraction(1, 25), 12, Fraction(5)) == whole
    assert ssim_windows(Fraction(60), Fraction(1, 25), 0, Fraction(5)) == whole
    assert len(ssim_windows(Fraction(61), Fraction(1, 25), 12, Fraction(5))) == 12
    # one window is one window, in the middle, not the whole programme
    assert ssim_windows(Fraction(600), Fraction(1, 25), 1, Fraction(5)) == [
        TimeSpan(start=Fraction(7437, 25), end=Fraction(7562, 25))  # 297.48 s, on a frame
    ]


SEGMENTS = [
    MediaSegment(Fraction(n * 6), Fraction(n * 6 + 6), f"seg-{n + 1}.m4s") for n in range(4)
]


def test_a_window_reads_the_segments_it_overlaps_from_the_first_ones_start() -> None:
    window = TimeSpan(start=Fraction(2399, 200), end=Fraction(3399, 200))  # 11.995-16.995 s
    url, seek = window_input(Path("/s/pkg"), "init.mp4", SEGMENTS, window, "a")
    assert url == "concat:/s/pkg/init.mp4|/s/pkg/seg-2.m4s|/s/pkg/seg-3.m4s"
    assert seek == {"ss": "5.995000", "t": "5.000000"}


@pytest.mark.parametrize(
    ("folder", "start", "reason"),
    [("/s/a|b", 1, "has a '|' in its path"), ("/s/pkg", 30, "no segment of the rendition")],
)
def test_a_window_that_cannot_be_read_is_refused(folder: str, start: int, reason: str) -> None:
    window = TimeSpan(start=start, end=start + 5)
    with pytest.raises(PermanentError, match=reason):
        window_input(Path(folder), "init.mp4", SEGMENTS, window, "a")
