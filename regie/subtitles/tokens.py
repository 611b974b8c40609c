"""Recognised words as a subtitle writes them (pure): the units a line or a cue may never split.

Whisper gives ``d`` + ``'accord`` and ``États`` + ``-Unis`` as two words, the second glued to the
first; a token is what stands between two spaces: the glued halves joined, a lone punctuation
mark attached to its word (an opening ``«`` to the word after it, the rest to the word before),
a French elided ``l'`` to the word it elides into. French typography (an option, on for French text)
puts a no-break space before ``; : ! ? » %`` and after ``«``, so the mark never starts a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

NBSP = "\u00a0"
OPENING = ("«", "(", "[", "\u201c", "¿", "¡", "\u2014", "\u2013")  # quotes, dashes
# French elided words: one written against the next word even if the model put a space between
_ELIDABLE = "c d j l m n s t qu jusqu lorsqu puisqu quoiqu"
ELIDED = frozenset(f"{word}{mark}" for word in _ELIDABLE.split() for mark in ("'", "\u2019"))
# (pattern, replacement) in order; ":" only before a space (not in 10:30), "?!" kept together
_FRENCH_SPACES = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<=[^\s\u00a0«?!])\s*([;!?])", NBSP + r"\1"),
        (r"(?<=[^\s\u00a0])\s*:(?=\s|$)", NBSP + ":"),
        (r"(?<=\d)\s*%", NBSP + "%"),
        (r"(?<=[^\s\u00a0])\s*»", NBSP + "»"),
        (r"«\s*(?=\S)", "«" + NBSP),
    )
)


class Word(BaseModel):
    """A recognised word with its times in milliseconds."""

    model_config = ConfigDict(frozen=True)

    text: str
    start_ms: int
    end_ms: int
    glued: bool = Field(False, description="Written against the word before, with no space.")


def written_tokens(words: Sequence[Word], french: bool) -> list[Word]:
    """Tokens of ``words``, each spanning the time of the words it joins."""
    tokens: list[Word] = []
    opening: list[Word] = []
    for word in words:
        text = word.text.strip()
        if not text:
            continue
        if _is_mark(text) and text.startswith(OPENING):
            opening.append(word)
        elif tokens and not opening and (word.glued or _is_mark(text) or _elides(tokens[-1])):
            tokens[-1] = _joined([tokens[-1], word])
        else:
            tokens.append(_joined([*opening, word]))
            opening = []
    if opening:  # a mark with no word after it belongs to the last word
        tokens = [*tokens[:-1], _joined(tokens[-1:] + opening)] if tokens else [_joined(opening)]
    return [_french(token) for token in tokens] if french else tokens


def french_typography(text: str) -> str:
    """No-break spaces where French typography wants them."""
    for pattern, replacement in _FRENCH_SPACES:
        text = pattern.sub(replacement, text)
    return text


def _is_mark(text: str) -> bool:
    return not any(char.isalnum() for char in text)


def _elides(token: Word) -> bool:
    return token.text.lower() in ELIDED


def _joined(parts: list[Word]) -> Word:
    return Word(text="".join(part.text.strip() for part in parts), start_ms=parts[0].start_ms,
                end_ms=max(part.end_ms for part in parts))  # fmt: skip


def _french(token: Word) -> Word:
    return token.model_copy(update={"text": french_typography(token.text)})
