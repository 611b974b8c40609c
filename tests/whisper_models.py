"""Tiny randomly initialised Whisper models in each backend's format, for tests without weights.

The weights are random, so the words are nonsense, but the loading, decoding, word alignment and
windowing code that runs on them is the real one. The tokenizer is Whisper's own (shipped with
openai-whisper as a tiktoken file), converted for transformers and CTranslate2.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch

N_LANGUAGES = 99
TEXT_CTX = 448
SEED = 4  # with this seed the openai-whisper model utters words on the FLEURS clips


def openai_checkpoint(target: Path) -> Path:
    """A ``{"dims", "model_state_dict"}`` checkpoint, the format of openai-whisper's downloads."""
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(SEED)
    dims = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=2,
        n_vocab=51865, n_text_ctx=TEXT_CTX, n_text_state=64, n_text_head=2, n_text_layer=2,
    )  # fmt: skip
    model = Whisper(dims)
    # openai-whisper leaves the decoder's positional embedding as torch.empty (its checkpoints
    # fill it): uninitialised memory made the random model's outputs NaN now and then.
    torch.nn.init.normal_(model.decoder.positional_embedding, std=0.02)
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, target)
    return target


def transformers_folder(target: Path) -> Path:
    """A ``WhisperForConditionalGeneration`` folder with processor and generation config."""
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
    )

    tokenizer = _whisper_tokenizer()
    torch.manual_seed(SEED)
    config = WhisperConfig(
        vocab_size=51865, num_mel_bins=80, d_model=64, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=256,
        decoder_ffn_dim=256, max_source_positions=1500, max_target_positions=TEXT_CTX,
        decoder_start_token_id=tokenizer.sot, pad_token_id=tokenizer.eot,
        bos_token_id=tokenizer.eot, eos_token_id=tokenizer.eot,
    )  # fmt: skip
    model = WhisperForConditionalGeneration(config)
    model.generation_config = GenerationConfig(**_generation_settings(tokenizer))
    model.save_pretrained(target)
    WhisperFeatureExtractor(feature_size=80).save_pretrained(target)
    _hf_tokenizer(tokenizer, target).save_pretrained(target)
    return target


def ctranslate2_folder(hf_folder: Path, target: Path) -> Path:
    """The transformers model converted for faster-whisper, int8, tokenizer included."""
    from ctranslate2.converters import TransformersConverter

    copy = ["tokenizer.json", "preprocessor_config.json"]
    TransformersConverter(str(hf_folder), copy_files=copy).convert(str(target), quantization="int8")
    return target


def _whisper_tokenizer():
    from whisper.tokenizer import get_tokenizer

    return get_tokenizer(multilingual=True, num_languages=N_LANGUAGES)


def _hf_tokenizer(tokenizer, folder: Path):
    import whisper
    from transformers import WhisperTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    vocabulary = folder / "whisper.tiktoken"
    shutil.copy(Path(whisper.__file__).parent / "assets" / "multilingual.tiktoken", vocabulary)
    encoding = tokenizer.encoding
    converted = TikTokenConverter(
        vocab_file=str(vocabulary), pattern=encoding._pat_str,
        extra_special_tokens=encoding._special_tokens,
    ).converted()  # fmt: skip
    converted.save(str(folder / "tokenizer.json"))
    vocabulary.unlink()
    special = "<|endoftext|>"
    return WhisperTokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"),
        unk_token=special, bos_token=special, eos_token=special, pad_token=special,
    )  # fmt: skip


def _generation_settings(tokenizer) -> dict:
    from whisper.tokenizer import LANGUAGES

    codes = list(LANGUAGES)[:N_LANGUAGES]
    return {
        "decoder_start_token_id": tokenizer.sot, "eos_token_id": tokenizer.eot,
        "pad_token_id": tokenizer.eot, "bos_token_id": tokenizer.eot, "max_length": TEXT_CTX,
        "is_multilingual": True, "no_timestamps_token_id": tokenizer.no_timestamps,
        "lang_to_id": {f"<|{c}|>": tokenizer.encoding.encode_single_token(f"<|{c}|>")
                       for c in codes},
        "task_to_id": {"transcribe": tokenizer.transcribe, "translate": tokenizer.translate},
        "alignment_heads": [[1, 0], [1, 1]], "begin_suppress_tokens": [220, tokenizer.eot],
        "suppress_tokens": list(tokenizer.non_speech_tokens), "max_initial_timestamp_index": 50,
        "prev_sot_token_id": tokenizer.sot_prev,
    }  # fmt: skip
