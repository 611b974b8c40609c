"""The stable entry points of an asset, switched to a complete release last (pure builders).

Players and the CDN know one address per asset: ``<slug>/master.m3u8`` (HLS),
``<slug>/manifest.mpd`` (DASH) and ``<slug>/current.json`` (which release is live). They are
copies of the release's own master and MPD whose references are prefixed with the release folder
(a ``BaseURL`` in the MPD), and ``<slug>/review/index.html`` leads to the live release's review
page, so switching or rolling back rewrites four small objects and never touches a segment.
"""

from __future__ import annotations

import html
import io
import json
from datetime import datetime
from xml.etree import ElementTree

import m3u8
from pydantic import BaseModel, ConfigDict

MPD_NAMESPACE = "urn:mpeg:dash:schema:mpd:2011"
STABLE_HLS = "master.m3u8"
STABLE_DASH = "manifest.mpd"
POINTER = "current.json"
RELEASE_RECORD = "release.json"
STABLE_REVIEW = "review/index.html"


class Pointer(BaseModel):
    """What ``current.json`` says: the live release of an asset."""

    model_config = ConfigDict(frozen=True)

    asset: str
    release: str
    hls: str
    dash: str
    published_at: datetime


def stable_master(release_master: str, release: str) -> str:
    """The release's HLS master with every variant and rendition URI under ``release/``."""
    master = m3u8.loads(release_master)
    for variant in [*master.playlists, *master.iframe_playlists]:
        variant.uri = f"{release}/{variant.uri}"
    for media in master.media:
        if media.uri:
            media.uri = f"{release}/{media.uri}"
    return master.dumps()


def stable_mpd(release_mpd: str, release: str) -> str:
    """The release's MPD with a ``BaseURL`` into ``release/``, where the schema places it."""
    ElementTree.register_namespace("", MPD_NAMESPACE)
    root = ElementTree.fromstring(release_mpd)
    base = ElementTree.Element(f"{{{MPD_NAMESPACE}}}BaseURL")
    base.text = f"{release}/"
    leading = sum(1 for child in root if child.tag == f"{{{MPD_NAMESPACE}}}ProgramInformation")
    root.insert(leading, base)
    out = io.BytesIO()
    ElementTree.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue().decode()


def stable_review(release: str) -> str:
    """``<slug>/review/index.html``: the live release's review page, beside the stable manifests."""
    target = html.escape(f"../{release}/{STABLE_REVIEW}", quote=True)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}"><title>Review</title></head>'
        f'<body><a href="{target}">Review of the live release {html.escape(release)}</a>'
        "</body></html>\n"
    )


def stable_keys(prefix: str, slug: str) -> list[str]:
    """Object keys of an asset's stable entry points: what a CDN purge must name."""
    names = (POINTER, STABLE_HLS, STABLE_DASH, STABLE_REVIEW)
    return [f"{prefix}/{slug}/{name}" for name in names]


def pointer_json(pointer: Pointer) -> str:
    return json.dumps(pointer.model_dump(mode="json"), indent=2)
