"""Prefect Block types holding configuration and secrets.

``CdnTargetBlock`` (publish) is here; the object-store and model-store blocks land with the
orchestration work (issue 8). Until then the other stages read :class:`regie.settings.Settings`.
"""

from blocks.cdn import CdnTargetBlock

__all__ = ["CdnTargetBlock"]
