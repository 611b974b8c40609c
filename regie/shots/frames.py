"""Small frames straight from ffmpeg: decode, shrink and pipe raw RGB into numpy, chunk by chunk.

Shot detection needs every frame but not every pixel. ffmpeg decodes (skipping the in-loop
deblocking filter, which only affects fine detail), scales to a thumbnail with area averaging and
writes raw RGB to a pipe; numpy reads fixed-size chunks, so memory stays flat whatever the length.
Frames keep their decode order with the container edit list honoured and are never duplicated or
dropped (``-fps_mode passthrough``), so indices are frame-exact on variable frame rate video. The
``showinfo`` filter reports each frame's PTS on stderr, read by a thread as frames flow.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from queue import Queue
from typing import IO

import numpy as np

from regie.deadline import check_time, killed_at_limit
from regie.errors import ToolError
from regie.ffmpeg import require_tool

SHOWINFO_FRAME = re.compile(r"Parsed_showinfo.*\bn:\s*(\d+)\s+pts:\s*(-?\d+)")
SHOWINFO_CONFIG = re.compile(r"Parsed_showinfo.*config in time_base:\s*(\d+)/(\d+)")
STDERR_TAIL = 30


@dataclass(frozen=True)
class FrameSize:
    """Size of the decoded frames and the ffmpeg scaler that shrinks them."""

    width: int
    height: int
    scaler: str = "area"

    @property
    def bytes(self) -> int:
        return self.width * self.height * 3


def small_frames_argv(
    path: Path, size: FrameSize, fast_decode: bool = True, threads: int = 0, prefilter: str = ""
) -> list[str]:
    """ffmpeg command writing every frame of the first video stream as raw RGB of ``size``.

    Args:
        path: The video.
        size: Output frame size and scaler.
        fast_decode: Skip the deblocking filter (invisible at thumbnail size, ~10% faster).
        threads: Decoder threads; 0 lets ffmpeg use every core.
        prefilter: Filters making the picture progressive (``crop=...,bwdif=...,``), or ''.
    """
    decoder = ["-skip_loop_filter", "all"] if fast_decode else []
    decoder += ["-threads", str(threads)] if threads else []
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
        *decoder, "-i", str(path),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
        "-vf", f"{prefilter}scale={size.width}:{size.height}:flags={size.scaler},showinfo",
        "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
    ]  # fmt: skip


@dataclass
class FrameTimes:
    """Presentation timestamps collected while frames are decoded."""

    pts: list[int] = field(default_factory=list)
    time_base: Fraction = Fraction(0)

    def seconds(self, frame: int, frame_duration: Fraction = Fraction(0)) -> Fraction:
        """PTS of ``frame`` in seconds; past the last frame, extrapolated by one frame duration.

        Args:
            frame: Frame index in decode order.
            frame_duration: Duration of one frame, used when the stream has a single frame.
        """
        if not self.pts:
            return frame * frame_duration
        if frame < len(self.pts):
            return self.pts[frame] * self.time_base
        step = self.pts[-1] - self.pts[-2] if len(self.pts) > 1 else 0
        last = self.pts[-1] * self.time_base
        interval = step * self.time_base or frame_duration
        return last + (frame - len(self.pts) + 1) * interval


class SmallFrames:
    """Iterate over chunks of small frames of a video, collecting their timestamps.

    Args:
        path: The video file.
        size: Size of each frame.
        chunk: Frames per chunk.
        asset: Asset id, for errors.
        threads: Decoder threads (0: ffmpeg's choice).
        prefilter: Filters making the picture progressive, or ''.
    """

    def __init__(
        self,
        path: Path,
        size: FrameSize,
        chunk: int = 256,
        asset: str = "",
        threads: int = 0,
        prefilter: str = "",
    ) -> None:
        self.path, self.size, self.chunk, self.threads = path, size, chunk, threads
        self.prefilter = prefilter
        self.asset = asset or path.name
        self.times = FrameTimes()
        self.count = 0
        self._stderr: deque[str] = deque(maxlen=STDERR_TAIL)

    def __iter__(self) -> Iterator[np.ndarray]:
        argv = small_frames_argv(
            self.path, self.size, threads=self.threads, prefilter=self.prefilter
        )
        require_tool("ffmpeg")
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None  # both piped
        reader = threading.Thread(target=self._read_stderr, args=(process,), daemon=True)
        reader.start()
        try:
            with killed_at_limit(process, self.asset):
                yield from self._chunks(process)
        finally:
            process.stdout.close()
            code = process.wait()
            reader.join()
        if code != 0:
            check_time(self.asset, "ffmpeg")
            raise ToolError(self.asset, argv, "\n".join(self._stderr))

    def _chunks(self, process: subprocess.Popen[bytes]) -> Iterator[np.ndarray]:
        frame_bytes = self.size.bytes
        buffer = bytearray(frame_bytes * self.chunk)
        view = memoryview(buffer)
        assert process.stdout is not None  # piped
        while True:
            filled = _read_fully(process.stdout, view)
            frames = filled // frame_bytes
            if frames:
                self.count += frames
                shape = (frames, self.size.height, self.size.width, 3)
                yield np.frombuffer(buffer, np.uint8, frames * frame_bytes).reshape(shape).copy()
            if filled < len(buffer):
                return

    def _read_stderr(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None  # piped
        for raw in process.stderr:
            line = raw.decode("utf-8", errors="replace")
            if match := SHOWINFO_FRAME.search(line):
                self.times.pts.append(int(match.group(2)))
            elif (match := SHOWINFO_CONFIG.search(line)) and int(match.group(2)):
                self.times.time_base = Fraction(int(match.group(1)), int(match.group(2)))
            else:
                self._stderr.append(line.rstrip())


def _read_fully(stream: IO[bytes], view: memoryview) -> int:
    """Fill ``view`` from ``stream`` unless it ends first; return the bytes read."""
    filled = 0
    readinto = stream.readinto  # type: ignore[attr-defined]  # a pipe's BufferedReader has it
    while filled < len(view):
        got = readinto(view[filled:])
        if not got:
            break
        filled += got
    return filled


def prefetch(chunks: Iterable[np.ndarray], depth: int = 4) -> Iterator[np.ndarray]:
    """Iterate ``chunks`` from a thread running up to ``depth`` chunks ahead."""
    queue: Queue[np.ndarray | BaseException | None] = Queue(maxsize=depth)

    def produce() -> None:
        try:
            for chunk in chunks:
                queue.put(chunk)
        except BaseException as error:  # handed to the consumer, which re-raises it
            queue.put(error)
            return
        queue.put(None)

    threading.Thread(target=produce, daemon=True).start()
    while (item := queue.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item
