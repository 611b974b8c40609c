"""openai-whisper, the reference implementation, loaded from a checkpoint in the model store."""

from __future__ import annotations

import numpy as np
import torch
import whisper
from whisper.tokenizer import LANGUAGES

from regie.asr.backends.base import DecodeOptions
from regie.asr.transcript import TranscribedWord, TranscriptSegment
from regie.models import LocalModel


class OpenAIWhisper:
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
        self, samples: np.ndarray, language: str, options: DecodeOptions
    ) -> list[TranscriptSegment]:
        result = self.model.transcribe(
            samples, language=language, task="transcribe", word_timestamps=True,
            temperature=options.temperatures, beam_size=options.beam_size,
            best_of=options.beam_size,
            condition_on_previous_text=False, fp16=self.fp16, verbose=None,
        )  # fmt: skip
        return [_segment(s) for s in result["segments"] if s.get("words")]


def _segment(segment: dict) -> TranscriptSegment:
    words = [
        TranscribedWord(text=w["word"].strip(), start=round(w["start"], 3),
                        end=round(w["end"], 3), probability=round(w["probability"], 4))
        for w in segment["words"]
        if w["word"].strip()
    ]  # fmt: skip
    return TranscriptSegment(
        start=round(segment["start"], 3), end=round(segment["end"], 3),
        text=segment["text"].strip(), words=words,
    )  # fmt: skip
