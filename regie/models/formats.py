"""What kind of model a file or folder holds, from the files it contains (no loading)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from regie.errors import PermanentError

ModelFormat = Literal[
    "openai-whisper", "ctranslate2", "transformers", "sentence-transformers", "sklearn"
]


def detect_format(path: Path) -> ModelFormat:
    """The format of the model at ``path``.

    Raises:
        PermanentError: Nothing at ``path`` that Régie knows how to load.
    """
    if path.is_file():
        if path.suffix == ".pt" and _is_whisper_checkpoint(path):
            return "openai-whisper"
        if path.suffix == ".joblib":
            return "sklearn"
    elif path.is_dir():
        names = {p.name for p in path.iterdir()}
        if {"model.bin", "config.json"} <= names:
            return "ctranslate2"
        if "modules.json" in names:
            return "sentence-transformers"
        if "config.json" in names and names & {"model.safetensors", "pytorch_model.bin"}:
            return "transformers"
    raise PermanentError(
        str(path),
        "not a model Régie can load",
        "expected an openai-whisper .pt checkpoint, a CTranslate2, transformers or "
        "sentence-transformers folder, or a scikit-learn .joblib",
    )


def _is_whisper_checkpoint(path: Path) -> bool:
    """openai-whisper checkpoints are torch zip archives holding ``dims`` and the weights."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        pickled = next((n for n in archive.namelist() if n.endswith("data.pkl")), None)
        if pickled is None:
            return False
        data = archive.read(pickled)
    # The keys are strings in the pickle: found without unpickling (and without torch).
    return b"dims" in data and b"model_state_dict" in data
