"""Shot lists built from detections, and their EDL and CSV exports, against golden text."""

from __future__ import annotations

from fractions import Fraction

from regie.shots.detector import Detection
from regie.shots.exports import to_csv
from regie.shots.frames import FrameTimes
from regie.shots.stage import build_shot_list, frame_duration
from regie.shots.timeline import shot_timeline, to_edl

# 100 frames at 25 fps: a cut at frame 40, a dissolve over frames 70-79.
DETECTION = Detection(
    frame_count=100,
    cuts=[40],
    gradual=[(70, 79)],
    times=FrameTimes(pts=[512 * i for i in range(100)], time_base=Fraction(1, 12800)),
)


def test_shots_split_at_cuts_and_at_the_middle_of_dissolves() -> None:
    shots = build_shot_list(DETECTION, "a", "fast", Fraction(25))
    assert [(s.first_frame, s.last_frame) for s in shots.shots] == [(0, 39), (40, 74), (75, 99)]
    assert [s.start for s in shots.shots] == [0, Fraction(8, 5), 3]
    assert shots.shots[-1].end == 4  # one frame after the last PTS
    kinds = [(t.kind, t.first_frame, t.last_frame) for t in shots.transitions]
    assert kinds == [("cut", 40, 40), ("gradual", 70, 79)]
    assert shots.transitions[1].start == Fraction(14, 5)
    assert shots.transitions[1].end == Fraction(16, 5)


def test_variable_frame_rate_times_come_from_timestamps() -> None:
    pts = [0, 1001, 2002, 5005, 6006]  # two frames dropped after frame 2
    detection = Detection(5, [3], [], FrameTimes(pts=pts, time_base=Fraction(1, 24000)))
    shots = build_shot_list(detection, "a", "fast", Fraction(24000, 1001))
    assert shots.shots[1].start == Fraction(5005, 24000)
    assert shots.shots[1].end == Fraction(7007, 24000)


def test_single_frame_is_one_shot() -> None:
    detection = Detection(1, [], [], FrameTimes(pts=[0], time_base=Fraction(1, 25)))
    shots = build_shot_list(detection, "a", "fast", Fraction(25))
    assert [(s.first_frame, s.last_frame, s.end) for s in shots.shots] == [(0, 0, Fraction(1, 25))]


EDL = """\
TITLE: jt-20h
FCM: NON-DROP FRAME

001  AX       V     C        10:00:00:00 10:00:01:15 00:00:00:00 00:00:01:15
* FROM CLIP NAME:  jt.mxf
* FROM CLIP: file:///archive/jt.mxf
002  AX       V     C        10:00:01:15 10:00:02:20 00:00:01:15 00:00:02:20
* FROM CLIP NAME:  jt.mxf
* FROM CLIP: file:///archive/jt.mxf
003  AX       V     C        10:00:02:20 10:00:02:20 00:00:02:20 00:00:02:20
003  AX       V     D 010    10:00:02:20 10:00:04:00 00:00:02:20 00:00:04:00
* FROM CLIP NAME:  jt.mxf
* FROM CLIP: file:///archive/jt.mxf
* TO CLIP NAME:  jt.mxf
* TO CLIP: file:///archive/jt.mxf
"""


def test_edl_is_cmx3600_in_the_masters_timecode_with_the_dissolve() -> None:
    shots = build_shot_list(DETECTION, "a", "fast", Fraction(25))
    shots = shots.model_copy(update={"start_timecode": "10:00:00:00"})
    assert to_edl(shots, "jt-20h", "file:///archive/jt.mxf", "jt.mxf") == EDL


def test_the_timeline_has_a_clip_per_shot_and_a_dissolve_across_the_gradual_split() -> None:
    ntsc = FrameTimes(pts=[1001 * i for i in range(100)], time_base=Fraction(1, 30000))
    detection = Detection(100, [40], [(70, 79)], ntsc)
    shots = build_shot_list(detection, "a", "fast", Fraction(30000, 1001))
    shots = shots.model_copy(update={"start_timecode": "01:00:00;00"})
    track = shot_timeline(shots, "t", "file:///archive/jt.mxf", "jt.mxf").tracks[0]
    kinds = [type(item).__name__ for item in track]
    assert kinds == ["Clip", "Clip", "Transition", "Clip"]
    first = track[0].source_range.start_time
    assert (first.value, first.to_timecode()) == (107892, "01:00:00;00")  # drop-frame
    assert (track[2].in_offset.value, track[2].out_offset.value) == (5, 5)  # frames 70-79
    edl = to_edl(shots, "t", "file:///archive/jt.mxf", "jt.mxf")
    assert "FCM: DROP FRAME" in edl and "01:00:00;00 01:00:01;10" in edl


def test_csv_has_one_row_per_shot() -> None:
    rows = to_csv(build_shot_list(DETECTION, "a", "fast", Fraction(25))).splitlines()
    assert rows[0].split(",")[:4] == ["shot", "first_frame", "last_frame", "start_s"]
    assert rows[2].startswith("1,40,74,1.600000,3.000000,00:00:01:15,00:00:03:00,1.400000,cut,")
    assert rows[3].split(",")[8] == "gradual"
    assert len(rows) == 4


def test_stream_without_a_declared_rate_does_not_divide_by_zero() -> None:
    assert frame_duration(Fraction(0)) == 0
    detection = Detection(1, [], [], FrameTimes())
    shots = build_shot_list(detection, "a", "fast", Fraction(0))
    assert (shots.shots[0].start, shots.shots[0].end) == (0, 0)
