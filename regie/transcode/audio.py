"""Audio versions as ffmpeg-python streams: the tracks a version names, made stereo (pure).

Every version is assembled from its tracks wherever they lie: channels of one stream are picked
with one ``channelmap``; tracks spread over mono streams are picked one by one and joined. A stereo
version keeps L/R; a mono one keeps its one channel and a 5.1 one its layout until the encoder's
``-ac 2`` makes them stereo (both ears at -3 dB, or ffmpeg's standard downmix), so every published
audio rendition is stereo. A channel is never mapped twice in one graph: channelmap would hand
the same buffer out twice and the gain after it would be applied twice.
"""

from __future__ import annotations

from typing import Any

import ffmpeg

from regie.artefacts import AudioLayout, AudioVersion

LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}
DASH_ROLES = {
    "programme": "main", "original": "alternate", "international": "supplementary",
    "description": "alternate", "other": "alternate",
}  # fmt: skip


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


def version_metadata(versions: list[AudioVersion], first_output: int) -> dict[str, str]:
    """Output options giving each audio stream its DASH role and language (ffmpeg's dash muxer
    writes them as the AdaptationSet's ``Role`` and ``lang``).

    Args:
        versions: The audio versions, in output order.
        first_output: Output index of the first audio stream (after the video streams).
    """
    options: dict[str, str] = {}
    for index, version in enumerate(versions):
        options[f"metadata:s:a:{index}"] = f"role={DASH_ROLES[version.role]}"
        if version.language:  # one value per key: the same stream again, by its absolute index
            options[f"metadata:s:{first_output + index}"] = f"language={version.language}"
    return options
