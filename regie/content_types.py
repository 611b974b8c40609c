"""The Content-Type of every file Régie writes for players, by suffix: one table for all stages.

The transcode stage stores its package with these types and the publish stage serves it with
them, so a playlist is ``application/vnd.apple.mpegurl`` in the work store and at the CDN alike.
"""

from __future__ import annotations

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt",
    ".ttml": "application/ttml+xml",
    ".srt": "application/x-subrip",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    # the review page and its vendored players (with their licences)
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".txt": "text/plain",
    ".md": "text/markdown",
}
