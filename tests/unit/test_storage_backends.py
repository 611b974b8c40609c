"""The storage backend of a URL comes from its scheme, through the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from regie.errors import PermanentError, TransientError
from regie.storage import ResidencyPolicy, Storage
from regie.storage.store import storage_errors


def test_an_unknown_scheme_is_refused_naming_the_url_and_the_known_ones() -> None:
    anywhere = Storage(residency=ResidencyPolicy(allow_non_fr=True))  # past the residency guard
    with pytest.raises(PermanentError) as refused:
        anywhere.info("gs://archive/master.mxf")
    message = str(refused.value)
    assert "gs://archive/master.mxf" in message and "unknown storage backend 'gs'" in message
    assert "file, memory, s3" in message


def test_a_folder_writes_atomically_and_cannot_sign_an_address(tmp_path: Path) -> None:
    storage = Storage()
    url = (tmp_path / "out" / "seg 1.m4s").as_uri()  # percent-escaped, as Path.as_uri writes it
    with pytest.raises(RuntimeError), storage.open_write(url) as stream:
        stream.write(b"half")
        raise RuntimeError("encoder died")
    assert not storage.exists(url) and list((tmp_path / "out").iterdir()) == []
    storage.write_bytes(url, b"whole")
    assert (tmp_path / "out" / "seg 1.m4s").read_bytes() == b"whole"
    assert [o.size for o in storage.iter_objects((tmp_path / "out").as_uri())] == [5]
    assert storage.location(url) == "file"
    with pytest.raises(PermanentError, match="only S3 stores sign"):
        storage.presigned_url(url, 60)


def test_an_os_error_is_transient_on_s3_and_raised_as_is_on_a_folder() -> None:
    with pytest.raises(TransientError), storage_errors("s3://bucket/key"):
        raise OSError("connection reset")
    with pytest.raises(OSError, match="No space left"), storage_errors("file:///scratch/x"):
        raise OSError(28, "No space left on device")
