"""faster-whisper (CTranslate2): int8 on CPU, float16 on GPU; chunks of speech decoded in batches.

The batched pipeline is given Régie's own chunks (``clip_timestamps``), so it finds no speech of
its own: it only batches the encoder and the beam search over them. Measured on the programme
(whisper-base, CPU), it costs about a third of decoding the chunks one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel

from regie.asr.audio import SAMPLE_RATE
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
        self.batched = BatchedInferencePipeline(self.model)

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

    def transcribe_chunks(
        self,
        samples: np.ndarray,
        chunks: Sequence[tuple[int, int]],
        language: str,
        options: DecodeOptions,
        task: Task = "transcribe",
    ) -> list[list[TranscriptSegment]]:
        if not chunks:
            return []
        clips = [{"start": start / SAMPLE_RATE, "end": end / SAMPLE_RATE} for start, end in chunks]
        segments, _ = self.batched.transcribe(
            samples, language=language, task=task, word_timestamps=True, vad_filter=False,
            clip_timestamps=clips, beam_size=options.beam_size, batch_size=options.batch_size,
        )  # fmt: skip
        per_chunk: list[list[TranscriptSegment]] = [[] for _ in chunks]
        for segment in segments:  # decodes; each comes back in the chunk it was decoded from
            middle = (segment.start + segment.end) / 2 * SAMPLE_RATE
            index = min(range(len(chunks)), key=lambda i: _distance(chunks[i], middle))
            found = _segment(segment, first=not per_chunk[index])
            if found.words:
                per_chunk[index].append(found)
        return per_chunk


def _distance(chunk: tuple[int, int], sample: float) -> float:
    start, end = chunk
    return 0.0 if start <= sample <= end else min(abs(sample - start), abs(sample - end))


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
