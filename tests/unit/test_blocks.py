"""Blocks map onto the engine's configuration and keep their secrets secret."""

from __future__ import annotations

from blocks import CdnTargetBlock


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
