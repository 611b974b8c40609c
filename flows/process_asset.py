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
from regie.shots.stage import ShotOptions
from regie.stage import StageOutcome
from tasks.fetch import fetch_source
from tasks.probe import probe_media
from tasks.shots import detect_shots_task

StageName = Literal["fetch", "probe", "shots"]
STAGES: tuple[StageName, ...] = ("fetch", "probe", "shots")
# Spelled out so that the Prefect UI offers a choice; tests/test_wiring.py checks the registry.
ShotDetectorName = Literal["fast", "transnetv2", "pyscenedetect"]


class AssetRun(BaseModel):
    """What one run of process-asset produced."""

    asset_id: str
    status: Literal["done"] = "done"  # a failed run raises; the CLI reports it
    manifests: dict[str, str] = Field(description="Stage name -> manifest URI.")
    reused: list[str] = Field(description="Stages whose manifest already existed (no work done).")
    skipped: list[str] = Field(default_factory=list, description="Stages that do not apply.")


@flow(name="process-asset", flow_run_name="process-asset-{source_uri}")
def process_asset(
    source_uri: str, until: StageName = "shots", shot_detector: ShotDetectorName = "fast"
) -> AssetRun:
    """Run every stage of one asset up to ``until``.

    Args:
        source_uri: Archive URL of the master (s3://bucket/key or file:///path).
        until: Last stage to run.
        shot_detector: Shot detection backend: fast, transnetv2 or pyscenedetect.
    """
    settings = Settings()
    context = settings.stage_context()
    done: dict[str, StageOutcome] = {}
    skipped: list[str] = []
    done["fetch"] = fetch_source(source_uri, context, settings.restore_policy())
    source = done["fetch"].artefact
    if _wanted("probe", until):
        done["probe"] = probe_media(source, context, ProbeOptions())
    if _wanted("shots", until):
        media = done["probe"].artefact
        if media.has_video:
            options = ShotOptions(detector=shot_detector)
            done["shots"] = detect_shots_task(source, media, context, options)
        else:
            skipped.append("shots")  # audio-only master
    return _summary(done, skipped)


def _wanted(stage: StageName, until: StageName) -> bool:
    return STAGES.index(stage) <= STAGES.index(until)


def _summary(done: dict[str, StageOutcome], skipped: list[str]) -> AssetRun:
    return AssetRun(
        asset_id=done["fetch"].manifest.asset_id,
        manifests={name: outcome.manifest_url for name, outcome in done.items()},
        reused=[name for name, outcome in done.items() if outcome.reused],
        skipped=skipped,
    )
