"""The Transcriber interface, its registry and what every backend shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from regie.asr.audio import SAMPLE_RATE
from regie.asr.transcript import Task, TranscribedWord, TranscriptSegment
from regie.errors import PermanentError
from regie.models import LocalModel
from regie.registry import Registry

BackendName = Literal["openai-whisper", "faster-whisper", "transformers"]
Device = Literal["auto", "cpu", "cuda"]
TRANSCRIBERS: Registry[Transcriber] = Registry(
    "ASR backend",
    {
        "openai-whisper": "regie.asr.backends.openai_whisper:OpenAIWhisper",
        "faster-whisper": "regie.asr.backends.faster_whisper:FasterWhisper",
        "transformers": "regie.asr.backends.hf_transformers:TransformersWhisper",
    },
    extra="asr",
)
MODEL_FORMAT = {  # the model store format each backend loads
    "openai-whisper": "openai-whisper", "faster-whisper": "ctranslate2",
    "transformers": "transformers",
}  # fmt: skip
BACKEND_FOR_FORMAT = {model_format: name for name, model_format in MODEL_FORMAT.items()}


class DecodeOptions(BaseModel):
    """Decoding settings every backend honours (``batch_size``: chunks decoded together)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    beam_size: int = 5
    batch_size: int = 8
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


class Transcriber(Protocol):
    """Turns 16 kHz mono samples into segments of timed words (times from the window's start)."""

    name: str

    def languages(self) -> frozenset[str]:
        """Language codes the model can transcribe."""
        ...

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        """Most likely spoken language in the first 30 s, and its probability."""
        ...

    def transcribe(
        self, samples: np.ndarray, language: str, options: DecodeOptions, task: Task = "transcribe"
    ) -> list[TranscriptSegment]:
        """Every segment of one chunk of speech (30 s at most), fully materialised, with word
        times; ``task="translate"`` gives English text from speech in ``language``."""
        ...

    def transcribe_chunks(
        self,
        samples: np.ndarray,
        chunks: Sequence[tuple[int, int]],
        language: str,
        options: DecodeOptions,
        task: Task = "transcribe",
    ) -> list[list[TranscriptSegment]]:
        """Each chunk ``[start, end)`` (in samples) of ``samples`` decoded on its own, as the
        backend does it best (in batches where it can); times from the start of ``samples``."""
        ...


class OneChunkAtATime:
    """``transcribe_chunks`` for a backend that decodes one chunk at a time."""

    def transcribe_chunks(
        self: Transcriber,
        samples: np.ndarray,
        chunks: Sequence[tuple[int, int]],
        language: str,
        options: DecodeOptions,
        task: Task = "transcribe",
    ) -> list[list[TranscriptSegment]]:
        return [
            [segment.shifted(start / SAMPLE_RATE)
             for segment in self.transcribe(samples[start:end], language, options, task)]
            for start, end in chunks
        ]  # fmt: skip


def timed_word(
    raw: str, start: float, end: float, probability: float | None, first: bool
) -> TranscribedWord | None:
    """A backend's word as Régie keeps it, or None for an empty one.

    Whisper's tokens carry the space before a word: one without it is glued to the word before
    (``'accord`` after ``d``, ``-Unis`` after ``États``), except at the start of a chunk.
    """
    text = raw.strip()
    if not text:
        return None
    glued = not first and not raw[:1].isspace()
    rounded = None if probability is None else round(probability, 4)
    return TranscribedWord(text=text, start=round(start, 3), end=round(max(start, end), 3),
                           probability=rounded, glued=glued)  # fmt: skip


def load_transcriber(backend: str, model: LocalModel, device: Device = "auto") -> Transcriber:
    """The backend ``backend`` loaded with ``model`` on ``device``.

    Raises:
        PermanentError: Unknown backend, a model in another format, or a library not installed.
    """
    model_format = MODEL_FORMAT.get(backend, model.format)  # an unknown backend: load says so
    if model.format != model_format:
        raise PermanentError(
            model.name,
            f"the {backend} backend loads {model_format} models, this one is {model.format}",
            f"use the {BACKEND_FOR_FORMAT.get(model.format, 'matching')} backend or another model",
        )
    return TRANSCRIBERS.load(backend, model.name)(model, resolve_device(device))


def resolve_device(device: Device) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
