"""Backfill at scale: planning a 10,000-row catalogue, and the orchestration share of a real run.

    .venv/bin/python bench/backfill_scale.py [--rows 10000] [--assets 100] [--json OUT]

1. ``plan_10k_s``: a catalogue of ``--rows`` assets in moto S3 (one object each, in 20 folders),
   every one already processed (its done record in the work store): the time of the plan
   (read and vet the catalogue, list the sources, list the done and failed records).
2. ``overhead_share``: ``--assets`` small masters through `backfill` on the embedded default,
   one at a time: generated 2 s clips, or with ``--seconds N`` excerpts of N seconds of the
   shared French programme (real media; each its own master); 1 - (the assets' critical-path stage
   time / the backfill's wall time). What is left is orchestration: planning, subflow runs, task
   runs, the records, the catalogue table and the artifacts. Speech stages are skipped (no
   Whisper here), so each asset is fetch, probe, shots, transcode and publish.
JSON keys: ``plan_10k_s``, ``rows``, ``assets``, ``asset_seconds``, ``overhead_share``,
``wall_s``, ``stage_s``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REGION = "fr-par"


def plan_time(rows: int, home: Path) -> float:
    from regie.backfill.catalogue import RowFilter
    from regie.backfill.plan import plan_key, records_url
    from regie.fetch import derive_asset_id
    from regie.storage import S3Config, Storage
    from regie.storage.s3 import boto3_client
    from tasks.backfill import plan_backfill
    from tests.servers import moto_server

    with moto_server(home / "moto.log") as endpoint:
        config = S3Config(endpoint, REGION, "regie-test", "regie-test-secret")
        s3, storage = boto3_client(config), Storage(config)
        for bucket in ("archive", "work"):
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        keys = [f"fonds/{n % 20:02}/prog-{n:05}.mxf" for n in range(rows)]
        stages = ["fetch", "probe"]
        key = plan_key(stages, {})
        done = records_url("s3://work/w", key, "done").removeprefix("s3://work/")

        def put(object_key: str) -> None:
            etag = s3.put_object(Bucket="archive", Key=object_key, Body=b"x")["ETag"].strip('"')
            asset = derive_asset_id(f"s3://archive/{object_key}", etag)
            s3.put_object(Bucket="work", Key=f"{done}/{asset}.json", Body=b"{}")

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(put, keys))
        catalogue = "uri,collection\n" + "".join(f"s3://archive/{k},fonds\n" for k in keys)
        s3.put_object(Bucket="archive", Key="catalogue.csv", Body=catalogue.encode())
        started = time.perf_counter()
        plan = plan_backfill.fn(
            "s3://archive/catalogue.csv", storage, "s3://work/w", key, stages, RowFilter(),
            False, None,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
    assert len(plan.done) == rows and not plan.todo and not plan.invalid, plan.summary()
    return elapsed


def overhead(assets: int, seconds: int, home: Path) -> tuple[float, float]:
    """Wall time of a backfill of ``assets`` clips, and their critical-path stage time."""
    from regie.settings import Settings

    settings = Settings()
    from bench.orchestration_overhead import critical_path, excerpts, stage_durations
    from flows.backfill import backfill
    from flows.process_asset import AssetOptions
    from regie.asset_run import AssetRun
    from tests import media

    if seconds:
        clips = excerpts(home, assets, seconds)
    else:
        clips = [media.good_clip(home / f"clip-{n:03}.mp4", seconds=2) for n in range(assets)]
    catalogue = home / "catalogue.csv"
    catalogue.write_text("uri\n" + "".join(f"{clip.as_uri()}\n" for clip in clips))
    options = AssetOptions(if_model_missing="skip", encoder="libx264")
    backfill(catalogue.as_uri(), options=options, dry_run=True)  # starts the API, off the clock
    started = time.perf_counter()
    result = backfill(catalogue.as_uri(), options=options, max_concurrency=1)
    wall = time.perf_counter() - started
    if result.failed:  # their stage work counts as overhead here: the share is an upper bound
        print(f"failed assets: {result.failed}")
    storage = settings.storage()
    records = storage.iter_objects(settings.work_url + "/_backfill/")
    runs = [AssetRun.model_validate_json(storage.read_bytes(i.url)) for i in records
            if "/done/" in i.url]  # fmt: skip
    stage = sum(critical_path(stage_durations(run, storage)) for run in runs)
    return wall, stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=0, help="Programme excerpts this long.")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="regie-test", AWS_SECRET_ACCESS_KEY="regie-test-secret")
    home = Path(tempfile.mkdtemp(prefix="regie-backfill-"))
    os.environ["REGIE_HOME"] = str(home / "var")
    from cli import embedded

    embedded.prepare(home / "var")  # before Prefect is imported: its home and start-up timeout
    plan_s = plan_time(args.rows, home)
    wall, stage = overhead(args.assets, args.seconds, home)
    result = {"plan_10k_s": plan_s, "rows": args.rows, "assets": args.assets,
              "asset_seconds": args.seconds or 2,
              "overhead_share": 1 - stage / wall, "wall_s": wall, "stage_s": stage}  # fmt: skip
    table = Table(title="backfill at scale")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in result.items():
        table.add_row(name, f"{value:.3f}" if isinstance(value, float) else str(value))
    Console().print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
