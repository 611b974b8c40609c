"""Publish stage: atomic, verified, cache-correct releases on the CDN origin, purge, rollback."""

from regie.publish.layout import CachePolicy, asset_slug
from regie.publish.purge import EdgeServicesTarget
from regie.publish.rollback import unpublish
from regie.publish.stage import (
    PUBLISH,
    CdnTarget,
    PublishOptions,
    ReleaseInputs,
    make_cdn_target,
    publish,
)

__all__ = [
    "PUBLISH",
    "CachePolicy",
    "CdnTarget",
    "EdgeServicesTarget",
    "PublishOptions",
    "ReleaseInputs",
    "asset_slug",
    "make_cdn_target",
    "publish",
    "unpublish",
]
