"""faster-whisper (CTranslate2): int8 on CPU, float16 on GPU, batched on GPU."""

from __future__ import annotations

import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel

from regie.asr.backends.base import DecodeOptions
from regie.asr.transcript import TranscribedWord, TranscriptSegment
from regie.models import LocalModel


class FasterWhisper:
    name = "faster-whisper"

    def __init__(self, model: LocalModel, device: str) -> None:
        compute = "float16" if device == "cuda" else "int8"
        # local_files_only: the tokenizer comes from the model folder, never from the hub
        self.model = WhisperModel(
            str(model.path), device=device, compute_type=compute, local_files_only=True
        )
        self.batched = BatchedInferencePipeline(self.model) if device == "cuda" else None

    def languages(self) -> frozenset[str]:
        return frozenset(self.model.supported_languages)

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        language, probability, _ = self.model.detect_language(samples)
        return language, float(probability)

    def transcribe(
        self, samples: np.ndarray, language: str, options: DecodeOptions
    ) -> list[TranscriptSegment]:
        common = {
            "language": language, "task": "transcribe", "word_timestamps": True,
            "beam_size": options.beam_size, "temperature": list(options.temperatures),
            "condition_on_previous_text": False,
        }  # fmt: skip
        if self.batched is not None:
            segments, _ = self.batched.transcribe(samples, batch_size=options.batch_size, **common)
        else:
            segments, _ = self.model.transcribe(samples, **common)
        return [_segment(s) for s in segments if s.words]  # consuming the generator decodes


def _segment(segment) -> TranscriptSegment:  # faster_whisper.transcribe.Segment
    words = [
        TranscribedWord(text=w.word.strip(), start=round(w.start, 3), end=round(w.end, 3),
                        probability=round(w.probability, 4))
        for w in segment.words
        if w.word.strip()
    ]  # fmt: skip
    return TranscriptSegment(
        start=round(segment.start, 3), end=round(segment.end, 3), text=segment.text.strip(),
        words=words,
    )  # fmt: skip
