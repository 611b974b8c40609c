"""faster-whisper (CTranslate2): int8 on CPU, float16 on GPU, one chunk of speech per call."""

from __future__ import annotations

import numpy as np
from faster_whisper import WhisperModel

from regie.asr.backends.base import DecodeOptions, Task, timed_word
from regie.asr.transcript import TranscriptSegment
from regie.models import LocalModel


class FasterWhisper:
    name = "faster-whisper"

    def __init__(self, model: LocalModel, device: str) -> None:
        compute = "float16" if device == "cuda" else "int8"
        # local_files_only: the tokenizer comes from the model folder, never from the hub
        self.model = WhisperModel(
            str(model.path), device=device, compute_type=compute, local_files_only=True
        )

    def languages(self) -> frozenset[str]:
        return frozenset(self.model.supported_languages)

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        language, probability, _ = self.model.detect_language(samples)
        return language, float(probability)

    def transcribe(
        self, samples: np.ndarray, language: str, options: DecodeOptions, task: Task = "transcribe"
    ) -> list[TranscriptSegment]:
        segments, _ = self.model.transcribe(
            samples, language=language, task=task, word_timestamps=True,
            beam_size=options.beam_size, temperature=list(options.temperatures),
            condition_on_previous_text=False, vad_filter=False,
        )  # fmt: skip
        found = [_segment(s, first=i == 0) for i, s in enumerate(segments)]  # decodes
        return [segment for segment in found if segment.words]


def _segment(segment, first: bool) -> TranscriptSegment:  # faster_whisper.transcribe.Segment
    timed = (
        timed_word(w.word, w.start, w.end, w.probability, first and i == 0)
        for i, w in enumerate(segment.words or [])
    )
    words = [word for word in timed if word is not None]
    return TranscriptSegment(
        start=round(segment.start, 3), end=round(segment.end, 3), text=segment.text.strip(),
        words=words,
    )  # fmt: skip
