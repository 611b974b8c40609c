"""French news into English for training the English heads: Apertium, offline.

The English news here (the BBC sample) has no health article and is twenty years old; the French
news (MasakhaNEWS' development split, BBC Afrique) has both. Translated, it teaches the English
sentence-embedding head (``regie.tagging.training``) what today's health or business news reads
like. Only training translates: text being tagged is read in its own language.

Apertium is rule-based (no neural model, thousands of words a second on one core) and Debian
packages it; it has no direct French-English pair, so the text goes through Spanish: ``fr-es``
(apertium-fr-es) then ``spa-eng`` (apertium-eng-spa). Words a pair does not know pass through
untranslated (``-u``: without Apertium's ``*`` marks), which keeps names and most technical words.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess

from regie.errors import PermanentError, ToolError
from regie.ffmpeg import run_tool

FRENCH_TO_ENGLISH = ("fr-es", "spa-eng")
PACKAGES = ("apertium", "apertium-fr-es", "apertium-eng-spa")
INSTALL_HINT = f"make apertium (apt-get install {' '.join(PACKAGES)})"
WHITESPACE = re.compile(r"\s+")


def translate_to_english(texts: list[str], asset: str = "translation") -> list[str]:
    """French ``texts`` in English, in order, one line each through the chain.

    Raises:
        PermanentError: Apertium or one of its language pairs is not installed.
        ToolError: Apertium failed, or gave back a different number of lines.
    """
    missing = set(FRENCH_TO_ENGLISH) - installed_modes()
    if missing:
        raise PermanentError(asset, f"Apertium modes {sorted(missing)} not installed", INSTALL_HINT)
    if not texts:
        return []
    lines = [WHITESPACE.sub(" ", text).strip() for text in texts]
    data = ("\n".join(lines) + "\n").encode()
    for mode in FRENCH_TO_ENGLISH:
        data = run_tool(["apertium", "-u", mode], asset, stdin=data).stdout
    translated = data.decode().removesuffix("\n").split("\n")  # a line per text, empty ones too
    if len(translated) != len(lines):
        raise ToolError(asset, ["apertium", *FRENCH_TO_ENGLISH],
                        f"{len(lines)} lines in, {len(translated)} out")  # fmt: skip
    return translated


def translator_identity() -> str:
    """The chain and the Debian package versions behind it, recorded with what it trained."""
    if shutil.which("dpkg-query") is None:
        return f"apertium {'+'.join(FRENCH_TO_ENGLISH)} (versions unknown)"
    query = ["dpkg-query", "-W", "-f", "${Package}=${Version} ", *PACKAGES]
    listed = subprocess.run(query, capture_output=True, text=True, check=False)
    return f"apertium {'+'.join(FRENCH_TO_ENGLISH)} ({listed.stdout.strip() or 'versions unknown'})"


@functools.cache
def installed_modes() -> frozenset[str]:
    if shutil.which("apertium") is None:
        return frozenset()
    listed = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return frozenset(listed.stdout.split())
