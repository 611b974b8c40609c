"""An S3-compatible object store as a Prefect block, refused unless it keeps data in France.

The residency guard runs whenever the block is built: when it is created for saving and when it
is loaded, so a document edited in the UI to point abroad fails to load with the reason.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr, model_validator

from regie.fields import Blankable, OptionalText
from regie.storage import ResidencyPolicy, S3Config, Storage, check_residency


class ObjectStoreBlock(Block):
    """Where Régie reads masters and writes its work: endpoint, region and credentials."""

    _block_type_name = "Régie object store"
    _block_type_slug = "regie-object-store"
    _description = (
        "S3-compatible object store in France (Scaleway, OVHcloud, Outscale, on-premise)."
    )

    endpoint_url: OptionalText = Field(None, description="e.g. https://s3.fr-par.scw.cloud")
    region: OptionalText = Field(None, description="e.g. fr-par")
    access_key_id: Blankable[SecretStr] = Field(
        None, description="Access key; blank: the worker's credentials (environment, profile)."
    )
    secret_access_key: Blankable[SecretStr] = Field(None, description="Secret of the access key.")
    session_token: Blankable[SecretStr] = Field(None, description="For temporary credentials only.")
    trusted_endpoints: list[str] = Field(
        default_factory=list, description="On-premise hosts declared to be in France."
    )
    allow_non_fr: bool = Field(False, description="Accept a store outside France (logged).")

    @model_validator(mode="after")
    def _in_france(self) -> ObjectStoreBlock:
        # No endpoint and no region: only file:// URLs (the embedded default); every URL is
        # checked again when used, so a bare s3:// URL (AWS) is still refused then.
        if self.endpoint_url or self.region:
            check_residency("s3://", self.endpoint_url, self.region, self.residency())
        return self

    def residency(self) -> ResidencyPolicy:
        return ResidencyPolicy(self.allow_non_fr, tuple(self.trusted_endpoints))

    def s3_config(self) -> S3Config:
        return S3Config.from_secrets(
            self.endpoint_url, self.region, self.access_key_id, self.secret_access_key,
            self.session_token,
        )  # fmt: skip

    def storage(self) -> Storage:
        """A storage client for this store, residency guard included."""
        return Storage(self.s3_config(), self.residency())

    def settings(self) -> dict[str, Any]:
        """What this block sets of ``regie.settings.Settings`` (the inverse of from_settings)."""
        return {
            "s3_endpoint_url": self.endpoint_url, "s3_region": self.region,
            "s3_access_key_id": self.access_key_id,
            "s3_secret_access_key": self.secret_access_key,
            "s3_session_token": self.session_token,
            "trusted_endpoints": self.trusted_endpoints, "allow_non_fr": self.allow_non_fr,
        }  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Any) -> ObjectStoreBlock:
        """The block that holds what ``regie.settings.Settings`` says."""
        return cls(
            endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            session_token=settings.s3_session_token,
            trusted_endpoints=settings.trusted_endpoints, allow_non_fr=settings.allow_non_fr,
        )  # fmt: skip
