"""Language names as a menu shows them: each language in its own words (ISO 639-1 codes)."""

from __future__ import annotations

NATIVE_NAMES = {
    "fr": "Français", "en": "English", "de": "Deutsch", "es": "Español", "it": "Italiano",
    "pt": "Português", "nl": "Nederlands", "ar": "العربية", "br": "Brezhoneg", "oc": "Occitan",
    "ca": "Català", "eu": "Euskara", "co": "Corsu", "und": "Undetermined",
}  # fmt: skip


def language_name(code: str, translated: bool = False) -> str:
    """``fr`` -> ``Français``; ``en`` translated -> ``English (translation)``."""
    name = NATIVE_NAMES.get(code, code)
    return f"{name} (translation)" if translated else name
