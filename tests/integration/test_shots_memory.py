"""Shot detection streams frames: a video four times longer costs no more memory.

Both clips run in one process, short first: the allocator's and oneDNN's one-off peaks happen on
the short clip, so the high-water mark can only rise on the long one if memory grows with length.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import media

PEAKS = """
import sys
from pathlib import Path
from regie.shots.detector import get_detector

def peak_mb():
    status = open("/proc/self/status").read().split("\\n")
    return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) // 1024

detector = get_detector(sys.argv[1])
for clip, frames in zip(sys.argv[2::2], sys.argv[3::2]):
    assert detector.detect(Path(clip), "memory").frame_count == int(frames)
    print(peak_mb())
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["fast", "transnetv2"])
def test_peak_memory_does_not_grow_with_length(backend: str, tmp_path: Path) -> None:
    argv = [sys.executable, "-c", PEAKS, backend]
    for seconds in (40, 160):  # both past the pipeline's steady state (4 chunks of 256 frames)
        clip = tmp_path / f"{seconds}s.mp4"
        media.ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=25:duration={seconds}",
                     "-c:v", "libx264", "-preset", "ultrafast", str(clip))  # fmt: skip
        argv += [str(clip), str(seconds * 25)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    short, long = map(int, done.stdout.split()[-2:])
    assert long - short < 8, (short, long)  # 3,000 more frames, a few bytes of signal each
