"""EBU R128 loudness: measure, then normalise in linear mode with the measured values.

ffmpeg's ``loudnorm`` defaults to -24 LUFS and -2 dBTP, not R128's -23 LUFS and -1 dBTP, so the
targets are always explicit. The first pass measures the programme (audio decode only, cheap);
the second pass, inside the ladder command, applies one gain for the whole programme (linear
mode), which keeps the mix's dynamics. The loudness range target is raised to the measured range
so that ffmpeg does not fall back to its dynamic compressor on wide-range programmes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from regie.artefacts import LoudnessMeasure
from regie.errors import PermanentError
from regie.ffmpeg import run_tool

LOUDNORM_JSON = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.DOTALL)
MAX_LRA = 20.0  # ffmpeg 5.1 refuses a larger LRA target


class LoudnessTarget(BaseModel):
    """R128 targets (EBU R128 v4: -23 LUFS, true peak at most -1 dBTP)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    integrated_lufs: float = -23.0
    true_peak_dbtp: float = -1.0
    loudness_range_lu: float = 7.0
    tolerance_lu: float = Field(1.0, description="Allowed error of the output (R128 production).")


def measure_argv(path: Path, target: LoudnessTarget, audio_index: int = 0) -> list[str]:
    """First pass: ffmpeg decoding the audio only and printing loudnorm's measurement as JSON."""
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", str(path), "-vn", "-sn",
        "-map", f"0:a:{audio_index}", "-af",
        f"loudnorm=I={target.integrated_lufs}:TP={target.true_peak_dbtp}"
        f":LRA={target.loudness_range_lu}:print_format=json",
        "-f", "null", "-",
    ]  # fmt: skip


def parse_measurement(stderr: str, asset: str) -> LoudnessMeasure:
    """The measurement block loudnorm prints at the end of a pass."""
    found = LOUDNORM_JSON.findall(stderr)
    if not found:
        raise PermanentError(asset, "loudness measurement printed nothing: no decodable audio")
    data = json.loads(found[-1])
    if data["input_i"] in ("-inf", "inf"):  # digital silence has no loudness: leave it alone
        return LoudnessMeasure(
            integrated_lufs=-70.0, true_peak_dbtp=-70.0, range_lu=0.0, threshold_lufs=-70.0
        )
    return LoudnessMeasure(
        integrated_lufs=float(data["input_i"]),
        true_peak_dbtp=float(data["input_tp"]),
        range_lu=float(data["input_lra"]),
        threshold_lufs=float(data["input_thresh"]),
        target_offset_lu=float(data["target_offset"]),
    )


def measure_loudness(path: Path, target: LoudnessTarget, asset: str) -> LoudnessMeasure:
    """Run the first pass on ``path`` (any file with audio, a master or an HLS playlist)."""
    done = run_tool(measure_argv(path, target), asset)
    return parse_measurement(done.stderr, asset)


def normalise_options(measured: LoudnessMeasure, target: LoudnessTarget) -> dict[str, str]:
    """Second-pass ``loudnorm`` options: one linear gain from the first pass's figures (pure)."""
    lra = min(MAX_LRA, max(target.loudness_range_lu, round(measured.range_lu + 1.0, 1)))
    return {
        "I": str(target.integrated_lufs),
        "TP": str(target.true_peak_dbtp),
        "LRA": str(lra),
        "measured_I": str(measured.integrated_lufs),
        "measured_TP": str(measured.true_peak_dbtp),
        "measured_LRA": str(measured.range_lu),
        "measured_thresh": str(measured.threshold_lufs),
        "offset": str(measured.target_offset_lu),
        "linear": "true",
    }
