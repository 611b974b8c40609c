"""Audio layouts: which tracks of a master are the programme mix and which its other versions.

Archive masters carry 2 to 16 mono tracks (1+2 the programme's stereo mix, then international
sound, other languages, audio description), one stereo stream, or 5.1. Tracks are numbered from 1
over every channel of every audio stream in order, as a broadcaster's track sheet counts them,
so "tracks 1+2" means the same on 8 mono streams and on one 4-channel D-10 stream. A layout is
``auto`` (recognise the common cases), a preset name, or a declaration such as
``1+2:programme:fra,3+4:original:eng,5:description:fra``. Resolution is pure.

A version's stream is assembled from its tracks wherever they lie (one ``channelmap`` for
channels of one stream; mono streams picked one by one and joined), for the ladder, the loudness
measurement and ASR alike. A stereo version keeps L/R; a mono one keeps its channel and a 5.1 one
its layout until the consumer's ``-ac`` makes them what it needs (the ladder: stereo, both ears at
-3 dB or ffmpeg's standard downmix). A channel is never mapped twice in one graph: channelmap
would hand the same buffer out twice and a gain after it would be applied twice.
"""

from __future__ import annotations

from typing import Any, get_args

import ffmpeg

from regie.artefacts import AudioLayout, AudioRole, AudioStream, AudioVersion
from regie.errors import PermanentError

PRESETS = {
    "stereo": "1+2:programme",
    "mono": "1:programme",
    "5.1": "1+2+3+4+5+6:programme",
}
LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}
VERSION_TRACKS = tuple(LAYOUTS)  # mono (both ears), stereo L/R, 5.1 (downmixed to stereo)
ROLES: tuple[str, ...] = get_args(AudioRole)


def resolve_layout(streams: list[AudioStream], spec: str, asset: str) -> AudioLayout | None:
    """The layout ``spec`` names, checked against the streams found; None without audio.

    Raises:
        PermanentError: The layout is malformed or needs tracks the master does not have.
    """
    channels = [(position, c) for position, s in enumerate(streams) for c in range(s.channels)]
    if not channels:
        if spec != "auto":
            raise _mismatch(asset, streams, spec, "the master has no audio track")
        return None
    if spec == "auto":
        name, versions = recognise(streams)
    else:
        name, versions = spec, parse_layout(PRESETS.get(spec, spec), asset)
    for version in versions:
        missing = [t for t in version.tracks if t > len(channels)]
        if missing:
            raise _mismatch(asset, streams, spec, f"track {missing[0]} does not exist")
    return AudioLayout(name=name, versions=versions, channels=channels)


def recognise(streams: list[AudioStream]) -> tuple[str, list[AudioVersion]]:
    """The common cases: 5.1 first, else tracks 1+2 (one stereo stream, or mono tracks), else
    the single mono track; further stereo streams are other versions with their language tag."""
    first = streams[0]
    language = first.language
    if first.channels == 6:
        surround = [*range(1, 7)]
        return "auto:5.1", [AudioVersion(role="programme", language=language, tracks=surround)]
    total = sum(s.channels for s in streams)
    if total == 1:
        return "auto:mono", [AudioVersion(role="programme", language=language, tracks=[1])]
    versions = [AudioVersion(role="programme", language=language, tracks=[1, 2])]
    if first.channels == 2 and all(s.channels == 2 for s in streams):
        versions += [
            AudioVersion(role="other", language=s.language, tracks=[2 * n + 1, 2 * n + 2])
            for n, s in enumerate(streams[1:], 1)
        ]
        return "auto:stereo-streams", versions
    return "auto:tracks-1+2", versions


def parse_layout(text: str, asset: str) -> list[AudioVersion]:
    """``tracks:role[:language]`` entries separated by commas; the first is the programme mix.

    Raises:
        PermanentError: An entry is malformed.
    """
    versions = []
    for entry in (e.strip() for e in text.split(",") if e.strip()):
        parts = entry.split(":")
        try:
            tracks = [int(t) for t in parts[0].split("+")]
        except ValueError:
            tracks = []
        role = parts[1] if len(parts) > 1 else "programme"
        distinct = len(set(tracks)) == len(tracks)
        if len(parts) > 3 or role not in ROLES or len(tracks) not in VERSION_TRACKS or not distinct:
            raise PermanentError(
                asset,
                f"audio layout entry {entry!r} is not tracks:role[:language]",
                f"1, 2 or 6 distinct tracks joined by '+', role one of {', '.join(ROLES)}",
            )
        language = parts[2] if len(parts) > 2 else None
        versions.append(AudioVersion(role=role, language=language, tracks=tracks))
    if not versions or versions[0].role != "programme":
        raise PermanentError(asset, f"audio layout {text!r} must start with the programme mix")
    return versions


def _mismatch(asset: str, streams: list[AudioStream], spec: str, why: str) -> PermanentError:
    found = ", ".join(f"#{s.index} {s.codec} {s.channels} ch" for s in streams) or "none"
    return PermanentError(
        asset,
        f"audio layout {spec!r} does not match the master: {why} (audio streams found: {found})",
        "pick a layout that fits the master's tracks, or 'auto'",
    )


def version_stream(source: Any, version: AudioVersion, layout: AudioLayout) -> Any:
    """The stream of ``version`` (its 1, 2 or 6 tracks in order), from ``source``."""
    places = [layout.channels[track - 1] for track in version.tracks]
    streams = {stream for stream, _ in places}
    if len(streams) == 1:
        (stream,) = streams
        return _pick(source[f"a:{stream}"], [c for _, c in places], LAYOUTS[len(places)])
    monos = [_pick(source[f"a:{s}"], [c], "mono") for s, c in places]
    return ffmpeg.filter(monos, "join", inputs=len(monos), channel_layout=LAYOUTS[len(monos)])


def _pick(stream: Any, channels: list[int], shape: str) -> Any:
    """Channels of one stream, in order, as a ``shape`` layout (channelmap: no '=' to escape)."""
    return stream.filter("channelmap", map="|".join(map(str, channels)), channel_layout=shape)
