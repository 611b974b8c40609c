"""Catalogue rows are vetted one by one; the plan sorts them into todo, done, failed, invalid."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from regie.backfill.catalogue import (
    CatalogueError,
    CatalogueRow,
    RowFilter,
    read_catalogue,
    vet_rows,
)
from regie.backfill.plan import Throughputs, make_plan, plan_key
from regie.errors import ResidencyError
from regie.fetch import derive_asset_id
from regie.storage import ObjectInfo

CATALOGUE = """uri,title,broadcast_date,collection,duration_s
s3://regie-archive/jt/1995/jt-0301.mxf,JT 20h,1995-03-01,jt,1800
s3://regie-archive/jt/1996/jt-0301.mxf,JT 20h,1996-03-01,jt,
,Sans fichier,1995-01-01,jt,
s3://regie-archive/jt/1995/jt-0301.mxf,Doublon,1995-03-01,jt,
s3://regie-archive/jt/1995/jt-0302.mxf,Date fausse,1995-02-30,jt,
s3://archive-abroad/x.mxf,Ailleurs,1995-01-01,jt,
https://example.com/x.mxf,Web,1995-01-01,jt,
s3://regie-archive/mag/1997/m.mxf,Magazine,1997-05-01,mag,abc
"""


def _check(uri: str) -> None:
    if "abroad" in uri:
        raise ResidencyError(uri, "storage outside France refused")


def test_each_bad_row_gets_its_reason_and_the_rest_proceeds() -> None:
    rows, invalid = vet_rows(read_catalogue("c.csv", CATALOGUE.encode()), _check)
    assert [r.row for r in rows] == [1, 2]
    assert rows[0].broadcast_date == date(1995, 3, 1) and rows[0].duration_s == 1800
    assert {r.row for r in invalid} == {3, 4, 5, 6, 7, 8}
    reasons = {r.row: r.reason for r in invalid}
    assert reasons[4] == "duplicate of row 1" and reasons[3] == "missing uri"
    assert reasons[5].startswith("bad broadcast_date '1995-02-30'")
    assert "outside France" in reasons[6] and reasons[7].startswith("not an archive URL")
    assert reasons[8] == "bad duration_s 'abc'"


def test_a_row_may_say_its_audio_layout_and_a_bad_one_is_refused() -> None:
    catalogue = (
        "uri,audio_layout\n"
        's3://regie-archive/a.mxf,"1+2:programme:fr,3+4:original:en,5:description:fr"\n'
        "s3://regie-archive/b.mxf,5.1\n"
        "s3://regie-archive/c.mxf,\n"
        "s3://regie-archive/d.mxf,1+2:commentary\n"
    )
    rows, invalid = vet_rows(read_catalogue("c.csv", catalogue.encode()), _check)
    assert [(r.row, r.audio_layout) for r in rows] == [
        (1, "1+2:programme:fr,3+4:original:en,5:description:fr"), (2, "5.1"), (3, None),
    ]  # fmt: skip
    assert [(r.row, r.reason.split(":")[0]) for r in invalid] == [(4, "bad audio_layout")]
    assert "'1+2:commentary' is not tracks:role[:language]" in invalid[0].reason


def test_parquet_and_json_lines_read_like_csv() -> None:
    frame = pd.read_csv(io.StringIO(CATALOGUE), dtype=str)
    parquet = io.BytesIO()
    frame.to_parquet(parquet)
    jsonl = frame.to_json(orient="records", lines=True).encode()
    for name, data in [("c.parquet", parquet.getvalue()), ("c.jsonl", jsonl)]:
        rows, invalid = vet_rows(read_catalogue(name, data), _check)
        assert [r.row for r in rows] == [1, 2] and len(invalid) == 6
    with pytest.raises(CatalogueError, match="no 'uri' column"):
        read_catalogue("c.csv", b"title\nJT\n")
    with pytest.raises(CatalogueError, match="unknown catalogue format"):
        read_catalogue("c.xlsx", b"")


def _row(n: int, day: str, collection: str = "jt", key: str = "") -> CatalogueRow:
    uri = f"s3://regie-archive/{key or collection}/{n}.mxf"
    return CatalogueRow(row=n, uri=uri, broadcast_date=date.fromisoformat(day),
                        collection=collection)  # fmt: skip


def test_row_filter_by_dates_collection_and_glob() -> None:
    rows = [_row(1, "1994-12-31"), _row(2, "1995-01-01"), _row(3, "2005-12-31", "mag"),
            _row(4, "2006-01-01"), _row(5, "2000-06-01", key="jt/20h")]  # fmt: skip
    decade = RowFilter(date_from=date(1995, 1, 1), date_to=date(2005, 12, 31))
    assert [r.row for r in rows if decade.keeps(r)] == [2, 3, 5]
    assert [r.row for r in rows if RowFilter(collection="mag").keeps(r)] == [3]
    assert [r.row for r in rows if RowFilter(glob="jt/20h/*.mxf").keeps(r)] == [5]


def test_plan_skips_done_holds_failed_back_and_limits() -> None:
    rows = [_row(n, "1995-01-01") for n in range(1, 6)]
    sources = {
        r.uri: ObjectInfo(url=r.uri, size=50_000_000 * 450, etag=f"e{r.row}") for r in rows[:4]
    }
    ids = [derive_asset_id(r.uri, f"e{r.row}") for r in rows]
    plan = make_plan("k", ["fetch", "transcode", "asr"], rows, [], sources, {ids[0]},
                     {ids[1]: "not a media file"}, False, None, Throughputs())  # fmt: skip
    assert [a.row.row for a in plan.todo] == [3, 4] and [a.row.row for a in plan.done] == [1]
    assert [(a.row.row, a.reason) for a in plan.failed] == [(2, "not a media file")]
    assert [(r.row, r.reason) for r in plan.invalid] == [(5, "not found in the archive")]
    # two hours: 2 h / 4x (NVENC) + 2 h / 20x (ASR) GPU-hours; wall: 0.5 h over 4 NVENC slots
    assert plan.estimate.duration_h == 2.0 and plan.estimate.gpu_hours == 0.6
    assert plan.estimate.wall_hours == 0.125 and plan.estimate.durations_estimated == 2
    retried = make_plan("k", ["fetch"], rows, [], sources, {ids[0]}, {ids[1]: "x"}, True, 1,
                        Throughputs())  # fmt: skip
    assert [a.row.row for a in retried.todo] == [2]


def test_plan_key_depends_on_stages_and_options_only() -> None:
    assert plan_key(["asr", "fetch"], {"a": 1}) == plan_key(["fetch", "asr"], {"a": 1})
    assert plan_key(["fetch"], {"a": 1}) != plan_key(["fetch"], {"a": 2})
