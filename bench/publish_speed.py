"""Publishing a 4-rung, 10-minute package to S3 with 20 ms per request: parallel against sequential.

    .venv/bin/python bench/publish_speed.py [--json OUT] [--latency-ms 20] [--workers 16]

Builds once (cached under ``var/bench/publish/``) a real package with the transcode stage: ten
minutes of generated picture and sound, four small rungs (360p to 144p, x264 ultrafast, so it
builds in about a minute; a real ladder has the same number of objects, only larger ones). Then
publishes it with the publish stage to a moto S3 server behind the test suite's proxy, which
adds ``--latency-ms`` to every request, as a round trip to a remote object store would (loopback
has none, which would measure the wrong thing): once with ``--workers`` parallel uploads, once
with one. Verification is off in both, so only the upload and the switch are timed.
Prints a table and writes JSON: ``parallel_s``, ``sequential_s``, ``speedup``, ``objects``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import boto3
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.fetch import fetch  # noqa: E402
from regie.probe import probe  # noqa: E402
from regie.publish import CdnTarget, PublishOptions, publish  # noqa: E402
from regie.stage import StageContext  # noqa: E402
from regie.storage import S3Config, Storage, local_path  # noqa: E402
from regie.transcode import Rung, TranscodeOptions, transcode  # noqa: E402
from tests.servers import Faults, faulty_proxy, moto_server  # noqa: E402

WORK = ROOT / "var" / "bench" / "publish"
LADDER = (
    Rung(lines=360, bitrate_kbps=800),
    Rung(lines=270, bitrate_kbps=500),
    Rung(lines=180, bitrate_kbps=300),
    Rung(lines=144, bitrate_kbps=150),
)
KEYS = {"access_key_id": "bench", "secret_access_key": "bench-secret"}


def package(context: StageContext):  # type: ignore[no-untyped-def]
    """The transcode stage's outcome for a 10-minute master (reused once built)."""
    master = WORK / "master-10min.mp4"
    if not master.exists():
        master.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
             "-i", "testsrc2=size=640x360:rate=25:duration=600", "-f", "lavfi",
             "-i", "sine=frequency=440:sample_rate=48000:duration=600", "-c:v", "libx264",
             "-preset", "ultrafast", "-c:a", "aac", str(master)],
            check=True,
        )  # fmt: skip
    source = fetch(master.as_uri(), context).artefact
    info = probe(source, context).artefact
    options = TranscodeOptions(ladder=LADDER, preset="ultrafast", ssim_step=0)
    return source, info, transcode(source, info, None, context, options)


def timed_publish(context: StageContext, endpoint: str, bucket: str, workers: int, built) -> float:  # type: ignore[no-untyped-def]
    source, info, ladder = built
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="fr-par",
        aws_access_key_id=KEYS["access_key_id"], aws_secret_access_key=KEYS["secret_access_key"],
    )  # fmt: skip
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "fr-par"})
    target = CdnTarget(origin_url=f"s3://{bucket}")
    options = PublishOptions(workers=workers, verify=False)
    # the origin bucket is new, so receipts of an earlier bench run must not make this a no-op
    shutil.rmtree(local_path(context.work_url) / source.asset_id / "publish", ignore_errors=True)
    started = time.perf_counter()
    publish(source, info, None, ladder, context, target, options)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/publish_speed.json")
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    local = StageContext(Storage(), (WORK / "work").as_uri(), WORK / "scratch")
    built = package(local)
    objects = sum(1 for o in built[2].manifest.outputs if not o.name.endswith(".log")) + 5
    with (
        moto_server(WORK / "moto.log") as moto,
        faulty_proxy(moto, Faults(latency_s=args.latency_ms / 1000)) as proxy,
    ):
        storage = Storage(S3Config(endpoint_url=proxy, region="fr-par", **KEYS))
        remote = StageContext(storage, local.work_url, local.scratch_dir)
        sequential = timed_publish(remote, proxy, "origin-sequential", 1, built)
        parallel = timed_publish(remote, proxy, "origin-parallel", args.workers, built)
    result = {
        "latency_ms": args.latency_ms,
        "workers": args.workers,
        "objects": objects,
        "parallel_s": round(parallel, 2),
        "sequential_s": round(sequential, 2),
        "speedup": round(sequential / parallel, 2),
    }
    table = Table(title=f"Publishing {objects} objects with {args.latency_ms:.0f} ms per request")
    for column in ("method", "seconds", "objects/s"):
        table.add_column(column)
    table.add_row(
        "sequential (1 upload at a time)", f"{sequential:.1f}", f"{objects / sequential:.0f}"
    )
    table.add_row(
        f"parallel ({args.workers} uploads)", f"{parallel:.1f}", f"{objects / parallel:.0f}"
    )
    Console().print(table)
    Console().print(f"speedup: {result['speedup']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
