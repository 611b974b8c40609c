"""What tape leader detection costs on 1-minute masters, against decoding them whole.

    .venv/bin/python bench/leader_cost.py [--json OUT]

Masters generated with ffmpeg: a 1080i50 XDCAM HD422 MXF with 8 mono tracks and no leader (only
the opening seconds are analysed), and a 1080p25 H.264 MOV tape of 60 s (20 s bars and tone, 3 s
black, 5 s slate, 2 s black, 28 s programme, 2 s tail black: the head window and the tail are
analysed). JSON keys per master: ``detect_s``, ``decode_s`` (ffmpeg decoding every frame and
sample once, the floor of any full pass), ``head``, ``programme``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regie.leader import LeaderRules, detect_leader  # noqa: E402
from regie.probe import probe_file  # noqa: E402
from tests import masters  # noqa: E402

TAPE = (
    ("smptehdbars", 20), ("black", 3), ("slate", 5), ("black", 2), ("programme", 28), ("black", 2),
)  # fmt: skip


def measure(path: Path) -> dict[str, object]:
    """Detection time (the probe's leader part alone) and a full decode's time."""
    info = probe_file(path, path.stem)
    started = time.perf_counter()
    report, programme = detect_leader(path, info, LeaderRules())
    detect_s = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"], check=True)
    return {
        "detect_s": round(detect_s, 2),
        "decode_s": round(time.perf_counter() - started, 2),
        "head": report.reason if report else "",
        "programme": programme.model_dump(mode="json") if programme else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        found = {
            "xdcam-1080i-no-leader": measure(masters.xdcam_hd422(folder / "x.mxf", seconds=60)),
            "tape-1080p-leader": measure(masters.tape(folder / "t.mov", TAPE, "1920x1080")),
        }
    table = Table("master (60 s)", "detection s", "full decode s", "programme frames")
    for name, row in found.items():
        programme = row["programme"]
        frames = f"{programme['first_frame']}+{programme['frames']}" if programme else "all"  # type: ignore[index]
        table.add_row(name, str(row["detect_s"]), str(row["decode_s"]), frames)
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
