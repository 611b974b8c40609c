"""Pure parts of publishing: what a release holds, how it is served, safe keys, stable entries."""

from __future__ import annotations

import json
from fractions import Fraction
from xml.etree import ElementTree

import m3u8
import pytest

from regie.artefacts import NamedEntity, SegmentTags, TagSet
from regie.errors import PermanentError
from regie.package.review import _tags
from regie.publish.layout import CachePolicy, asset_slug, release_files, safe_key
from regie.publish.pointer import stable_master, stable_mpd
from regie.publish.purge import purge_request_body
from regie.publish.verify import check_stable_mpd
from regie.stage import OutputFile


def output(name: str, size: int = 10) -> OutputFile:
    return OutputFile(
        name=name, uri=f"file:///work/a/transcode/k/{name}", size=size, sha256="0" * 64
    )


def test_release_lists_media_first_with_types_and_cache_rules() -> None:
    files = release_files(
        [output("master.m3u8"), output("seg-0-00001.m4s"), output("init-0.mp4"),
         output("manifest.mpd"), output("thumbnails/thumbnails.vtt"), output("poster.jpg"),
         output("media_0.ssim-00.log")],
        CachePolicy(), "asset",
    )  # fmt: skip
    assert [(f.key, f.content_type, f.kind) for f in files] == [
        ("init-0.mp4", "video/mp4", "media"),
        ("poster.jpg", "image/jpeg", "media"),
        ("seg-0-00001.m4s", "video/iso.segment", "media"),
        ("thumbnails/thumbnails.vtt", "text/vtt", "media"),
        ("manifest.mpd", "application/dash+xml", "manifest"),
        ("master.m3u8", "application/vnd.apple.mpegurl", "manifest"),
    ]  # the SSIM log is not for viewers
    assert files[0].cache_control == "public, max-age=31536000, immutable"
    assert files[-1].cache_control == "public, max-age=5"


@pytest.mark.parametrize(
    "key",
    ["../other/master.m3u8", "/etc/passwd", "a/../../b", "seg\n1.m4s", "seg\x00.m4s", "a//b",
     "./x", "x" * 256, "a/" * 600 + "b", "win\\path"],
)  # fmt: skip
def test_unsafe_keys_are_refused_before_anything_is_written(key: str) -> None:
    with pytest.raises(PermanentError, match="refusing to publish key"):
        safe_key(key, "asset")
    with pytest.raises(PermanentError):
        release_files([output(key)], CachePolicy(), "asset")


def test_plain_keys_pass() -> None:
    assert safe_key("thumbnails/sprite-0001.jpg", "a") == "thumbnails/sprite-0001.jpg"


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Journal 20h (1998).mxf", "journal-20h-1998"), ("Été à Brest.mp4", "ete-a-brest"),
     ("../../x.mp4", "x"), ("...mp4", "asset")],
)  # fmt: skip
def test_slugs_are_readable_and_safe(name: str, slug: str) -> None:
    assert asset_slug(name) == slug


MASTER = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-MEDIA:URI="media_2.m3u8",TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio",DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=1008000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="group_A1"
media_0.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=458000,RESOLUTION=416x234,CODECS="avc1.64000d,mp4a.40.2",AUDIO="group_A1"
media_1.m3u8
"""

MPD = """<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8.0S">
	<ProgramInformation>
	</ProgramInformation>
	<Period id="0" start="PT0.0S"></Period>
</MPD>
"""


def test_stable_master_points_into_the_release() -> None:
    master = m3u8.loads(stable_master(MASTER, "7f92c093843ce81f"))
    assert [p.uri for p in master.playlists] == [
        "7f92c093843ce81f/media_0.m3u8", "7f92c093843ce81f/media_1.m3u8",
    ]  # fmt: skip
    assert [m.uri for m in master.media] == ["7f92c093843ce81f/media_2.m3u8"]
    assert master.playlists[0].stream_info.bandwidth == 1008000


def test_stable_mpd_gets_a_base_url_where_the_schema_places_it() -> None:
    root = ElementTree.fromstring(stable_mpd(MPD, "r1"))
    names = [child.tag.split("}")[1] for child in root]
    assert names == ["ProgramInformation", "BaseURL", "Period"]
    assert root[1].text == "r1/" and root.tag == "{urn:mpeg:dash:schema:mpd:2011}MPD"


def test_purge_request_names_absolute_paths() -> None:
    assert purge_request_body("pipe", ["programmes/a/current.json"]) == {
        "pipeline_id": "pipe", "assets": ["/programmes/a/current.json"],
    }  # fmt: skip


def test_stable_mpd_check_accepts_its_release_only() -> None:
    text = stable_mpd(MPD, "r1")
    check_stable_mpd(text, "r1", "asset")
    with pytest.raises(PermanentError, match=r"points to \['r1/'\], not r2/"):
        check_stable_mpd(text, "r2", "asset")
    with pytest.raises(PermanentError, match="not XML"):
        check_stable_mpd("<MPD", "r1", "asset")


def test_review_data_gives_the_page_times_as_numbers() -> None:
    """The page seeks to numbers: the artefacts' exact times are written as JSON numbers."""
    paris = NamedEntity(text="Paris", kind="LOC", score=0.9, ranges=[(Fraction(5, 2), "3.1")])
    part = SegmentTags(start=0, end=Fraction(1001, 200), topics=[], keywords=[], entities=[paris])
    tags = TagSet(asset_id="jt", language="fr", tagger="ensemble", topics=[], segments=[part],
                  entities=[paris])  # fmt: skip
    data = json.loads(json.dumps(_tags(tags)))
    assert data["entities"][0]["ranges"] == [[2.5, 3.1]]
    assert (data["segments"][0]["start"], data["segments"][0]["end"]) == (0, 5.005)
