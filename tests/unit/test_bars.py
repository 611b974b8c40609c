"""Black bars from cropdetect's log, and the picture the ladder sees once they are cropped."""

from __future__ import annotations

from fractions import Fraction

from regie.artefacts import BlackBars, VideoStream
from regie.bars import measure_bars
from regie.picture import progressive_filters, without_bars

LOG = """[cropdetect] x1:0 x2:719 y1:80 y2:495 w:720 h:416 x:0 y:80 t:0.00 crop=720:416:0:80
[cropdetect] x1:0 x2:719 y1:72 y2:503 w:720 h:432 x:0 y:72 t:0.04 crop=720:432:0:72
"""  # a dark first frame, then the whole 16:9 picture: the last box holds both


def video(width: int, height: int, display: tuple[int, int], bars: BlackBars | None) -> VideoStream:
    return VideoStream(
        index=0, codec="mpeg2video", width=width, height=height, pix_fmt="yuv420p",
        frame_rate=Fraction(25), avg_frame_rate=Fraction(25), time_base=Fraction(1, 25),
        sample_aspect_ratio=Fraction(display[0], width) / Fraction(display[1], height),
        vfr=False, display_aspect_ratio=Fraction(*display), display_width=display[0],
        display_height=display[1], bars=bars,
    )  # fmt: skip


def test_a_letterbox_is_the_last_box_cropdetect_printed() -> None:
    bars = measure_bars(720, 576, LOG)
    assert bars == BlackBars(top=72, bottom=72, left=0, right=0, kind="letterbox", frames=2)


def test_analogue_blanking_is_not_a_pillarbox() -> None:
    log = "crop=704:576:8:0\n"  # 8 columns each side of a digitised tape: 1.1% of the width
    bars = measure_bars(720, 576, log)
    assert bars is not None and (bars.left, bars.right, bars.kind) == (8, 8, "none")
    assert measure_bars(720, 576, "no frame decoded") is None


def test_a_pillarbox_and_a_windowbox() -> None:
    assert measure_bars(1920, 1080, "crop=1440:1080:240:0").kind == "pillarbox"  # type: ignore[union-attr]
    assert measure_bars(1920, 1080, "crop=1440:810:240:136").kind == "windowbox"  # type: ignore[union-attr]


def test_cropping_a_4_3_letterbox_shows_16_9() -> None:
    bars = BlackBars(top=72, bottom=72, left=0, right=0, kind="letterbox", frames=75)
    sd = video(720, 576, (768, 576), bars)  # SAR 16:15: 4:3 as shown
    assert progressive_filters(sd, crop_bars=True) == [
        ("crop", {"w": 720, "h": 432, "x": 0, "y": 72})
    ]
    assert progressive_filters(sd) == []  # as aired by default
    inside = without_bars(sd)
    assert (inside.display_width, inside.display_height) == (768, 432)  # 16:9


def test_cropping_a_pillarbox_keeps_the_pixels_shape() -> None:
    bars = BlackBars(top=0, bottom=0, left=240, right=240, kind="pillarbox", frames=75)
    hd = video(1920, 1080, (1920, 1080), bars)
    assert progressive_filters(hd, crop_bars=True) == [
        ("crop", {"w": 1440, "h": 1080, "x": 240, "y": 0})
    ]
    inside = without_bars(hd)
    assert Fraction(inside.display_width, inside.display_height) == Fraction(4, 3)
    blanking = BlackBars(top=0, bottom=0, left=8, right=8, kind="none", frames=75)
    assert progressive_filters(video(720, 576, (768, 576), blanking), crop_bars=True) == []
