"""Serving a published asset from a ``file://`` origin over local HTTP, for its review page.

Players fetch manifests and segments with XHR, which browsers refuse on ``file://`` pages, so
``regie review`` serves the asset's folder on the loopback address with the same Content-Types
the CDN origin uses, and names the live release's review page. Byte ranges are honoured (I-frame
playlists address parts of segments).
"""

from __future__ import annotations

import json
import re
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

from regie.content_types import CONTENT_TYPES
from regie.errors import PermanentError
from regie.publish.pointer import POINTER

RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def review_path(folder: Path) -> str:
    """The review page's path under an asset folder (live release) or a release folder."""
    pointer = folder / POINTER
    if pointer.is_file():
        release = json.loads(pointer.read_text())["release"]
        if not (folder / release / "review" / "index.html").is_file():
            raise PermanentError(str(folder), f"release {release} has no review page")
        return f"{release}/review/index.html"
    if (folder / "review" / "index.html").is_file():
        return "review/index.html"
    raise PermanentError(str(folder), "neither a published asset nor a release folder")


class OriginHandler(SimpleHTTPRequestHandler):
    """Static files with the origin's Content-Types and single byte ranges, quietly."""

    # the base class declares an instance variable: mypy refuses ClassVar, ruff wants it
    extensions_map = {  # noqa: RUF012
        **SimpleHTTPRequestHandler.extensions_map,
        **CONTENT_TYPES,
    }

    def send_head(self) -> Any:  # what the base class returns: a file object or None
        match = RANGE.match(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if match is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start, end = int(match[1]), int(match[2] or size - 1)
        if start >= size:
            self.send_error(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            return None
        end = min(end, size - 1)
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Limited(handle, end - start + 1)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Limited:
    """A file object that reads at most ``left`` bytes (for copyfile)."""

    def __init__(self, handle: BinaryIO, left: int) -> None:
        self.handle, self.left = handle, left

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def origin_server(folder: Path, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server over ``folder`` (not started: call ``serve_forever``)."""
    return ThreadingHTTPServer((host, port), partial(OriginHandler, directory=str(folder)))
