"""The sovereign model store: named models with checksums, imported once, cached locally."""

from regie.models.formats import detect_format
from regie.models.store import LocalModel, ModelEntry, ModelNotFoundError, ModelStore

__all__ = ["LocalModel", "ModelEntry", "ModelNotFoundError", "ModelStore", "detect_format"]
