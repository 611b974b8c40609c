"""Finishing the manifests of a freshly encoded CMAF package, in its local folder (impure).

Runs in the transcode stage, where the segments are on local disk: every segment is read once to
measure its duration, bit rate and I-frames; the media playlists, I-frame playlists, master and
MPD are then rewritten from those measurements (see :mod:`regie.package.hls` and
:mod:`regie.package.dash`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import m3u8

from regie.artefacts import AudioVersion
from regie.package import dash, hls
from regie.package.languages import language_name
from regie.package.tracks import TrackFacts, measure_track

IFRAME_PLAYLIST = "iframes_{}.m3u8"
ROLE_NAMES = {
    "original": "version originale", "international": "son international",
    "description": "audiodescription", "other": "autre version",
}  # fmt: skip


def finish_package(
    folder: Path,
    master_name: str,
    mpd_name: str,
    segment_s: float,
    language: str | None,
    thumbnails: dash.Thumbnails | None,
    versions: Sequence[AudioVersion] = (),
) -> None:
    """Rewrite the playlists, the master and the MPD of the package in ``folder``.

    Args:
        folder: The package.
        master_name: Its HLS master playlist.
        mpd_name: Its DASH MPD.
        segment_s: The target segment duration.
        language: The master's audio language tag, for versions that declare none.
        thumbnails: The sprite sheets, if any.
        versions: The audio versions in the order of the audio renditions, programme mix first.
    """
    master_path = folder / master_name
    master = m3u8.load(str(master_path))
    videos = [_measure(folder, variant.uri) for variant in master.playlists]
    audio_media = [m for m in master.media if m.type == "AUDIO"]
    audios = [_measure(folder, media.uri) for media in audio_media]
    iframe_names = []
    for index, (variant, video) in enumerate(zip(master.playlists, videos, strict=True)):
        (folder / variant.uri).write_text(hls.media_playlist(video, segment_s))
        iframe_names.append(IFRAME_PLAYLIST.format(index))
        (folder / iframe_names[-1]).write_text(hls.iframe_playlist(video))
    for media, audio in zip(audio_media, audios, strict=True):
        (folder / media.uri).write_text(hls.media_playlist(audio, segment_s))
    tracks = audio_tracks([m.uri for m in audio_media], versions, language)
    hls.name_tracks(master, tracks, [])
    hls.finish_master(master, videos, audios[0] if audios else None, iframe_names)
    master_path.write_text(master.dumps())
    if thumbnails is not None:
        sheets = [p.stat().st_size for p in folder.glob("thumbnails/sprite-*.jpg")]
        peak = math.ceil(max(sheets, default=0) * 8 / thumbnails.sheet_s)
        thumbnails = replace(thumbnails, bandwidth=max(peak, 1))
    mpd_path = folder / mpd_name
    mpd = dash.finish_mpd(mpd_path.read_text(), thumbnails)
    if tracks:
        mpd = dash.name_tracks(mpd, tracks[0].language, [])
        described = [t.characteristics == hls.DESCRIBES_VIDEO for t in tracks]
        mpd = dash.describe_audio(mpd, [t.language for t in tracks], described)
    mpd_path.write_text(mpd)


def audio_tracks(
    playlists: Sequence[str], versions: Sequence[AudioVersion], language: str | None
) -> list[hls.AudioTrack]:
    """How the master names each audio rendition: its language (in its own words) and, for
    versions other than the programme mix, its role; audio description marked for players."""
    tracks = []
    for index, playlist in enumerate(playlists):
        version = versions[index] if index < len(versions) else None
        code = (version.language if version else None) or language or "und"
        role = version.role if version else "programme"
        name = language_name(code) + (f" ({ROLE_NAMES[role]})" if role != "programme" else "")
        describes = hls.DESCRIBES_VIDEO if role == "description" else None
        tracks.append(hls.AudioTrack(playlist, code, name, 2, index == 0, describes))
    return tracks


def _measure(folder: Path, playlist_name: str) -> TrackFacts:
    playlist = m3u8.load(str(folder / playlist_name))
    init = playlist.segment_map[0].uri
    segments = [segment.uri for segment in playlist.segments]
    return measure_track(init, segments, lambda name: (folder / name).read_bytes())
