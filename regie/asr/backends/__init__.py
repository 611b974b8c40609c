"""Transcriber backends by name; each imports its heavy library only when it is chosen."""

from regie.asr.backends.base import (
    BACKEND_FOR_FORMAT,
    TRANSCRIBERS,
    DecodeOptions,
    Transcriber,
    load_transcriber,
)

__all__ = ["BACKEND_FOR_FORMAT", "TRANSCRIBERS", "DecodeOptions", "Transcriber", "load_transcriber"]
