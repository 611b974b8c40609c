"""Hugging Face transformers: the ASR pipeline with batching; float16 and SDPA attention on GPU."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from transformers import WhisperForConditionalGeneration, WhisperProcessor, pipeline

from regie.asr.backends.base import DecodeOptions, OneChunkAtATime, Task, timed_word
from regie.asr.transcript import TranscribedWord, TranscriptSegment, segments_from_words
from regie.models import LocalModel

CHUNK_S = 30


class TransformersWhisper(OneChunkAtATime):
    name = "transformers"

    def __init__(self, model: LocalModel, device: str) -> None:
        dtype = torch.float16 if device == "cuda" else torch.float32
        self.processor = WhisperProcessor.from_pretrained(model.path, local_files_only=True)
        self.model = WhisperForConditionalGeneration.from_pretrained(
            model.path, dtype=dtype, attn_implementation="sdpa", local_files_only=True
        ).to(device)  # type: ignore[arg-type]  # transformers types .to() through a decorator
        self.pipe = pipeline(
            "automatic-speech-recognition", model=self.model, tokenizer=self.processor.tokenizer,
            feature_extractor=self.processor.feature_extractor, device=device, dtype=dtype,
        )  # fmt: skip

    def languages(self) -> frozenset[str]:
        lang_to_id = getattr(self.model.generation_config, "lang_to_id", None) or {}
        return frozenset(token.strip("<|>") for token in lang_to_id) or frozenset({"en"})

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        features = self.processor(
            samples[: CHUNK_S * 16_000], sampling_rate=16_000, return_tensors="pt"
        ).input_features.to(self.model.device, self.model.dtype)
        with torch.inference_mode():
            encoded = self.model.get_encoder()(features)
            start = torch.tensor([[self.model.generation_config.decoder_start_token_id]])
            start = start.to(features.device)
            logits = self.model(encoder_outputs=encoded, decoder_input_ids=start).logits[0, -1]
        lang_to_id = self.model.generation_config.lang_to_id
        ids = torch.tensor(list(lang_to_id.values()))
        probabilities = logits[ids].float().softmax(-1)
        best = int(probabilities.argmax())
        return list(lang_to_id)[best].strip("<|>"), float(probabilities[best])

    def transcribe(
        self, samples: np.ndarray, language: str, options: DecodeOptions, task: Task = "transcribe"
    ) -> list[TranscriptSegment]:
        output: dict[str, Any] = self.pipe(  # type: ignore[assignment]  # one input, one dict
            samples.copy(), return_timestamps="word", chunk_length_s=CHUNK_S,
            batch_size=options.batch_size,
            generate_kwargs={
                "language": language, "task": task, "num_beams": options.beam_size,
            },
        )  # fmt: skip
        return segments_from_words(_words(output["chunks"], len(samples) / 16_000))


def _words(chunks: list[dict[str, Any]], duration: float) -> list[TranscribedWord]:
    words: list[TranscribedWord] = []
    for chunk in chunks:
        start, end = chunk["timestamp"]
        if start is None or start >= duration:
            continue  # past the end: the last chunk is padded to 30 s
        end = min(duration, end if end is not None else duration)
        word = timed_word(chunk["text"], start, end, None, first=not words)
        if word is not None:
            words.append(word)
    return words
