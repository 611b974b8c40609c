"""What one run of process-asset produced: the record flows return and stage groups hand back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class AssetRun(BaseModel):
    """What one run of process-asset produced."""

    asset_id: str
    status: Literal["done"] = "done"  # a failed run raises; the CLI reports it
    manifests: dict[str, str] = Field(description="Stage name -> manifest URI.")
    reused: list[str] = Field(description="Stages whose manifest already existed (no work done).")
    skipped: dict[str, str] = Field(
        default_factory=dict, description="Stages not run, with the reason."
    )
    live: dict[str, str] = Field(
        default_factory=dict, description="Published stable entry points: hls, dash, pointer."
    )

    def only(self, stages: tuple[str, ...]) -> AssetRun:
        """This record restricted to ``stages`` (a stage group's own share of a run)."""
        return AssetRun(
            asset_id=self.asset_id,
            manifests={s: url for s, url in self.manifests.items() if s in stages},
            reused=[s for s in self.reused if s in stages],
            skipped={s: why for s, why in self.skipped.items() if s in stages},
            live=self.live if "publish" in stages else {},
        )

    def merged(self, other: AssetRun) -> AssetRun:
        """Two stage groups' records of the same asset as one."""
        return AssetRun(
            asset_id=self.asset_id,
            manifests=self.manifests | other.manifests,
            reused=[*self.reused, *(s for s in other.reused if s not in self.reused)],
            skipped=self.skipped | other.skipped,
            live=self.live | other.live,
        )
