"""Finishing the HLS playlists ffmpeg's DASH muxer writes beside the MPD.

The muxer's playlists are live-style: wall-clock ``PROGRAM-DATE-TIME`` tags, no playlist type and
nominal bitrates in the master. A VOD package needs ``EXT-X-PLAYLIST-TYPE:VOD``, the peak and
average bandwidth of each variant and its frame rate (Apple's authoring specification), so the
playlists are parsed with ``m3u8``, corrected and written back.
"""

from __future__ import annotations

from pathlib import Path

import m3u8

from regie.artefacts import Rendition


def finish_playlists(
    master_path: Path, renditions: list[Rendition], audio_kbps: int | None, language: str | None
) -> None:
    """Rewrite the master and its media playlists as VOD playlists with accurate attributes."""
    master = m3u8.load(str(master_path))
    audio_bps = (audio_kbps or 0) * 1000
    for variant, rendition in zip(master.playlists, renditions, strict=True):
        info = variant.stream_info
        info.bandwidth = rendition.maxrate_kbps * 1000 + audio_bps
        info.average_bandwidth = rendition.bitrate_kbps * 1000 + audio_bps
        info.frame_rate = round(float(rendition.frame_rate), 3)
        _finish_media(master_path.parent / variant.uri)
    for media in master.media:
        media.name = "audio"
        media.language = language
        _finish_media(master_path.parent / media.uri)
    master.dump(str(master_path))


def _finish_media(path: Path) -> None:
    playlist = m3u8.load(str(path))
    playlist.playlist_type = "vod"
    for segment in playlist.segments:
        segment.program_date_time = None
        segment.current_program_date_time = None
    playlist.dump(str(path))
