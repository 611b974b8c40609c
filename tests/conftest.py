"""Shared fixtures: a real S3 server over HTTP, generated media, and a guard against ERROR logs."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Tests never reach a real cloud or the user's credentials, and never phone home.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "regie-test",
        "AWS_SECRET_ACCESS_KEY": "regie-test-secret",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
)

from regie.models import ModelStore
from regie.stage import StageContext
from regie.storage import S3Config, Storage
from regie.storage.s3 import boto3_client
from tests import media
from tests.real_models import real_whisper_store  # noqa: F401  # a session fixture
from tests.servers import moto_server

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REGION = "fr-par"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_error_logs: the test expects ERROR log records")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules with slow tests first. Under pytest-xdist (``make test``: ``-n 2 --dist loadscope
    --no-loadscope-reorder``) each module runs whole on one worker, so what it makes once per
    module (a server, a trained model, an encode) is made once; this order starts the long
    modules at once instead of leaving one trailing at the end."""
    slow = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.module.__name__ not in slow)  # stable: modules stay whole


@pytest.fixture(autouse=True)
def _no_error_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Fail any test that logs at ERROR unless it says it expects to."""
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, f"unexpected ERROR logs: {[r.getMessage() for r in errors]}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real moto S3 server on a free loopback port, spoken to over HTTP."""
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def platform(
    tmp_path_factory: pytest.TempPathFactory, s3_config: S3Config, s3_endpoint: str
) -> Iterator[Any]:
    """A real Prefect server on PostgreSQL and Redis with its pools, deployments and workers,
    shared by the modules that need one (once per xdist worker that runs one of them)."""
    from tests.platform import running_platform

    with running_platform(
        tmp_path_factory.mktemp("platform"), s3_config, s3_endpoint, REGION
    ) as up:
        yield up


@pytest.fixture(scope="session")
def s3_config(s3_endpoint: str) -> S3Config:
    return S3Config(
        endpoint_url=s3_endpoint,
        region=REGION,
        access_key_id="regie-test",
        secret_access_key="regie-test-secret",
    )


@pytest.fixture
def s3_storage(s3_config: S3Config) -> Storage:
    return Storage(s3_config)


@pytest.fixture
def bucket(s3_config: S3Config) -> str:
    """A fresh bucket for one test."""
    name = f"archive-{uuid.uuid4().hex[:12]}"
    client = boto3_client(s3_config)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


@pytest.fixture
def s3_client(s3_config: S3Config):  # type: ignore[no-untyped-def]
    return boto3_client(s3_config)


@pytest.fixture
def local_context(tmp_path: Path) -> StageContext:
    """Stages writing to a file:// work store, as in the embedded default."""
    return StageContext(Storage(), (tmp_path / "work").as_uri(), tmp_path / "scratch")


@pytest.fixture
def s3_work_context(s3_storage: Storage, bucket: str, tmp_path: Path) -> StageContext:
    """Stages writing to an S3 work bucket on the moto server."""
    return StageContext(s3_storage, f"s3://{bucket}/work", tmp_path / "scratch")


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 s 320x240 H.264/AAC clip generated with lavfi."""
    return media.good_clip(tmp_path_factory.mktemp("media") / "clip.mp4")


@pytest.fixture(scope="session")
def whisper_store(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    """A file:// model store holding a tiny random Whisper in each backend's format.

    Names: ``tiny-openai`` (openai-whisper checkpoint), ``tiny-hf`` (transformers folder) and
    ``tiny-ct2`` (its CTranslate2 conversion, for faster-whisper).
    """
    from tests import whisper_models

    os.environ["HF_HUB_OFFLINE"] = "1"
    root = tmp_path_factory.mktemp("models")
    store = ModelStore(Storage(), (root / "store").as_uri(), root / "cache")
    store.add("tiny-openai", whisper_models.openai_checkpoint(root / "tiny.pt"))
    hf = whisper_models.transformers_folder(root / "hf")
    store.add("tiny-hf", hf)
    store.add("tiny-ct2", whisper_models.ctranslate2_folder(hf, root / "ct2"))
    return store
