"""The model store as a Prefect block: where named models live and where workers cache them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect.blocks.core import Block
from pydantic import Field

from blocks.object_store import ObjectStoreBlock
from regie.models import ModelStore


class ModelStoreBlock(Block):
    """Named models with checksums (Whisper, taggers), read through an object store block."""

    _block_type_name = "Régie model store"
    _block_type_slug = "regie-model-store"
    _description = "The broadcaster's own model store: no model hub is contacted at run time."

    url: str = Field(description="e.g. s3://regie-models (or file:///srv/models)")
    cache_dir: str = Field("/var/cache/regie/models", description="Verified copies on workers.")
    object_store: ObjectStoreBlock = Field(description="How to reach the store.")

    def model_store(self) -> ModelStore:
        return ModelStore(self.object_store.storage(), self.url, Path(self.cache_dir))

    @classmethod
    def from_settings(cls, settings: Any, object_store: ObjectStoreBlock) -> ModelStoreBlock:
        return cls(
            url=settings.model_store_url, cache_dir=str(settings.model_cache_dir),
            object_store=object_store,
        )  # fmt: skip
