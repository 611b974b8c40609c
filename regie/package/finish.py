"""Finishing the manifests of a freshly encoded CMAF package, in its local folder (impure).

Runs in the transcode stage, where the segments are on local disk: every segment is read once to
measure its duration, bit rate and I-frames; the media playlists, I-frame playlists, master and
MPD are then rewritten from those measurements (see :mod:`regie.package.hls` and
:mod:`regie.package.dash`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import m3u8

from regie.package import dash, hls
from regie.package.languages import language_name
from regie.package.tracks import TrackFacts, measure_track

IFRAME_PLAYLIST = "iframes_{}.m3u8"


def finish_package(
    folder: Path,
    master_name: str,
    mpd_name: str,
    segment_s: float,
    language: str | None,
    thumbnails: dash.Thumbnails | None,
) -> None:
    """Rewrite the playlists, the master and the MPD of the package in ``folder``."""
    master_path = folder / master_name
    master = m3u8.load(str(master_path))
    videos = [_measure(folder, variant.uri) for variant in master.playlists]
    audio_media = next((m for m in master.media if m.type == "AUDIO"), None)
    audio = _measure(folder, audio_media.uri) if audio_media else None
    iframe_names = []
    for index, (variant, video) in enumerate(zip(master.playlists, videos, strict=True)):
        (folder / variant.uri).write_text(hls.media_playlist(video, segment_s))
        iframe_names.append(IFRAME_PLAYLIST.format(index))
        (folder / iframe_names[-1]).write_text(hls.iframe_playlist(video))
    if audio is not None and audio_media is not None:
        (folder / audio_media.uri).write_text(hls.media_playlist(audio, segment_s))
        code = language or "und"
        track = hls.AudioTrack(audio_media.uri, code, language_name(code), channels=2)
        hls.name_tracks(master, track, [])
    hls.finish_master(master, videos, audio, iframe_names)
    master_path.write_text(master.dumps())
    if thumbnails is not None:
        sheets = [p.stat().st_size for p in folder.glob("thumbnails/sprite-*.jpg")]
        peak = math.ceil(max(sheets, default=0) * 8 / thumbnails.sheet_s)
        thumbnails = replace(thumbnails, bandwidth=max(peak, 1))
    mpd_path = folder / mpd_name
    mpd = dash.finish_mpd(mpd_path.read_text(), thumbnails)
    mpd_path.write_text(dash.name_tracks(mpd, language or "und", []) if audio else mpd)


def _measure(folder: Path, playlist_name: str) -> TrackFacts:
    playlist = m3u8.load(str(folder / playlist_name))
    init = playlist.segment_map[0].uri
    segments = [segment.uri for segment in playlist.segments]
    return measure_track(init, segments, lambda name: (folder / name).read_bytes())
