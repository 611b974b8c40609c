"""After the switch, look at the release the way a player and the CDN will.

Through the origin's HTTP endpoint: the stable HLS master, every media, I-frame and subtitle
playlist it names (so every text segment too), the stable MPD and the sidecars it names, then a
HEAD of every object of the release (segments, init segments, subtitles, thumbnails, poster),
each checked for status, ``Content-Type`` and size. Every URI a playlist references must be one
of the release's objects. Without an HTTP endpoint (the embedded ``file://`` origin) the same
walk reads the store directly and checks presence and size.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from xml.etree import ElementTree

import httpx
import m3u8

from regie.errors import PermanentError, TransientError
from regie.publish.layout import ReleaseFile
from regie.publish.pointer import MPD_NAMESPACE, STABLE_DASH, STABLE_HLS
from regie.publish.upload import parallel
from regie.storage import Storage, join_url

TIMEOUT_S = 30


def verify_over_http(
    base_url: str, release: str, files: list[ReleaseFile], asset: str, workers: int
) -> int:
    """Check the published asset at ``base_url`` (the asset's folder); returns objects checked."""
    with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, limits=_limits(workers)) as http:
        master = _get(http, f"{base_url}/{STABLE_HLS}", asset).text
        mpd = _get(http, f"{base_url}/{STABLE_DASH}", asset).text
        check_stable_mpd(mpd, release, asset)
        check_mpd_references(mpd, files, asset)
        check_references(master, lambda u: _get(http, f"{base_url}/{u}", asset).text, release,
                         files, asset)  # fmt: skip

        def head(file: ReleaseFile) -> None:
            _check_head(http, f"{base_url}/{release}/{file.key}", file, asset)

        parallel(head, files, workers)
    return len(files) + 2


def verify_in_store(
    storage: Storage, asset_url: str, release: str, files: list[ReleaseFile]
) -> int:
    """The same walk on a store without an HTTP endpoint: presence and size of every object."""
    master = storage.read_bytes(join_url(asset_url, STABLE_HLS)).decode()
    mpd = storage.read_bytes(join_url(asset_url, STABLE_DASH)).decode()
    check_stable_mpd(mpd, release, asset_url)
    check_mpd_references(mpd, files, asset_url)

    def read(uri: str) -> str:
        return storage.read_bytes(join_url(asset_url, uri)).decode()

    check_references(master, read, release, files, asset_url)
    for file in files:
        size = storage.info(join_url(asset_url, release, file.key)).size
        if size != file.size:
            raise PermanentError(asset_url, f"{file.key} is {size} bytes, not {file.size}")
    return len(files) + 2


def check_stable_mpd(text: str, release: str, asset: str) -> None:
    """The stable MPD parses and its ``BaseURL`` leads into ``release``."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise PermanentError(asset, f"the stable DASH manifest is not XML ({error})") from error
    bases = [e.text for e in root.findall(f"{{{MPD_NAMESPACE}}}BaseURL")]  # the MPD's own
    if bases != [f"{release}/"]:
        raise PermanentError(asset, f"the stable DASH manifest points to {bases}, not {release}/")


def check_mpd_references(text: str, files: list[ReleaseFile], asset: str) -> None:
    """Every sidecar the stable MPD names (text tracks) is an object of the release."""
    root = ElementTree.fromstring(text)
    keys = {f.key for f in files}
    for period in root.iter(f"{{{MPD_NAMESPACE}}}Period"):
        for base in period.iter(f"{{{MPD_NAMESPACE}}}BaseURL"):
            if base.text not in keys:
                raise PermanentError(asset, f"the DASH manifest names {base.text}, not published")


def check_references(
    master: str, read: Callable[[str], str], release: str, files: list[ReleaseFile], asset: str
) -> None:
    """Every URI the HLS playlists reference is an object of the release."""
    expected = {f"{release}/{f.key}" for f in files}
    for uri in referenced_uris(master, read):
        if uri not in expected:
            raise PermanentError(asset, f"the HLS playlists reference {uri}, not published")


def referenced_uris(master_text: str, read: Callable[[str], str]) -> list[str]:
    """Every URI the master and its media playlists reference, relative to the asset folder."""
    master = m3u8.loads(master_text)
    playlists = [p.uri for p in [*master.playlists, *master.iframe_playlists]]
    playlists += [m.uri for m in master.media if m.uri]
    uris = list(playlists)
    for playlist_uri in playlists:
        folder = PurePosixPath(playlist_uri).parent
        media = m3u8.loads(read(playlist_uri))
        names = {s.uri for s in media.segments} | {m.uri for m in media.segment_map if m.uri}
        uris += [str(folder / name) for name in sorted(names)]
    return uris


def _get(http: httpx.Client, url: str, asset: str) -> httpx.Response:
    try:
        response = http.get(url)
    except httpx.TransportError as error:
        raise TransientError(asset, f"origin unreachable at {url} ({error})") from error
    _check_status(response, url, asset)
    return response


def _check_head(http: httpx.Client, url: str, file: ReleaseFile, asset: str) -> None:
    try:
        response = http.head(url)
    except httpx.TransportError as error:
        raise TransientError(asset, f"origin unreachable at {url} ({error})") from error
    _check_status(response, url, asset)
    served_type = response.headers.get("content-type", "").split(";")[0]
    size = int(response.headers.get("content-length", -1))
    if served_type != file.content_type or size != file.size:
        raise PermanentError(
            asset, f"{url} is served as {served_type!r}, {size} bytes; "
            f"expected {file.content_type!r}, {file.size} bytes",
        )  # fmt: skip


def _check_status(response: httpx.Response, url: str, asset: str) -> None:
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(asset, f"origin answered {response.status_code} for {url}")
    if response.status_code != 200:
        raise PermanentError(asset, f"origin answered {response.status_code} for {url}")


def _limits(workers: int) -> httpx.Limits:
    return httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
