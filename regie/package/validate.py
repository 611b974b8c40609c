"""The package validator: what RFC 8216, DASH-IF and a careful player require, before release.

It reads a package through two callables (``read`` a file's bytes, ``size`` of a file, by name
relative to the release) so it checks the transcode's local folder and the work store alike.
Every rule gives a finding (a sentence naming the file and what is wrong); the publish stage
refuses a package with any finding. Bit rates are measured from the segments' sizes and
durations, the start of audio and video from the init segments' edit lists and first fragments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree import ElementTree as ET

import m3u8

from regie.errors import PermanentError
from regie.package.dash import NS, ROLE_SCHEME, max_segment_s
from regie.package.isobmff import fragments, track_header

Reader = Callable[[str], bytes]
Sizer = Callable[[str], int]
AAC_PRIMING = 1024  # samples every AAC-LC encoder puts before the programme (ffmpeg's aac, fdk)
MASTER, MPD = "master.m3u8", "manifest.mpd"


@dataclass(frozen=True)
class Expected:
    """What this package must offer, from the stages that fed it."""

    audio_language: str | None = None
    text_languages: tuple[str, ...] = ()


def require_valid(read: Reader, size: Sizer, expected: Expected, asset: str) -> None:
    """Raise a PermanentError listing every finding; return when the package is clean."""
    findings = check_package(read, size, expected)
    if findings:
        listed = "; ".join(findings[:8]) + (
            f" (and {len(findings) - 8} more)" * (len(findings) > 8)
        )
        raise PermanentError(asset, f"the package does not validate: {listed}")


def check_package(read: Reader, size: Sizer, expected: Expected) -> list[str]:
    """Every finding on the package's HLS and DASH manifests and their media."""
    master = m3u8.loads(read(MASTER).decode())
    mpd = ET.fromstring(read(MPD))
    return [
        *check_master(master, read, size, expected),
        *check_mpd(mpd, size, expected),
        *check_start(master, read),
    ]


def check_master(master: m3u8.M3U8, read: Reader, size: Sizer, expected: Expected) -> list[str]:
    """RFC 8216 rules on the master and its media playlists."""
    findings = [] if master.is_independent_segments else [
        f"{MASTER} lacks EXT-X-INDEPENDENT-SEGMENTS"]  # fmt: skip
    playlists = {uri: m3u8.loads(read(uri).decode()) for uri in _media_uris(master)}
    audio = [m for m in master.media if m.type == "AUDIO"]
    audio_peak = max((_peak(m.uri, playlists[m.uri], size) for m in audio), default=0)
    iframe_sizes = {p.iframe_stream_info.resolution for p in master.iframe_playlists}
    for variant in master.playlists:
        info = variant.stream_info
        peak = _peak(variant.uri, playlists[variant.uri], size) + audio_peak
        if info.bandwidth < peak:
            findings.append(f"{variant.uri}: BANDWIDTH {info.bandwidth} is below the measured "
                            f"peak {peak} (video and audio segments)")  # fmt: skip
        if info.average_bandwidth is None:
            findings.append(f"{variant.uri}: no AVERAGE-BANDWIDTH")
        if info.resolution not in iframe_sizes:
            findings.append(f"{variant.uri}: no I-frame playlist at {info.resolution}")
    for uri, playlist in playlists.items():
        findings += _check_media_playlist(uri, playlist, size)
    findings += _check_audio_media(audio, expected)
    findings += _check_subtitles(master, read, expected)
    return findings


def check_mpd(mpd: ET.Element, size: Sizer, expected: Expected) -> list[str]:
    """DASH rules: honest maxSegmentDuration and bitstreamSwitching, languages, text tracks."""
    findings = []
    declared = _seconds(mpd.get("maxSegmentDuration", "PT0S"))
    if declared + 1e-3 < max_segment_s(mpd):
        findings.append(f"{MPD}: maxSegmentDuration {declared} s is below the longest segment "
                        f"{max_segment_s(mpd):.3f} s")  # fmt: skip
    sets = list(mpd.iter(_q("AdaptationSet")))
    for adaptation in sets:
        inits = {t.get("initialization") for t in adaptation.iter(_q("SegmentTemplate"))}
        reps = len(adaptation.findall(_q("Representation")))
        if (
            adaptation.get("bitstreamSwitching") == "true"
            and reps > 1
            and any("$RepresentationID$" in (i or "") for i in inits)
        ):
            where = f"{MPD}: bitstreamSwitching on AdaptationSet {adaptation.get('id')}"
            findings.append(f"{where} whose Representations differ in init")
    audio = [a for a in sets if a.get("contentType") == "audio"]
    for index, adaptation in enumerate(audio):  # other audio versions: their own language
        speaks = expected if index == 0 else Expected()
        findings += _language_findings(f"{MPD} audio", adaptation.get("lang"), speaks)
    texts = [a for a in sets if a.get("contentType") == "text"]
    for adaptation in texts:
        findings += _check_text_set(adaptation, size)
    offered = {a.get("lang") for a in texts}
    findings += [f"{MPD}: no text AdaptationSet in {lang}" for lang in expected.text_languages
                 if lang not in offered]  # fmt: skip
    return findings


def check_start(master: m3u8.M3U8, read: Reader) -> list[str]:
    """Audio and video start together: video at 0, AAC priming cut by an edit list."""
    findings = []
    video = master.playlists[0].uri if master.playlists else None
    audio = next((m.uri for m in master.media if m.type == "AUDIO"), None)
    for uri, kind in ((video, "video"), (audio, "audio")):
        if uri is None:
            continue
        playlist = m3u8.loads(read(uri).decode())
        header = track_header(read(_beside(uri, playlist.segment_map[0].uri)))
        first = fragments(read(_beside(uri, playlist.segments[0].uri)))[0]
        earliest = min(begin for begin, _ in first.presentation_spans())
        if kind == "video" and abs(earliest - header.edit_media_time) > header.timescale / 1000:
            start = (earliest - header.edit_media_time) / header.timescale
            findings.append(f"{uri}: the first picture is presented at {start:.3f} s, not 0")
        skipped = header.edit_media_time - first.decode_time
        if kind == "audio" and skipped < AAC_PRIMING:
            late_ms = (AAC_PRIMING - skipped) / header.timescale * 1000
            findings.append(
                f"{uri}: the AAC priming ({AAC_PRIMING} samples) is presented at t=0: "
                f"no edit list skips it (audio late by {late_ms:.1f} ms)"
            )
    return findings


def _check_media_playlist(uri: str, playlist: m3u8.M3U8, size: Sizer) -> list[str]:
    findings = []
    if playlist.playlist_type != "vod" or not playlist.is_endlist:
        findings.append(f"{uri}: not a finished VOD playlist")
    longest = max((s.duration for s in playlist.segments), default=0)
    if round(longest) > (playlist.target_duration or 0):
        findings.append(f"{uri}: a segment of {longest:.3f} s exceeds EXT-X-TARGETDURATION")
    if playlist.is_i_frames_only:
        for segment in playlist.segments:
            offset, length = _byterange(segment.byterange)
            if offset + length > size(_beside(uri, segment.uri)):
                findings.append(f"{uri}: byte range past the end of {segment.uri}")
    return findings


def _check_audio_media(audio: Sequence[m3u8.Media], expected: Expected) -> list[str]:
    findings = []
    for index, media in enumerate(audio):  # other audio versions: their own language
        speaks = expected if index == 0 else Expected()
        findings += _language_findings(f"{MASTER} audio", media.language, speaks)
        if not media.channels:
            findings.append(f"{MASTER}: audio rendition {media.name!r} has no CHANNELS")
    return findings


def _check_subtitles(master: m3u8.M3U8, read: Reader, expected: Expected) -> list[str]:
    findings = []
    texts = [m for m in master.media if m.type == "SUBTITLES"]
    for media in texts:
        if not (media.language and media.name and media.autoselect):
            findings.append(f"{media.uri}: SUBTITLES rendition without LANGUAGE/NAME/AUTOSELECT")
        playlist = m3u8.loads(read(media.uri).decode())
        for segment in playlist.segments:
            text = read(_beside(media.uri, segment.uri)).decode("utf-8")
            if not text.startswith("WEBVTT") or "X-TIMESTAMP-MAP=" not in text.split("\n\n")[0]:
                findings.append(f"{segment.uri}: not WebVTT with X-TIMESTAMP-MAP in its header")
    offered = {m.language for m in texts}
    findings += [f"{MASTER}: no SUBTITLES rendition in {lang}" for lang in expected.text_languages
                 if lang not in offered]  # fmt: skip
    groups = {m.group_id for m in texts}
    for variant in master.playlists:
        named = {m.group_id for m in variant.media if m.type == "SUBTITLES"}
        if groups and not named & groups:
            findings.append(f"{variant.uri}: names no SUBTITLES group")
    return findings


def _check_text_set(adaptation: ET.Element, size: Sizer) -> list[str]:
    findings, name = [], f"{MPD} text AdaptationSet {adaptation.get('id')}"
    roles = [r for r in adaptation.findall(_q("Role")) if r.get("schemeIdUri") == ROLE_SCHEME]
    if not adaptation.get("lang") or not roles or adaptation.find(_q("Label")) is None:
        findings.append(f"{name}: needs lang, a Role and a Label")
    for base in adaptation.iter(_q("BaseURL")):
        try:
            size(base.text or "")
        except FileNotFoundError:
            findings.append(f"{name}: {base.text} is not in the package")
    return findings


def _language_findings(where: str, language: str | None, expected: Expected) -> list[str]:
    if not language or language == "und":
        if expected.audio_language:
            return [
                f"{where}: language {language!r}, the transcript says {expected.audio_language}"
            ]
        return [] if language else [f"{where}: no language"]
    if expected.audio_language and language != expected.audio_language:
        return [f"{where}: language {language}, the transcript says {expected.audio_language}"]
    return []


def _peak(uri: str, playlist: m3u8.M3U8, size: Sizer) -> int:
    """Peak bit rate over the segments of a media playlist, from their sizes and durations."""
    rates = [size(_beside(uri, s.uri)) * 8 / s.duration
             for s in playlist.segments if s.duration]  # fmt: skip
    return math.ceil(max(rates, default=0.0))


def _media_uris(master: m3u8.M3U8) -> list[str]:
    uris = [p.uri for p in master.playlists] + [p.uri for p in master.iframe_playlists]
    return uris + [m.uri for m in master.media if m.uri]


def _beside(playlist_uri: str, name: str) -> str:
    return str(PurePosixPath(playlist_uri).parent / name)


def _byterange(text: str | None) -> tuple[int, int]:
    length, _, offset = (text or "0@0").partition("@")
    return int(offset or 0), int(length)


def _seconds(iso: str) -> float:
    body, total = iso.removeprefix("PT"), 0.0
    for unit, scale in (("H", 3600), ("M", 60), ("S", 1)):
        if unit in body:
            value, body = body.split(unit, 1)
            total += float(value) * scale
    return total


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"
