"""openai-whisper, the reference implementation, loaded from a checkpoint in the model store."""

from __future__ import annotations

import numpy as np
import torch
import whisper
from whisper.tokenizer import LANGUAGES

from regie.asr.backends.base import DecodeOptions, OneChunkAtATime, Task, timed_word
from regie.asr.transcript import TranscriptSegment
from regie.models import LocalModel


class OpenAIWhisper(OneChunkAtATime):
    name = "openai-whisper"

    def __init__(self, model: LocalModel, device: str) -> None:
        # A path, never a model name: whisper would download a name from its servers.
        self.model = whisper.load_model(str(model.path), device=device)
        self.fp16 = device == "cuda"

    def languages(self) -> frozenset[str]:
        codes = list(LANGUAGES)[: self.model.num_languages]
        return frozenset(codes) if self.model.is_multilingual else frozenset({"en"})

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        mel = whisper.log_mel_spectrogram(
            whisper.pad_or_trim(torch.from_numpy(samples)), n_mels=self.model.dims.n_mels
        ).to(self.model.device)
        _, probabilities = self.model.detect_language(mel)
        language = max(probabilities, key=probabilities.get)
        return language, float(probabilities[language])

    def transcribe(
        self, samples: np.ndarray, language: str, options: DecodeOptions, task: Task = "transcribe"
    ) -> list[TranscriptSegment]:
        result = self.model.transcribe(
            samples, language=language, task=task, word_timestamps=True,
            temperature=options.temperatures, beam_size=options.beam_size,
            best_of=options.beam_size,
            condition_on_previous_text=False, fp16=self.fp16, verbose=None,
        )  # fmt: skip
        found = [_segment(s, first=i == 0) for i, s in enumerate(result["segments"])]
        return [segment for segment in found if segment.words]


def _segment(segment: dict, first: bool) -> TranscriptSegment:
    timed = (
        timed_word(w["word"], w["start"], w["end"], w["probability"], first and i == 0)
        for i, w in enumerate(segment.get("words", []))
    )
    return TranscriptSegment(
        start=round(segment["start"], 3), end=round(segment["end"], 3),
        text=segment["text"].strip(), words=[word for word in timed if word is not None],
    )  # fmt: skip
