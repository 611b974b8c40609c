"""Exports of a ShotList for people and editing software: CMX3600 EDL, CSV and a contact sheet.

The EDL and CSV are built as text by pure functions (tested against golden strings); the contact
sheet is a grid of keyframes captioned with shot number and timecode.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import pandas as pd

from regie.artefacts import Shot, ShotList, Transition
from regie.shots.timecode import frame_at, frames_of, is_drop_frame, timecode, timecode_at

REEL = "AX"  # CMX3600's name for a source that is a file, not a tape


def to_edl(shots: ShotList, title: str, clip_name: str) -> str:
    """A CMX3600 edit list re-conforming the source shot by shot, dissolves included.

    A shot opened by a gradual transition enters with a dissolve (``D`` and its length in frames)
    starting on the first mixed frame, where the previous event leaves.
    """
    rate = shots.frame_rate
    mode = "DROP FRAME" if is_drop_frame(rate) else "NON-DROP FRAME"
    lines = [f"TITLE: {title}", f"FCM: {mode}", ""]
    openings = [_incoming_gradual(shot, shots.transitions) for shot in shots.shots]
    start = frames_of(shots.start_timecode, rate)
    entries = [
        start + frame_at(dissolve.start if dissolve else shot.start, rate)
        for shot, dissolve in zip(shots.shots, openings, strict=True)
    ]
    leaves = [*entries[1:], start + frame_at(shots.shots[-1].end, rate)] if shots.shots else []
    for number, (entry, leave, dissolve) in enumerate(
        zip(entries, leaves, openings, strict=True), 1
    ):
        if dissolve is None:
            lines.append(_event(number, "C", "", entry, leave, rate))
        else:
            length = dissolve.last_frame - dissolve.first_frame + 1
            lines.append(_event(number, "C", "", entry, entry, rate))
            lines.append(_event(number, "D", f"{length:03d}", entry, leave, rate))
        lines.append(f"* FROM CLIP NAME: {clip_name}")
    return "\n".join(lines) + "\n"


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


def _event(number: int, kind: str, length: str, entry: int, leave: int, rate: Fraction) -> str:
    source = f"{timecode(entry, rate)} {timecode(leave, rate)}"
    return f"{number:03d}  {REEL:<8} V     {kind:<4} {length:>3} {source} {source}"


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
