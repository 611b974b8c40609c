"""Settings: embedded defaults under ./var, a TOML file, and REGIE_* variables winning over it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regie.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("REGIE_"):
            monkeypatch.delenv(name)


def test_embedded_defaults_are_file_urls_under_var(tmp_path: Path) -> None:
    settings = Settings()
    var = (tmp_path / "var").resolve()
    assert settings.archive_url == (var / "archive").as_uri()
    assert settings.work_url == (var / "work").as_uri()
    assert settings.cdn_origin_url == (var / "cdn").as_uri()
    assert settings.scratch_dir == var / "scratch"
    assert settings.s3_config().endpoint_url is None


def test_toml_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "prod.toml"
    config.write_text(
        'work_url = "s3://regie-work/prod"\n'
        's3_endpoint_url = "https://s3.fr-par.scw.cloud"\n'
        's3_region = "fr-par"\n'
        'trusted_endpoints = ["minio.archives.example.fr"]\n'
    )
    monkeypatch.setenv("REGIE_CONFIG", str(config))
    monkeypatch.setenv("REGIE_S3_REGION", "fr-par")
    monkeypatch.setenv("REGIE_WORK_URL", "s3://regie-work/staging")
    monkeypatch.setenv("REGIE_S3_SECRET_ACCESS_KEY", "very-secret")
    settings = Settings()
    assert settings.work_url == "s3://regie-work/staging"
    assert settings.s3_endpoint_url == "https://s3.fr-par.scw.cloud"
    assert settings.trusted_endpoints == ["minio.archives.example.fr"]
    assert settings.s3_config().secret_access_key == "very-secret"
    assert "very-secret" not in settings.model_dump_json()


def test_allow_non_fr_reaches_the_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIE_ALLOW_NON_FR", "1")
    monkeypatch.setenv("REGIE_S3_ENDPOINT_URL", "https://s3.nl-ams.scw.cloud")
    storage = Settings().storage()
    storage.check("s3://bucket/key")  # refused without the override


def test_unknown_setting_in_toml_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "typo.toml"
    config.write_text('wrok_url = "s3://x"\n')
    monkeypatch.setenv("REGIE_CONFIG", str(config))
    with pytest.raises(ValueError, match="wrok_url"):
        Settings()
