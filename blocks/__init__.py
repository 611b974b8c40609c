"""Prefect Block types holding configuration and secrets: object store, model store, CDN target.

Register them with ``prefect block register -m blocks`` (``regie setup`` does it and saves one
document of each from the settings), then choose them by name in a flow's parameters.
"""

from blocks.cdn import CdnTargetBlock
from blocks.model_store import ModelStoreBlock
from blocks.object_store import ObjectStoreBlock

__all__ = ["CdnTargetBlock", "ModelStoreBlock", "ObjectStoreBlock"]
