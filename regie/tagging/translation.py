"""Machine translation between French and English for the taggers: Apertium, offline.

The English sentence encoder and the English news the classifier learns from do not read French,
and no French news is labelled here; translating French text into English first ("translate
test") lets them tag it. Apertium is rule-based (no neural model, thousands of words a second on
one core) and Debian packages it; it has no direct French-English pair, so the text goes through
Spanish: ``fr-es`` (apertium-fr-es) then ``spa-eng`` (apertium-eng-spa), and back the other way
for the English news the French head is trained on. Words a pair does not know pass through
untranslated (``-u``: without Apertium's ``*`` marks).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass

from regie.errors import ToolError
from regie.ffmpeg import run_tool

CHAINS: dict[tuple[str, str], tuple[str, ...]] = {
    ("fr", "en"): ("fr-es", "spa-eng"),
    ("en", "fr"): ("eng-spa", "es-fr"),  # rougher; only for training text (regie.tagging.training)
}
PACKAGES = ("apertium", "apertium-fr-es", "apertium-eng-spa")
INSTALL_HINT = f"apt-get install {' '.join(PACKAGES)}"
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Translator:
    """Apertium modes run one after the other, one text per line."""

    modes: tuple[str, ...]

    def translate(self, texts: list[str], asset: str = "translation") -> list[str]:
        """``texts`` translated, in order.

        Raises:
            ToolError: Apertium failed, or gave back a different number of lines.
        """
        lines = [WHITESPACE.sub(" ", text).strip() for text in texts]
        data = ("\n".join(lines) + "\n").encode()
        for mode in self.modes:
            data = run_tool(["apertium", "-u", mode], asset, stdin=data).stdout
        translated = data.decode().rstrip("\n").split("\n")
        if len(translated) != len(lines):
            raise ToolError(asset, ["apertium", *self.modes],
                            f"{len(lines)} lines in, {len(translated)} out")  # fmt: skip
        return translated

    @property
    def identity(self) -> str:
        """The modes and the versions of the packages behind them, for stage keys."""
        return f"apertium {'+'.join(self.modes)} ({_package_versions()})"


def find_translator(source: str, target: str) -> Translator | None:
    """The Apertium chain from ``source`` to ``target`` when every mode is installed, else None."""
    modes = CHAINS.get((source, target))
    if modes is None or set(modes) - installed_modes():
        return None
    return Translator(modes)


@functools.cache
def installed_modes() -> frozenset[str]:
    if shutil.which("apertium") is None:
        return frozenset()
    listed = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return frozenset(listed.stdout.split())


@functools.cache
def _package_versions() -> str:
    if shutil.which("dpkg-query") is None:
        return "versions unknown"
    query = ["dpkg-query", "-W", "-f", "${Package}=${Version} ", *PACKAGES]
    listed = subprocess.run(query, capture_output=True, text=True, check=False)
    return listed.stdout.strip() or "versions unknown"
