"""Blocks map onto the engine's configuration and keep their secrets secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from blocks import CdnTargetBlock, ModelStoreBlock, ObjectStoreBlock
from regie.errors import ResidencyError
from regie.settings import Settings


def test_cdn_block_gives_the_publish_target_with_a_hidden_token() -> None:
    block = CdnTargetBlock(
        origin_url="s3://regie-origin", http_base_url="https://o.s3.fr-par.scw.cloud/programmes",
        edge_pipeline_id="pipe-1", edge_api_token="scw-secret-key",
    )  # fmt: skip
    target = block.target()
    assert target.origin_url == "s3://regie-origin" and target.prefix == "programmes"
    assert target.edge is not None and target.edge.pipeline_id == "pipe-1"
    assert target.edge.token.get_secret_value() == "scw-secret-key"
    assert "scw-secret-key" not in repr(block) and "scw-secret-key" not in repr(target)


def test_no_purge_without_both_pipeline_and_token() -> None:
    assert CdnTargetBlock(origin_url="s3://o", edge_pipeline_id="p").target().edge is None


def test_object_store_block_refuses_a_store_abroad_when_built_or_loaded() -> None:
    with pytest.raises(ResidencyError, match="outside France"):
        ObjectStoreBlock(endpoint_url="https://s3.eu-west-1.amazonaws.com", region="eu-west-1")
    saved = {"endpoint_url": "https://s3.eu-central-1.wasabisys.com", "region": "eu-central-1"}
    with pytest.raises(ResidencyError):  # what Block.load does with a document edited in the UI
        ObjectStoreBlock.model_validate(saved)


def test_object_store_block_gives_a_french_storage_with_hidden_secrets() -> None:
    block = ObjectStoreBlock(
        endpoint_url="https://s3.fr-par.scw.cloud", region="fr-par",
        access_key_id="SCWKEY", secret_access_key="scw-very-secret",
    )  # fmt: skip
    storage = block.storage()
    storage.check("s3://regie-archive/masters/jt.mxf")
    assert storage.s3_config.secret_access_key == "scw-very-secret"
    assert "scw-very-secret" not in repr(block)


def test_model_store_block_reads_through_its_object_store(tmp_path: Path) -> None:
    block = ModelStoreBlock(
        url=(tmp_path / "models").as_uri(), cache_dir=str(tmp_path / "cache"),
        object_store=ObjectStoreBlock(),
    )  # fmt: skip
    store = block.model_store()
    assert store.url == (tmp_path / "models").as_uri() and store.cache_dir == tmp_path / "cache"
    assert store.names() == []


def test_object_store_block_sets_the_connection_it_was_saved_from() -> None:
    saved = Settings(
        s3_endpoint_url="https://s3.fr-par.scw.cloud", s3_region="fr-par",
        s3_access_key_id="SCWKEY", s3_secret_access_key="scw-very-secret",
        trusted_endpoints=["minio.broadcaster.fr"],
    )  # fmt: skip
    block = ObjectStoreBlock.from_settings(saved)
    run = Settings().model_copy(update=block.settings())  # what a flow given the block uses
    assert run.s3_config() == saved.s3_config()
    assert run.trusted_endpoints == ["minio.broadcaster.fr"] and not run.allow_non_fr
