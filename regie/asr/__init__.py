"""Speech recognition: Whisper backends from the model store, windowed audio, one Transcript."""

from regie.asr.stage import AsrOptions, load_document, transcribe_asset
from regie.asr.transcript import TranscribedWord, TranscriptDocument, TranscriptSegment

__all__ = [
    "AsrOptions",
    "TranscribedWord",
    "TranscriptDocument",
    "TranscriptSegment",
    "load_document",
    "transcribe_asset",
]
