"""NVENC is used only where a real test encode works; everywhere else libx264, with the reason."""

from __future__ import annotations

import subprocess

import pytest

from regie.transcode.encoders import nvenc_status, nvenc_trial_argv, select_encoder


def _trial_works() -> bool:
    return subprocess.run(nvenc_trial_argv(), capture_output=True, check=False).returncode == 0


def test_auto_matches_what_this_machine_can_really_encode() -> None:
    usable, why = nvenc_status()
    assert usable == _trial_works()
    chosen = select_encoder("auto", "veryfast")
    assert chosen.name == ("h264_nvenc" if usable else "libx264")
    assert why in chosen.reason


def test_without_a_usable_nvenc_the_reason_names_the_failure() -> None:
    if _trial_works():
        pytest.skip("this machine has a working NVENC")
    chosen = select_encoder("h264_nvenc", "fast")
    assert (chosen.name, chosen.preset) == ("libx264", "fast")
    # e.g. "Cannot load libcuda.so.1" on a CPU host, "No capable devices found" on an H100
    assert chosen.reason.startswith("h264_nvenc not usable: ")
    assert "Error initializing output stream" not in chosen.reason


def test_libx264_when_asked_does_not_probe_the_gpu() -> None:
    chosen = select_encoder("libx264", "veryfast")
    assert (chosen.name, chosen.reason) == ("libx264", "asked for libx264")
