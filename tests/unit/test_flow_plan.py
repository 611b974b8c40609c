"""The flow's pure parts: which stages a run needs, what groups hand back, what the UI shows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import get_args

import pytest

from flows.dag import GROUPS, STAGES, StageName, group_needs, plan_stages
from flows.process_asset import AssetOptions, not_applicable
from regie.artefacts import ShotList, TagSet
from regie.asset_run import AssetRun
from regie.models import ModelStore
from regie.stage import Manifest, Provenance
from regie.storage import S3Config, Storage
from regie.storage.links import BrowserLinks
from tasks.report import (
    artifact_key,
    asset_markdown,
    asset_tables,
    empty_reason,
    run_key,
    stage_rows,
)


@pytest.mark.parametrize(
    ("until", "stages", "planned"),
    [
        ("publish", None, ["fetch", "probe", "shots", "asr", "subtitles", "tagging",
                           "transcode", "translate", "subtitles-en", "publish"]),
        ("transcode", None, ["fetch", "probe", "shots", "asr", "subtitles", "tagging",
                             "transcode"]),
        ("probe", None, ["fetch", "probe"]),
        ("publish", ["subtitles"], ["fetch", "probe", "shots", "asr", "subtitles"]),
        ("publish", ["transcode"], ["fetch", "probe", "shots", "transcode"]),
        ("publish", ["publish"], ["fetch", "probe", "shots", "asr", "subtitles", "tagging",
                                  "transcode", "translate", "subtitles-en", "publish"]),
        ("publish", ["subtitles-en"], ["fetch", "probe", "shots", "translate", "subtitles-en"]),
        ("publish", ["asr"], ["fetch", "probe", "asr"]),
    ],
)  # fmt: skip
def test_a_run_plans_its_targets_and_what_they_need_in_dag_order(
    until: str, stages: list[str] | None, planned: list[str]
) -> None:
    assert plan_stages(until, stages) == planned  # type: ignore[arg-type]


def _run(**fields: object) -> AssetRun:
    return AssetRun(asset_id="jt-20h-0123456789ab", **fields)  # type: ignore[arg-type]


def test_stage_groups_merge_into_one_record_of_the_asset() -> None:
    analyse = _run(manifests={"fetch": "f", "probe": "p", "shots": "s"}, reused=["fetch"])
    speech = _run(
        manifests={"fetch": "f", "asr": "a"}, reused=["fetch", "asr"], skipped={"tagging": "x"}
    ).only(("asr", "subtitles", "tagging"))
    merged = analyse.merged(speech)
    assert merged.manifests == {"fetch": "f", "probe": "p", "shots": "s", "asr": "a"}
    assert merged.reused == ["fetch", "asr"] and merged.skipped == {"tagging": "x"}


def _shots_manifest() -> Manifest[ShotList]:
    moment = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    shots = ShotList.model_validate({
        "asset_id": "jt", "detector": "fast", "frame_count": 100, "frame_rate": "25",
        "shots": [
            {"index": 0, "first_frame": 0, "last_frame": 49, "start": "0", "end": "2"},
            {"index": 1, "first_frame": 50, "last_frame": 99, "start": "2", "end": "4"},
        ],
        "transitions": [], "contact_sheet": "s3://work/jt/shots/k/contact-sheet.jpg",
    })  # fmt: skip
    provenance = Provenance(
        started_at=moment, finished_at=moment, duration_s=1.234, written_to="s3", host="l4-node-1"
    )
    return Manifest[ShotList](
        stage="shots", stage_version="1", key="k", asset_id="jt", inputs={}, artefact=shots,
        provenance=provenance,
    )  # fmt: skip


SCALEWAY = S3Config(endpoint_url="https://s3.fr-par.scw.cloud", region="fr-par",
                    access_key_id="SCWKEY", secret_access_key="secret")  # fmt: skip
LINKS = BrowserLinks(
    Storage(SCALEWAY), (("s3://origin/programmes", "https://video.example.fr/programmes"),)
)


def test_report_lists_stages_with_timings_and_the_shots_table() -> None:
    run = _run(manifests={"shots": "s3://work/jt/shots/k/_manifest.json"}, reused=[],
               skipped={"asr": "model missing"})  # fmt: skip
    manifests = {"shots": _shots_manifest()}
    rows = stage_rows(run, manifests)
    assert rows[0] == {"stage": "shots", "status": "done", "seconds": 1.23, "host": "l4-node-1",
                       "manifest": "s3://work/jt/shots/k/_manifest.json"}  # fmt: skip
    assert rows[1] == {"stage": "asr", "status": "skipped: model missing"}
    shots = asset_tables(manifests, LINKS)["shots"]
    assert [(r["shot"], r["first_frame"], r["start_s"]) for r in shots] == [
        (0, 0, 0.0),
        (1, 50, 2.0),
    ]
    markdown = asset_markdown(run, manifests, LINKS)
    signed = "https://s3.fr-par.scw.cloud/work/jt/shots/k/"
    assert f"| shots | done | 1.23 | [manifest]({signed}_manifest.json?" in markdown
    assert f"![contact sheet]({signed}contact-sheet.jpg?" in markdown
    assert "X-Amz-Signature=" in markdown and "s3://" not in markdown


def test_the_tags_table_says_where_each_topic_applies() -> None:
    topic = {"qcode": "medtop:15000000", "uri": "http://cv.iptc.org/newscodes/mediatopic/15000000",
             "label_fr": "sport", "label_en": "sport", "level": 1, "score": 0.8,
             "method": "ensemble", "ranges": [[0.0, 61.5], ["90", "1001/10"]]}  # fmt: skip
    # an old manifest's JSON numbers and exact strings alike
    tags = TagSet.model_validate(
        {"asset_id": "jt", "language": "fr", "tagger": "ensemble", "topics": [topic],
         "segments": []}
    )  # fmt: skip
    manifest = Manifest[TagSet](
        stage="tagging", stage_version="3", key="k", asset_id="jt", inputs={}, artefact=tags,
        provenance=_shots_manifest().provenance,
    )  # fmt: skip
    assert asset_tables({"tagging": manifest}, LINKS)["tags"][0]["ranges"] == "0-62 s; 90-100 s"


def test_report_links_published_outputs_at_the_cdn_and_local_files_nowhere() -> None:
    run = _run(manifests={"shots": "file:///var/work/jt/shots/k/_manifest.json"}, reused=["shots"],
               live={"hls": "s3://origin/programmes/jt/master.m3u8"})  # fmt: skip
    manifest = _shots_manifest()
    local = "file:///var/work/jt/shots/k/contact-sheet.jpg"
    shots = manifest.model_copy(
        update={"artefact": manifest.artefact.model_copy(update={"contact_sheet": local})}
    )
    markdown = asset_markdown(run, {"shots": shots}, LINKS)
    assert "| shots | reused | 1.23 | manifest |" in markdown
    assert "- [hls](https://video.example.fr/programmes/jt/master.m3u8)" in markdown
    assert "file://" not in markdown and "contact sheet" not in markdown


def test_a_stage_that_found_nothing_to_do_says_why() -> None:
    transcript = SimpleNamespace(reason="the asset has no audio stream")
    assert empty_reason("asr", transcript) == "the asset has no audio stream"
    assert empty_reason("subtitles", SimpleNamespace(cues=0)) == "no cues: nothing was said"
    assert empty_reason("subtitles", SimpleNamespace(cues=12)) is None


def test_reports_are_keyed_by_asset_and_deployment() -> None:
    urgent = run_key("s3://archive/masters/JT 20h.mxf", "urgent")
    assert urgent.startswith("jt-20h-") and urgent.endswith("-urgent")
    assert run_key("s3://archive/masters/JT 20h.mxf", "ingest-check") != urgent
    assert run_key("s3://archive/masters/JT 20h.mxf", None).endswith("-adhoc")


def test_artifact_keys_use_only_what_prefect_accepts() -> None:
    assert artifact_key("JT_20h.Fr-0123") == "jt-20h-fr-0123"


def test_the_stages_the_ui_offers_are_the_rows_of_the_table() -> None:
    assert get_args(StageName) == tuple(STAGES)
    assert all(row.name == name for name, row in STAGES.items())


def test_stage_groups_start_once_the_groups_they_need_are_done() -> None:
    assert GROUPS == {
        "analyse": ("fetch", "probe", "shots"),
        "speech": ("asr", "subtitles", "tagging", "translate", "subtitles-en"),
        "picture": ("transcode",),
        "publish": ("publish",),
    }
    assert {group: group_needs(group) for group in GROUPS} == {
        "analyse": set(),
        "speech": {"analyse"},
        "picture": {"analyse"},
        "publish": {"analyse", "picture", "speech"},
    }


def test_the_english_branch_runs_unless_turned_off_or_the_model_is_english_only(
    tmp_path: Path,
) -> None:
    store = ModelStore(Storage(), (tmp_path / "store").as_uri(), tmp_path / "cache")
    wanted = plan_stages("publish", None)
    assert not_applicable(wanted, None, store, AssetOptions(asr_model="whisper-base")) == {}
    off = not_applicable(wanted, None, store, AssetOptions(english_subtitles=False))
    assert off == dict.fromkeys(["translate", "subtitles-en"], "english_subtitles is off")
    english = not_applicable(wanted, None, store, AssetOptions(asr_model="whisper-tiny.en"))
    assert english == dict.fromkeys(
        ["translate", "subtitles-en"], "whisper-tiny.en is English-only: it cannot translate"
    )
