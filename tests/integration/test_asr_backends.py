"""One contract over the three ASR backends, each loading a tiny random Whisper from the store.

The weights are random, so the words are nonsense; what is checked is the real loading, decoding,
word alignment and the shape every backend must give: words inside the audio, in order, inside
their segment, in the language asked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regie.asr.audio import read_windows
from regie.asr.backends import DecodeOptions, load_transcriber
from regie.errors import PermanentError
from regie.models import ModelStore

GREEDY = DecodeOptions(beam_size=1, temperatures=(0.0,))
BACKENDS = {
    "openai-whisper": "tiny-openai",
    "faster-whisper": "tiny-ct2",
    "transformers": "tiny-hf",
}


@pytest.fixture(scope="module")
def jfk(shared_data: Path):  # type: ignore[no-untyped-def]
    (window,) = read_windows(shared_data / "speech" / "jfk.flac", "jfk")
    return window.samples


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_gives_ordered_words_inside_the_audio(
    backend: str, whisper_store: ModelStore, jfk
) -> None:  # type: ignore[no-untyped-def]
    transcriber = load_transcriber(backend, whisper_store.resolve(BACKENDS[backend]), "cpu")
    assert {"fr", "en", "de"} <= transcriber.languages()
    language, probability = transcriber.detect_language(jfk)
    assert language in transcriber.languages() and 0 < probability <= 1
    segments = transcriber.transcribe(jfk, "en", GREEDY)
    words = [word for segment in segments for word in segment.words]
    assert words, "this seed's model utters words on jfk.flac"
    duration = len(jfk) / 16_000
    for segment in segments:
        assert segment.words and segment.start <= segment.words[0].start + 0.02
        for word in segment.words:
            assert 0 <= word.start <= word.end <= duration + 0.02 and word.text == word.text.strip()
    starts = [word.start for word in words]
    assert starts == sorted(starts)


def test_a_model_in_another_format_is_refused_with_the_right_backend_named(
    whisper_store: ModelStore,
) -> None:
    with pytest.raises(PermanentError, match="use the faster-whisper backend"):
        load_transcriber("openai-whisper", whisper_store.resolve("tiny-ct2"), "cpu")
