"""Swappable engines by name, one idiom for shot detectors, ASR backends and taggers.

A registry maps each name to ``"module:Class"``. The module is imported when the engine is first
asked for, so a heavy library (torch, whisper, transformers) is imported only by the backend that
needs it, and a library not installed is a clear error saying which extra to install. No import
for its side effect: the table is the registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from regie.errors import PermanentError

T = TypeVar("T")


@dataclass(frozen=True)
class Registry(Generic[T]):
    """The engines of one ``kind``, installed by the ``extra`` of the package (None: the core)."""

    kind: str
    entries: Mapping[str, str]
    extra: str | None = None

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def load(self, name: str, asset: str) -> Callable[..., T]:
        """The engine's class (or factory), for ``asset`` in the error messages.

        Raises:
            PermanentError: Unknown name, or its library not installed.
        """
        if name not in self.entries:
            known = ", ".join(self.entries)
            raise PermanentError(asset, f"unknown {self.kind} {name!r}", f"choose one of {known}")
        module_name, _, attribute = self.entries[name].partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            package = f"regie[{self.extra}]" if self.extra else "regie"
            raise PermanentError(
                asset, f"the {name} {self.kind} needs {error.name}",
                f"install Régie with what it needs: pip install '{package}'",
            ) from error  # fmt: skip
        engine: Callable[..., T] = getattr(module, attribute)
        return engine
