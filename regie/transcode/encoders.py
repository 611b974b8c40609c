"""H.264 encoders: NVENC when this machine can really use it, libx264 otherwise.

ffmpeg builds list ``h264_nvenc`` whether or not a GPU with an encoder is present, and datacenter
GPUs such as the H100 have CUDA but no NVENC. So NVENC is chosen only when ffmpeg lists it *and* a
one-second test encode succeeds here; the choice and its reason are recorded. Both encoders get
the same contract: High profile, closed GOPs, VBV-capped rate control, no scene-cut key frames of
their own (key frames are forced at the same times in every rendition).
"""

from __future__ import annotations

import functools
import logging
import subprocess
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from regie.artefacts import Rendition
from regie.ffmpeg import require_tool

log = logging.getLogger("regie.transcode.encoders")
EncoderPreference = Literal["auto", "libx264", "h264_nvenc"]
NVENC_PROBE_TIMEOUT_S = 30
NVENC_PRESET = "p4"


class EncoderSettings(BaseModel):
    """The encoder chosen for a run and why."""

    model_config = ConfigDict(frozen=True)

    name: Literal["libx264", "h264_nvenc"]
    preset: str
    reason: str


def select_encoder(preference: EncoderPreference, x264_preset: str) -> EncoderSettings:
    """``h264_nvenc`` when asked for or ``auto`` and usable here, else libx264 (with the reason)."""
    if preference == "libx264":
        return EncoderSettings(name="libx264", preset=x264_preset, reason="asked for libx264")
    usable, why = nvenc_status()
    if usable:
        return EncoderSettings(name="h264_nvenc", preset=NVENC_PRESET, reason=why)
    if preference == "h264_nvenc":
        log.warning("h264_nvenc was asked for but %s: using libx264", why)
    return EncoderSettings(
        name="libx264", preset=x264_preset, reason=f"h264_nvenc not usable: {why}"
    )


@functools.cache
def nvenc_status() -> tuple[bool, str]:
    """Whether h264_nvenc works on this machine, and why (probed once per process)."""
    ffmpeg = require_tool("ffmpeg")
    listed = subprocess.run(
        [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, check=False
    )
    if "h264_nvenc" not in listed.stdout:
        return False, "this ffmpeg build has no h264_nvenc"
    try:
        trial = subprocess.run(
            nvenc_trial_argv(ffmpeg), capture_output=True, text=True,
            timeout=NVENC_PROBE_TIMEOUT_S, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return False, "the one-second NVENC test encode timed out"
    if trial.returncode != 0:
        return (
            False,
            f"the one-second NVENC test encode failed ({encoder_complaint(trial.stderr)})",
        )
    return True, "h264_nvenc listed and a one-second test encode succeeded"


def encoder_complaint(stderr: str) -> str:
    """The encoder's own line ("Cannot load libcuda.so.1", "No capable devices found")."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()] or ["no output"]
    own = [line.split("]", 1)[-1].strip() for line in lines if "nvenc @" in line]
    return own[0] if own else lines[-1]


def nvenc_trial_argv(ffmpeg: str = "ffmpeg") -> list[str]:
    """A one-second 256x144 encode that fails fast on a GPU without NVENC."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi",
        "-i", "testsrc2=size=256x144:rate=25:duration=1", "-c:v", "h264_nvenc",
        "-f", "null", "-",
    ]  # fmt: skip


def video_codec_options(
    index: int, rendition: Rendition, encoder: EncoderSettings
) -> dict[str, Any]:
    """Per-stream output options of rendition ``index`` (ffmpeg ``-opt:v:N`` keys, pure)."""
    gop = int(rendition.frame_rate * 4)  # forced key frames come first; this is only a ceiling
    common = {
        f"c:v:{index}": encoder.name,
        f"b:v:{index}": f"{rendition.bitrate_kbps}k",
        f"maxrate:v:{index}": f"{rendition.maxrate_kbps}k",
        f"bufsize:v:{index}": f"{rendition.bufsize_kbps}k",
        f"profile:v:{index}": "high",
        f"g:v:{index}": gop,
    }
    if encoder.name == "h264_nvenc":
        return common | {
            f"preset:v:{index}": encoder.preset,
            f"tune:v:{index}": "hq",
            f"rc:v:{index}": "vbr",
            f"forced-idr:v:{index}": 1,
            f"no-scenecut:v:{index}": 1,
            f"strict_gop:v:{index}": 1,
        }
    return common | {
        f"preset:v:{index}": rendition.preset or encoder.preset,
        f"forced-idr:v:{index}": 1,
        f"x264-params:v:{index}": "scenecut=0:open-gop=0",
    }
