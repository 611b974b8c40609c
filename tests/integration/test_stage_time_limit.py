"""A stage's time limit stops a stuck ffmpeg: the tool is killed and the stage fails clearly."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from regie.asr.audio import read_windows
from regie.deadline import DeadlineError, time_limit
from regie.ffmpeg import run_tool


@pytest.fixture
def never_written(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: ffmpeg opening it waits forever, as on a hung mount."""
    fifo = tmp_path / "master.wav"
    os.mkfifo(fifo)
    return fifo


def test_a_stuck_tool_is_killed_when_the_stage_limit_passes(never_written: Path) -> None:
    started = time.monotonic()
    with time_limit(1.5), pytest.raises(DeadlineError, match="reportage: ffprobe stopped"):
        run_tool(["ffprobe", str(never_written)], "reportage")
    assert time.monotonic() - started < 10


def test_a_stuck_streaming_decode_is_killed_too(never_written: Path) -> None:
    started = time.monotonic()
    with time_limit(1.5), pytest.raises(DeadlineError, match="reportage: ffmpeg stopped"):
        list(read_windows(never_written, "reportage"))
    assert time.monotonic() - started < 10


def test_without_a_limit_tools_run_as_before() -> None:
    done = run_tool(["ffmpeg", "-hide_banner", "-version"], "reportage")
    assert done.stdout.startswith(b"ffmpeg version")
