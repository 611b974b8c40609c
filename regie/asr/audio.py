"""Speech audio for Whisper: 16 kHz mono float PCM streamed from ffmpeg, in bounded windows.

A 2-hour programme is never held whole: ffmpeg decodes into a pipe and the samples are handed on
one window at a time (10 minutes by default, 38 MB). Each window ends at the quietest 20 ms in
the last seconds before its nominal end, so that no word is cut in two between windows.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import numpy as np

from regie.artefacts import AudioLayout, AudioVersion
from regie.audio_layout import version_stream
from regie.deadline import check_time, killed_at_limit
from regie.errors import ToolError
from regie.ffmpeg import stderr_tail

SAMPLE_RATE = 16_000
FRAME = SAMPLE_RATE // 50  # 20 ms, the unit in which a quiet cut point is searched
SILENCE_DBFS = -60.0


@dataclass(frozen=True)
class AudioWindow:
    """Samples in [-1, 1] starting ``offset_s`` seconds into the programme."""

    offset_s: float
    samples: np.ndarray

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def decode_command(
    path: Path,
    channel: int | None = None,
    mix: tuple[AudioLayout, AudioVersion] | None = None,
    seek: dict[str, str] | None = None,
) -> list[str]:
    """ffmpeg reading speech as 16 kHz mono s16le: one channel of the first audio stream if
    asked, else the programme mix ``mix`` names (its tracks), else the first audio stream; the
    programme alone with ``seek`` (``regie.programme.seek_options``)."""
    source = ffmpeg.input(str(path), **(seek or {}))
    picked = {"af": f"pan=mono|c0=c{channel}"} if channel is not None else {}
    audio = version_stream(source, mix[1], mix[0]) if mix and channel is None else source.audio
    output = audio.output(
        "pipe:", format="s16le", acodec="pcm_s16le", ac=1, ar=SAMPLE_RATE, **picked
    )
    return ffmpeg.compile(output.global_args("-nostdin", "-v", "error"), overwrite_output=True)


def read_windows(
    path: Path,
    asset: str,
    window_s: float = 600.0,
    channel: int | None = None,
    search_s: float = 5.0,
    mix: tuple[AudioLayout, AudioVersion] | None = None,
    seek: dict[str, str] | None = None,
) -> Iterator[AudioWindow]:
    """The programme's speech audio, window by window (times from the programme's start).

    Raises:
        ToolError: ffmpeg could not decode the audio (carries the command and its stderr).
    """
    argv = decode_command(path, channel, mix, seek)
    window, search = int(window_s * SAMPLE_RATE), int(search_s * SAMPLE_RATE)
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors)
        assert process.stdout is not None
        buffer, offset = np.zeros(0, dtype=np.float32), 0
        with killed_at_limit(process, asset):
            while chunk := process.stdout.read((window + search - len(buffer)) * 2):
                buffer = np.concatenate([buffer, _to_float(chunk)])
                if len(buffer) >= window + search:
                    cut = quietest_cut(buffer, window - search, window)
                    yield AudioWindow(offset / SAMPLE_RATE, buffer[:cut])
                    buffer, offset = buffer[cut:], offset + cut
        if process.wait() != 0:
            check_time(asset, "ffmpeg")
            errors.seek(0)
            raise ToolError(asset, argv, stderr_tail(errors.read().decode(errors="replace")))
        if len(buffer):
            yield AudioWindow(offset / SAMPLE_RATE, buffer)


def quietest_cut(samples: np.ndarray, lo: int, hi: int) -> int:
    """Sample index between ``lo`` and ``hi`` at the start of the least energetic 20 ms frame."""
    frames = samples[lo : hi - (hi - lo) % FRAME].reshape(-1, FRAME)
    return lo + int(np.argmin((frames**2).sum(axis=1))) * FRAME


def is_silent(samples: np.ndarray, threshold_dbfs: float = SILENCE_DBFS) -> bool:
    """Nothing above ``threshold_dbfs`` but rare clicks: no speech to look for."""
    if not len(samples):
        return True
    loud = np.percentile(np.abs(samples), 99.9)
    return bool(loud < 10 ** (threshold_dbfs / 20))


def _to_float(chunk: bytes) -> np.ndarray:
    usable = len(chunk) - len(chunk) % 2
    return np.frombuffer(chunk[:usable], dtype="<i2").astype(np.float32) / 32768.0
