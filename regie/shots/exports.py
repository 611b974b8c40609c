"""Exports of a ShotList for people: CSV and a contact sheet (editors' EDL and OTIO: timeline.py).

The CSV is built as text by a pure function; the contact sheet is a grid of keyframes captioned
with shot number and timecode, both in the master's timecode.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from regie.artefacts import Shot, ShotList, Transition
from regie.shots.timecode import timecode_at


def to_csv(shots: ShotList) -> str:
    """One row per shot: frames, exact times, timecodes (the master's), duration, how it
    opens, keyframe."""
    rate, start = shots.frame_rate, shots.start_timecode
    rows = [
        {
            "shot": shot.index,
            "first_frame": shot.first_frame,
            "last_frame": shot.last_frame,
            "start_s": float(shot.start),
            "end_s": float(shot.end),
            "start_tc": timecode_at(shot.start, rate, start),
            "end_tc": timecode_at(shot.end, rate, start),
            "duration_s": float(shot.end - shot.start),
            "opens_with": _opening(shot, shots.transitions),
            "keyframe": shot.keyframe or "",
        }
        for shot in shots.shots
    ]
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False, float_format="%.6f")
    return buffer.getvalue()


def contact_sheet(
    keyframes: list[Path], captions: list[str], target: Path, columns: int = 6
) -> Path:
    """A grid of keyframes with a caption under each, written as JPEG."""
    from PIL import Image, ImageDraw, ImageFont

    tiles = [Image.open(path).convert("RGB") for path in keyframes]
    width = max(tile.width for tile in tiles)
    height = max(tile.height for tile in tiles)
    caption_height = 22
    rows = -(-len(tiles) // columns)
    sheet = Image.new("RGB", (columns * width, rows * (height + caption_height)), "black")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    for position, (tile, caption) in enumerate(zip(tiles, captions, strict=True)):
        x, y = position % columns * width, position // columns * (height + caption_height)
        sheet.paste(tile, (x, y))
        draw.text((x + 4, y + height + 3), caption, fill="white", font=font)
    sheet.save(target, "JPEG", quality=85)
    return target


def _incoming_gradual(shot: Shot, transitions: list[Transition]) -> Transition | None:
    """The gradual transition a shot opens with (its boundary lies inside the mix)."""
    return next(
        (
            t
            for t in transitions
            if t.kind == "gradual" and t.first_frame <= shot.first_frame <= t.last_frame + 1
        ),
        None,
    )


def _opening(shot: Shot, transitions: list[Transition]) -> str:
    if shot.index == 0:
        return "start"
    return "gradual" if _incoming_gradual(shot, transitions) else "cut"
