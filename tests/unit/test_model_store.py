"""The model store: import with checksums, verified local copies, clear errors (file:// store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regie.errors import IntegrityError, PermanentError
from regie.models import ModelNotFoundError, ModelStore, detect_format
from regie.storage import Storage


def _store(tmp_path: Path) -> ModelStore:
    return ModelStore(Storage(), (tmp_path / "store").as_uri(), tmp_path / "cache")


def _folder_model(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "whisper"}')
    (folder / "model.safetensors").write_bytes(b"\x00weights" * 100)
    (folder / "sub" / "extra.txt").write_text("nested file")
    return folder


def test_folder_round_trip_keeps_every_file_and_its_checksum(tmp_path: Path) -> None:
    store = _store(tmp_path)
    entry = store.add("whisper-test", _folder_model(tmp_path / "src"))
    assert entry.format == "transformers" and not entry.single_file
    paths = sorted(f.path for f in entry.files)
    assert paths == ["config.json", "model.safetensors", "sub/extra.txt"]
    local = store.resolve("whisper-test")
    assert local.digest == entry.digest and local.path.is_dir()
    assert (local.path / "sub" / "extra.txt").read_text() == "nested file"
    assert store.names() == ["whisper-test"]


def test_a_new_version_gets_a_new_digest_and_both_stay_readable(tmp_path: Path) -> None:
    store = _store(tmp_path)
    source = _folder_model(tmp_path / "src")
    first = store.add("m", source)
    (source / "model.safetensors").write_bytes(b"retrained")
    second = store.add("m", source)
    assert first.digest != second.digest
    assert (store.resolve("m").path / "model.safetensors").read_bytes() == b"retrained"


def test_missing_model_says_where_it_looked_and_how_to_add_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as error:
        _store(tmp_path).resolve("whisper-large-v3")
    message = str(error.value)
    assert "whisper-large-v3/model.json" in message and (tmp_path / "store").as_uri() in message
    assert "regie models add whisper-large-v3 PATH" in message
    assert isinstance(error.value, PermanentError)


def test_tampered_file_in_the_store_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    entry = store.add("m", _folder_model(tmp_path / "src"))
    stored = tmp_path / "store" / "m" / entry.digest / "model.safetensors"
    stored.write_bytes(b"tampered")
    with pytest.raises(IntegrityError, match=r"model\.safetensors does not match its checksum"):
        store.resolve("m")
    assert not (tmp_path / "cache" / "m" / entry.digest).exists()  # no half-verified copy


def test_entry_is_written_last_and_records_sizes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.add("m", _folder_model(tmp_path / "src"))
    entry = json.loads((tmp_path / "store" / "m" / "model.json").read_text())
    sizes = {f["path"]: f["size"] for f in entry["files"]}
    assert sizes["model.safetensors"] == 800 and len(entry["digest"]) == 16


@pytest.mark.parametrize("name", ["Whisper", "../x", "a/b", ""])
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(PermanentError, match="invalid model name"):
        _store(tmp_path).add(name, _folder_model(tmp_path / "src"))


def test_formats_are_told_apart_by_their_files(tmp_path: Path) -> None:
    ct2 = tmp_path / "ct2"
    ct2.mkdir()
    (ct2 / "model.bin").write_bytes(b"x")
    (ct2 / "config.json").write_text("{}")
    st = _folder_model(tmp_path / "st")
    (st / "modules.json").write_text("[]")
    assert detect_format(ct2) == "ctranslate2"
    assert detect_format(st) == "sentence-transformers"
    assert detect_format(_folder_model(tmp_path / "hf")) == "transformers"
    not_a_model = tmp_path / "notes.pt"
    not_a_model.write_text("hello")
    with pytest.raises(PermanentError, match="not a model"):
        detect_format(not_a_model)
