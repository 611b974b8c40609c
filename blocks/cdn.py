"""The CDN target as a Prefect block: origin bucket, HTTP address and the Edge Services secret.

Saved once per environment (``cdn-target-prod``, ``cdn-target-staging``), chosen by a flow
parameter, so environments differ by data; the API token stays a secret in the Prefect UI.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from regie.fields import Blankable, OptionalText
from regie.publish import CdnTarget, make_cdn_target


class CdnTargetBlock(Block):
    """Where Régie publishes releases and which Scaleway Edge Services pipeline it purges."""

    _block_type_name = "Régie CDN target"
    _block_type_slug = "regie-cdn-target"
    _description = "CDN origin bucket and Scaleway Edge Services pipeline for Régie releases."

    origin_url: str = Field(description="Origin bucket, e.g. s3://regie-origin (fr-par).")
    prefix: str = Field("programmes", description="Folder of every asset in the bucket.")
    http_base_url: OptionalText = Field(
        None,
        description="HTTP address of the prefix, e.g. https://regie-origin.s3.fr-par.scw.cloud/programmes",
    )
    edge_pipeline_id: OptionalText = Field(None, description="Edge Services pipeline id.")
    edge_api_token: Blankable[SecretStr] = Field(None, description="Scaleway API secret key.")
    edge_api_url: str = Field("https://api.scaleway.com", description="Scaleway API address.")

    def target(self) -> CdnTarget:
        """The engine's view of this block."""
        return make_cdn_target(
            self.origin_url, self.prefix, self.http_base_url, self.edge_pipeline_id,
            self.edge_api_token, self.edge_api_url,
        )  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Any) -> CdnTargetBlock:
        """The block that holds what ``regie.settings.Settings`` says."""
        return cls(
            origin_url=settings.cdn_origin_url, prefix=settings.cdn_prefix,
            http_base_url=settings.cdn_http_base_url, edge_pipeline_id=settings.edge_pipeline_id,
            edge_api_token=settings.edge_api_token, edge_api_url=settings.edge_api_url,
        )  # fmt: skip
