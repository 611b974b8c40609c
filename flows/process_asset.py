"""process-asset: one archive master through the DAG of DESIGN.md.

The stages that exist so far are chained here; the flow body reads like the DAG and holds no
media logic. Each stage is a task whose outcome carries its manifest URL, so the summary returned
to the caller (and printed by ``regie run``) says where every output is.
"""

from __future__ import annotations

from typing import Literal

from prefect import flow
from pydantic import BaseModel, Field

from regie.probe import ProbeOptions
from regie.settings import Settings
from regie.stage import StageOutcome
from tasks.fetch import fetch_source
from tasks.probe import probe_media

StageName = Literal["fetch", "probe"]
STAGES: tuple[StageName, ...] = ("fetch", "probe")


class AssetRun(BaseModel):
    """What one run of process-asset produced."""

    asset_id: str
    status: Literal["done", "failed"]
    manifests: dict[str, str] = Field(description="Stage name -> manifest URI.")
    reused: list[str] = Field(description="Stages whose manifest already existed (no work done).")


@flow(name="process-asset", flow_run_name="process-asset-{source_uri}")
def process_asset(source_uri: str, until: StageName = "probe") -> AssetRun:
    """Run every stage of one asset up to ``until``.

    Args:
        source_uri: Archive URL of the master (s3://bucket/key or file:///path).
        until: Last stage to run.
    """
    settings = Settings()
    context = settings.stage_context()
    done: dict[str, StageOutcome] = {}
    done["fetch"] = fetch_source(source_uri, context, settings.restore_policy())
    if _wanted("probe", until):
        done["probe"] = probe_media(done["fetch"].artefact, context, ProbeOptions())
    return _summary(done)


def _wanted(stage: StageName, until: StageName) -> bool:
    return STAGES.index(stage) <= STAGES.index(until)


def _summary(done: dict[str, StageOutcome]) -> AssetRun:
    return AssetRun(
        asset_id=done["fetch"].manifest.asset_id,
        status="done",
        manifests={name: outcome.manifest_url for name, outcome in done.items()},
        reused=[name for name, outcome in done.items() if outcome.reused],
    )
