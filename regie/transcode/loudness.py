"""EBU R128 loudness: measure, then apply one gain for the whole programme.

ffmpeg's ``loudnorm`` defaults to -24 LUFS and -2 dBTP, not R128's -23 LUFS and -1 dBTP, so the
targets are always explicit. The first pass measures the programme (audio decode only, cheap);
the second pass, inside the ladder command, applies one gain for the whole programme, which keeps
the mix's dynamics: a plain ``volume`` gain when the true peak stays under its limit, else
``loudnorm`` with the measured values (linear where it can, its true-peak limiter where not).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import ffmpeg
from pydantic import BaseModel, ConfigDict, Field

from regie.artefacts import AudioLayout, AudioVersion, LoudnessMeasure
from regie.audio_layout import version_stream
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


def measure_argv(
    path: Path,
    target: LoudnessTarget,
    version: tuple[AudioLayout, AudioVersion] | None = None,
    seek: dict[str, str] | None = None,
) -> list[str]:
    """First pass: ffmpeg decoding the audio only and printing loudnorm's measurement as JSON.

    Args:
        path: Any file with audio (a master, an HLS playlist).
        target: The R128 targets.
        version: The master's layout and the version to measure; None: the first audio stream.
        seek: Input options reading the programme alone (``regie.programme.seek_options``).
    """
    source = ffmpeg.input(str(path), **(seek or {}))
    audio = version_stream(source, version[1], version[0]) if version else source["a:0"]
    measured = audio.filter(
        "loudnorm", I=target.integrated_lufs, TP=target.true_peak_dbtp,
        LRA=target.loudness_range_lu, print_format="json",
    ).output("-", format="null")  # fmt: skip
    program, *rest = ffmpeg.compile(measured)
    return [program, "-hide_banner", "-nostdin", "-nostats", *rest]


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


def measure_loudness(
    path: Path,
    target: LoudnessTarget,
    asset: str,
    version: tuple[AudioLayout, AudioVersion] | None = None,
    seek: dict[str, str] | None = None,
) -> LoudnessMeasure:
    """Run the first pass on ``path`` (a master's audio version, or an HLS playlist's audio)."""
    done = run_tool(measure_argv(path, target, version, seek), asset)
    return parse_measurement(done.stderr, asset)


class GainFilter(BaseModel):
    """The ffmpeg audio filter of the second pass and its options."""

    model_config = ConfigDict(frozen=True)

    name: str
    options: dict[str, str]


def normalise_filter(measured: LoudnessMeasure, target: LoudnessTarget) -> GainFilter:
    """The second pass's filter (pure).

    A gain that keeps the true peak within the target is applied with ``volume``: exact, and free
    of loudnorm's conditions for its linear mode, one of which (an LRA target, at most 20 LU in
    ffmpeg, no smaller than the measured range) failed on wide-range programmes and sent them to
    its dynamic compressor, which missed -23 by 1.1 LU on a 60 s excerpt with a 22.6 LU range.
    Otherwise the peaks need limiting, which is loudnorm's to do.
    """
    gain = target.integrated_lufs - measured.integrated_lufs
    if measured.true_peak_dbtp + gain <= target.true_peak_dbtp:
        return GainFilter(name="volume", options={"volume": f"{gain:.2f}dB"})
    return GainFilter(name="loudnorm", options=normalise_options(measured, target))


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
