"""The HLS side of a package: VOD media playlists, I-frame playlists and an honest master (pure).

ffmpeg's DASH muxer writes live-style playlists beside the MPD (wall-clock ``PROGRAM-DATE-TIME``,
nominal bitrates, no I-frame playlist). These builders rewrite them from measured
:class:`TrackFacts`: exact ``EXTINF`` from the samples, ``BANDWIDTH`` at least the peak segment
bit rate of the video plus the peak of its audio, ``EXT-X-INDEPENDENT-SEGMENTS`` (every segment
starts with an IDR), ``CHANNELS`` on the audio, and one I-frame playlist per video rendition
whose byte ranges cover a fragment header and its I-frame, so scrubbing fetches single pictures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import m3u8

from regie.package.tracks import TrackFacts

AUDIO_GROUP = "audio"
SUBTITLE_GROUP = "subs"
TRANSLATION_CHARACTERISTIC = "fr.regie.translation"  # a UTI of our own (RFC 8216 §4.3.4.1)


DESCRIBES_VIDEO = "public.accessibility.describes-video"  # audio description (Apple HLS)


@dataclass(frozen=True)
class AudioTrack:
    """One audio rendition as the master names it (the programme mix is the default)."""

    playlist: str
    language: str
    name: str
    channels: int
    default: bool = True
    characteristics: str | None = None


@dataclass(frozen=True)
class TextTrack:
    """One subtitle language: its media playlist and how players should offer it."""

    playlist: str
    language: str
    name: str
    default: bool = False
    translation: bool = False


def media_playlist(track: TrackFacts, segment_s: float) -> str:
    """A VOD media playlist for a CMAF track, with exact segment durations."""
    target = max(math.ceil(segment_s), *(round(s.duration_s) for s in track.segments))
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{target}",
             "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD",
             "#EXT-X-INDEPENDENT-SEGMENTS", f'#EXT-X-MAP:URI="{track.init}"']  # fmt: skip
    for segment in track.segments:
        lines += [f"#EXTINF:{segment.duration_s:.6f},", segment.uri]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def iframe_playlist(track: TrackFacts) -> str:
    """An I-frame playlist: each I-frame lasts until the next one (RFC 8216 §4.3.3.6)."""
    frames = [(segment, frame) for segment in track.segments for frame in segment.iframes]
    ends = [frame.start_s for _, frame in frames[1:]] + [track.duration_s]
    durations = [end - frame.start_s for (_, frame), end in zip(frames, ends, strict=True)]
    target = max(1, *(math.ceil(d) for d in durations))
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{target}",
             "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-I-FRAMES-ONLY",
             "#EXT-X-INDEPENDENT-SEGMENTS", f'#EXT-X-MAP:URI="{track.init}"']  # fmt: skip
    for (segment, frame), duration in zip(frames, durations, strict=True):
        lines += [f"#EXTINF:{duration:.6f},",
                  f"#EXT-X-BYTERANGE:{frame.length}@{frame.offset}", segment.uri]  # fmt: skip
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def iframe_peak_bps(track: TrackFacts) -> int:
    """Peak bit rate of the I-frame playlist: each I-frame's bytes over the time it stands for."""
    frames = [frame for segment in track.segments for frame in segment.iframes]
    ends = [frame.start_s for frame in frames[1:]] + [track.duration_s]
    rates = [f.length * 8 / (end - f.start_s) for f, end in zip(frames, ends, strict=True)
             if end > f.start_s]  # fmt: skip
    return math.ceil(max(rates, default=0.0))


def finish_master(
    master: m3u8.M3U8,
    videos: Sequence[TrackFacts],
    audio: TrackFacts | None,
    iframe_uris: Sequence[str],
) -> None:
    """Measured bandwidths, independent segments and I-frame variants, in place."""
    master.is_independent_segments = True
    audio_peak = audio.peak_bps if audio else 0
    audio_average = audio.average_bps if audio else 0
    master.iframe_playlists[:] = []
    for variant, video, iframes in zip(master.playlists, videos, iframe_uris, strict=True):
        info = variant.stream_info
        info.bandwidth = video.peak_bps + audio_peak
        info.average_bandwidth = video.average_bps + audio_average
        info.frame_rate = round(video.sample_rate, 3)
        codec = (info.codecs or "").split(",")[0]
        master.add_iframe_playlist(m3u8.IFramePlaylist(
            base_uri=None, uri=iframes,
            iframe_stream_info={"bandwidth": iframe_peak_bps(video), "codecs": codec,
                                "resolution": _resolution(info.resolution)},
        ))  # fmt: skip


def name_tracks(master: m3u8.M3U8, audio: Sequence[AudioTrack], texts: Sequence[TextTrack]) -> None:
    """Each audio rendition's name, language and channels (those ``audio`` names, by playlist;
    the others keep theirs), and a SUBTITLES group with one rendition per language."""
    master.media[:] = [m for m in master.media if m.type != "SUBTITLES"]
    named = {track.playlist: track for track in audio}
    for media in master.media:
        if media.type == "AUDIO" and (track := named.get(media.uri)) is not None:
            media.group_id, media.language, media.name = AUDIO_GROUP, track.language, track.name
            media.channels, media.autoselect = str(track.channels), "YES"
            media.default = "YES" if track.default else "NO"
            media.characteristics = track.characteristics
    for text in texts:
        master.add_media(m3u8.Media(
            uri=text.playlist, type="SUBTITLES", group_id=SUBTITLE_GROUP, language=text.language,
            name=text.name, default="YES" if text.default else "NO", autoselect="YES",
            characteristics=TRANSLATION_CHARACTERISTIC if text.translation else None,
        ))  # fmt: skip
    for variant in master.playlists:  # m3u8 writes AUDIO= and SUBTITLES= from these groups
        variant.media = [m for m in master.media if m.type in ("AUDIO", "SUBTITLES")]


def _resolution(size: tuple[int, int] | None) -> str | None:
    return f"{size[0]}x{size[1]}" if size else None
