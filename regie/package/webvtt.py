"""Subtitle files as stream tracks: segmented WebVTT for HLS, sidecars for DASH (pure).

HLS wants subtitles as a media playlist of WebVTT segments, each carrying an
``X-TIMESTAMP-MAP`` header that ties its cue times to the media timeline (RFC 8216 §3.5). The
package's media starts at presentation time 0 (the edit lists see to it), so cue times stay
absolute and the map is ``MPEGTS:0,LOCAL:00:00:00.000``. A cue that spans a segment boundary
appears in both segments, as players expect. DASH players read the whole file as a sidecar
Representation: the WebVTT and the EBU-TT-D (IMSC1 Text profile, ``im1t``) each get one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from regie.package.dash import TextFile
from regie.package.hls import TextTrack
from regie.package.languages import language_name
from regie.subtitles.writers import clock

TIMING = re.compile(r"^(\d{2,}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\.(\d{3})")
TIMESTAMP_MAP = "X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000"
FOLDER = "subtitles/{}"


@dataclass(frozen=True)
class VttCue:
    start_ms: int
    end_ms: int
    text: str  # the cue payload, lines joined by newlines, already WebVTT-escaped


@dataclass(frozen=True)
class Sidecar:
    """A subtitle file copied into the release as it is."""

    name: str
    source: str
    size: int
    mime_type: str


@dataclass(frozen=True)
class TextTrackFiles:
    """Everything one subtitle language adds to a release."""

    hls: TextTrack
    dash: tuple[TextFile, ...]
    written: dict[str, str]  # name in the release -> text (segments and playlist)
    sidecars: tuple[Sidecar, ...]


def parse_cues(vtt: str) -> list[VttCue]:
    """The cues of a WebVTT file (identifiers and settings dropped)."""
    cues = []
    for block in re.split(r"\n\s*\n", vtt.replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        timed = ((i, match) for i, line in enumerate(lines) if (match := TIMING.match(line)))
        at, timing = next(timed, (None, None))
        if at is None or timing is None:
            continue
        numbers = [int(n) for n in timing.groups()]
        start = _ms(*numbers[:4])
        end = _ms(*numbers[4:])
        cues.append(VttCue(start, end, "\n".join(lines[at + 1 :])))
    return cues


def segment_cues(cues: list[VttCue], duration_s: float, segment_s: int) -> list[str]:
    """One WebVTT document per ``segment_s`` of the programme, each with its timestamp map."""
    count = max(1, math.ceil(duration_s / segment_s))
    documents = []
    for index in range(count):
        start, end = index * segment_s * 1000, (index + 1) * segment_s * 1000
        inside = [c for c in cues if c.start_ms < end and c.end_ms > start]
        blocks = [f"{clock(c.start_ms)} --> {clock(c.end_ms)}\n{c.text}\n" for c in inside]
        documents.append("\n".join([f"WEBVTT\n{TIMESTAMP_MAP}\n", *blocks]))
    return documents


def subtitle_playlist(names: list[str], duration_s: float, segment_s: int) -> str:
    """The media playlist of a segmented WebVTT track."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{segment_s}",
             "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD"]  # fmt: skip
    for index, name in enumerate(names):
        length = min(segment_s, duration_s - index * segment_s)
        lines += [f"#EXTINF:{length:.3f},", name]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def text_track(
    language: str,
    translation: bool,
    vtt: Sidecar,
    vtt_text: str,
    others: tuple[Sidecar, ...],
    duration_s: float,
    segment_s: int,
) -> TextTrackFiles:
    """The HLS playlist and segments, and the DASH sidecars, of one subtitle language."""
    folder = FOLDER.format(language)
    documents = segment_cues(parse_cues(vtt_text), duration_s, segment_s)
    names = [f"seg-{index:05d}.vtt" for index in range(1, len(documents) + 1)]
    written = {f"{folder}/{n}": d for n, d in zip(names, documents, strict=True)}
    written[f"{folder}/subtitles.m3u8"] = subtitle_playlist(names, duration_s, segment_s)
    label = language_name(language, translation)
    hls_track = TextTrack(f"{folder}/subtitles.m3u8", language, label, translation=translation)
    dash_files = tuple(
        TextFile(
            uri=file.name, mime_type=file.mime_type, language=language,
            label=label if file is vtt else f"{label} (EBU-TT-D)", translation=translation,
            bandwidth=max(1, math.ceil(file.size * 8 / max(duration_s, 1))),
            codecs="im1t" if file.mime_type == "application/ttml+xml" else None,
        )
        for file in (vtt, *others)
        if file.mime_type in ("text/vtt", "application/ttml+xml")
    )  # fmt: skip
    return TextTrackFiles(hls_track, dash_files, written, (vtt, *others))


def _ms(hours: int, minutes: int, seconds: int, millis: int) -> int:
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
