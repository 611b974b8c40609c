"""Peak memory and throughput of fetching a large master from S3, against a naive whole-object read.

The fetch stage must stream: its peak RSS has to stay flat (under 100 MB) whatever the size of
the master. Baselines: what a first version would write, ``get_object()["Body"].read()``, whose
peak grows with the object, and s3fs's own file reader. Each method runs in a fresh child process
so that peaks do not mix.

    .venv/bin/python bench/fetch_memory.py [--size-mb 200]

Prints a table and writes ``bench/results/fetch_memory.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.storage import S3Config, Storage  # noqa: E402
from regie.storage.s3 import boto3_client  # noqa: E402
from tests.servers import moto_server  # noqa: E402

LIMIT_MB = 100
MIB = 1024 * 1024
BUCKET = "archive"

# Each child prints one JSON line: its peak RSS and the seconds spent transferring. VmHWM, not
# ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
CHILD = {
    "regie fetch (streamed)": """
from regie.fetch import fetch
from regie.stage import StageContext
asset = fetch(URL, StageContext(STORAGE, WORK, SCRATCH)).artefact
assert asset.size == SIZE
""",
    "s3fs open + read (baseline)": """
import hashlib, s3fs
fs = s3fs.S3FileSystem(endpoint_url=CONFIG.endpoint_url, client_kwargs={"region_name": "fr-par"})
digest = hashlib.sha256()
with fs.open(URL, "rb", block_size=8 * 2**20) as stream:
    while block := stream.read(2**20):
        digest.update(block)
""",
    "boto3 Body.read() (baseline)": """
import hashlib
client = boto3_client(CONFIG)
data = client.get_object(Bucket=URL.split("/")[2], Key="/".join(URL.split("/")[3:]))["Body"].read()
hashlib.sha256(data).hexdigest()
assert len(data) == SIZE
""",
}
PRELUDE = """
import json, sys, time
from regie.storage import S3Config, Storage
from regie.storage.s3 import boto3_client
from pathlib import Path
CONFIG = S3Config(**json.loads(sys.argv[1]))
STORAGE = Storage(CONFIG)
URL, WORK, SCRATCH, SIZE = sys.argv[2], sys.argv[3], Path(sys.argv[4]), int(sys.argv[5])
start = time.perf_counter()
"""
EPILOGUE = """
seconds = time.perf_counter() - start
peak_kb = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({"peak_mb": peak_kb / 1024, "seconds": seconds}))
"""


def upload_master(storage: Storage, url: str, size: int) -> None:
    """Write ``size`` pseudo-random bytes to ``url`` block by block (never all in memory)."""
    rng = random.Random(1995)
    with storage.open_write(url) as stream:
        for offset in range(0, size, 8 * MIB):
            stream.write(rng.randbytes(min(8 * MIB, size - offset)))


def measure(label: str, config: S3Config, url: str, size: int, scratch: Path) -> dict:
    work = (scratch / "work").as_uri()
    argv = [sys.executable, "-c", PRELUDE + CHILD[label] + EPILOGUE]
    argv += [json.dumps(config.__dict__), url, work, str(scratch / label[:5]), str(size)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"method": label, **result, "mb_per_s": size / MIB / result["seconds"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "fetch_memory.json"
    )
    args = parser.parse_args()
    size = args.size_mb * MIB
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with tempfile.TemporaryDirectory() as tmp, moto_server(Path(tmp) / "moto.log") as endpoint:
        config = S3Config(endpoint_url=endpoint, region="fr-par")
        boto3_client(config).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "fr-par"}
        )
        url = f"s3://{BUCKET}/masters/master-{args.size_mb}mb.mxf"
        upload_master(Storage(config), url, size)
        rows = [measure(label, config, url, size, Path(tmp)) for label in CHILD]
    report(rows, args.size_mb, args.out)
    return 0 if rows[0]["peak_mb"] < LIMIT_MB else 1


def report(rows: list[dict], size_mb: int, out: Path) -> None:
    streamed, baseline = rows[0], rows[-1]
    table = Table(title=f"Fetch of a {size_mb} MB master from S3 (moto over HTTP)")
    for column in ("method", "peak RSS (MB)", "seconds", "MB/s"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["method"],
            f"{row['peak_mb']:.0f}",
            f"{row['seconds']:.2f}",
            f"{row['mb_per_s']:.0f}",
        )
    console = Console()
    console.print(table)
    ratio = baseline["peak_mb"] / streamed["peak_mb"]
    verdict = "PASS" if streamed["peak_mb"] < LIMIT_MB else "FAIL"
    console.print(f"streamed peak / baseline peak: 1/{ratio:.1f}; limit {LIMIT_MB} MB: {verdict}")
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "size_mb": size_mb,
        "limit_mb": LIMIT_MB,
        "rows": rows,
        "baseline_over_streamed": ratio,
    }
    out.write_text(json.dumps(summary, indent=2))
    console.print(f"written {out}")


if __name__ == "__main__":
    sys.exit(main())
