"""A release's own files: the transcode package plus text tracks, named and validated (impure).

The transcode stage's segments are published as they are; its master and MPD are rewritten here
with what only the later stages know (the transcript's language, the subtitle tracks), and the
whole package is checked by :mod:`regie.package.validate` before anything is uploaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import m3u8

from regie.package import dash, hls
from regie.package.languages import language_name
from regie.package.validate import MASTER, MPD, Expected, require_valid
from regie.package.webvtt import TextTrackFiles


@dataclass(frozen=True)
class PackageFile:
    """A file of the release by its name in the release, with its size and how to read it."""

    name: str
    size: int
    read: Callable[[], bytes]


def named_manifests(
    files: dict[str, PackageFile], audio_language: str | None, texts: Sequence[TextTrackFiles]
) -> tuple[str, str]:
    """The master and MPD with the audio's language and the text tracks."""
    master = m3u8.loads(files[MASTER].read().decode())
    audio_uri = next((m.uri for m in master.media if m.type == "AUDIO"), None)
    language = audio_language or _declared_language(master)
    audio = []  # the programme mix (the first audio rendition) speaks the transcript's language
    if audio_uri is not None:
        audio = [hls.AudioTrack(audio_uri, language, language_name(language), channels=2)]
    hls.name_tracks(master, audio, [t.hls for t in texts])
    mpd = dash.name_tracks(files[MPD].read().decode(), language, [f for t in texts for f in t.dash])
    return master.dumps(), mpd


def validate_release(files: dict[str, PackageFile], expected: Expected, asset: str) -> None:
    """Refuse the release (PermanentError) when its package breaks a rule."""

    def read(name: str) -> bytes:
        if name not in files:
            raise FileNotFoundError(name)
        return files[name].read()

    def size(name: str) -> int:
        if name not in files:
            raise FileNotFoundError(name)
        return files[name].size

    require_valid(read, size, expected, asset)


def _declared_language(master: m3u8.M3U8) -> str:
    return next((m.language for m in master.media if m.type == "AUDIO" and m.language), "und")
