"""Transcode stage: shot-aligned ABR ladder in CMAF with HLS and DASH, R128 loudness, checks."""

from regie.transcode.encoders import EncoderSettings, select_encoder
from regie.transcode.ladder import DEFAULT_LADDER, Rung, plan_renditions
from regie.transcode.loudness import LoudnessTarget
from regie.transcode.stage import TRANSCODE, TranscodeOptions, transcode

__all__ = [
    "DEFAULT_LADDER",
    "TRANSCODE",
    "EncoderSettings",
    "LoudnessTarget",
    "Rung",
    "TranscodeOptions",
    "plan_renditions",
    "select_encoder",
    "transcode",
]
