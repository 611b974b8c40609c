"""process-asset: one archive master through the DAG of DESIGN.md.

The stages that exist so far are chained here; the flow body reads like the DAG and holds no
media logic. Each stage is a task whose outcome carries its manifest URL, so the summary returned
to the caller (and printed by ``regie run``) says where every output is.
"""

from __future__ import annotations

from typing import Literal

from prefect import flow
from pydantic import BaseModel, Field

from blocks import CdnTargetBlock
from regie.artefacts import PublishReceipt
from regie.probe import ProbeOptions
from regie.settings import Settings
from regie.shots.stage import ShotOptions
from regie.stage import StageOutcome
from regie.transcode import TranscodeOptions
from regie.transcode.encoders import EncoderPreference
from tasks.fetch import fetch_source
from tasks.probe import probe_media
from tasks.publish import publish_task
from tasks.shots import detect_shots_task
from tasks.transcode import transcode_task

StageName = Literal["fetch", "probe", "shots", "transcode", "publish"]
STAGES: tuple[StageName, ...] = ("fetch", "probe", "shots", "transcode", "publish")
# Spelled out so that the Prefect UI offers a choice; tests/test_wiring.py checks the registry.
ShotDetectorName = Literal["fast", "transnetv2", "pyscenedetect"]


class AssetRun(BaseModel):
    """What one run of process-asset produced."""

    asset_id: str
    status: Literal["done"] = "done"  # a failed run raises; the CLI reports it
    manifests: dict[str, str] = Field(description="Stage name -> manifest URI.")
    reused: list[str] = Field(description="Stages whose manifest already existed (no work done).")
    skipped: list[str] = Field(default_factory=list, description="Stages that do not apply.")
    live: dict[str, str] = Field(
        default_factory=dict, description="Published stable entry points: hls, dash, pointer."
    )


@flow(name="process-asset", flow_run_name="process-asset-{source_uri}")
def process_asset(
    source_uri: str,
    until: StageName = "publish",
    shot_detector: ShotDetectorName = "fast",
    encoder: EncoderPreference = "auto",
    cdn_block: str | None = None,
) -> AssetRun:
    """Run every stage of one asset up to ``until``.

    Args:
        source_uri: Archive URL of the master (s3://bucket/key or file:///path).
        until: Last stage to run.
        shot_detector: Shot detection backend: fast, transnetv2 or pyscenedetect.
        encoder: H.264 encoder: auto (NVENC when this worker has one), libx264 or h264_nvenc.
        cdn_block: Name of a saved CDN target block (origin, Edge Services); default: settings.
    """
    settings = Settings()
    context = settings.stage_context()
    done: dict[str, StageOutcome] = {}
    skipped: list[str] = []
    done["fetch"] = fetch_source(source_uri, context, settings.restore_policy())
    source = done["fetch"].artefact
    if _wanted("probe", until):
        done["probe"] = probe_media(source, context, ProbeOptions())
    picture_stages = [s for s in ("shots", "transcode", "publish") if _wanted(s, until)]
    if picture_stages and not done["probe"].artefact.has_video:
        skipped += picture_stages  # audio-only master
        picture_stages = []
    if "shots" in picture_stages:
        shot_options = ShotOptions(detector=shot_detector)
        done["shots"] = detect_shots_task(source, done["probe"].artefact, context, shot_options)
    if "transcode" in picture_stages:
        ladder_options = TranscodeOptions(encoder=encoder)
        done["transcode"] = transcode_task(
            source, done["probe"].artefact, done["shots"], context, ladder_options
        )
    if "publish" in picture_stages:
        done["publish"] = publish_task(
            source, done["probe"].artefact, done["shots"], done["transcode"], context,
            CdnTargetBlock.load(cdn_block).target() if cdn_block else settings.cdn_target(),
        )  # fmt: skip
    return _summary(done, skipped)


def _wanted(stage: StageName, until: StageName) -> bool:
    return STAGES.index(stage) <= STAGES.index(until)


def _summary(done: dict[str, StageOutcome], skipped: list[str]) -> AssetRun:
    return AssetRun(
        asset_id=done["fetch"].manifest.asset_id,
        manifests={name: outcome.manifest_url for name, outcome in done.items()},
        reused=[name for name, outcome in done.items() if outcome.reused],
        skipped=skipped,
        live=_live(done["publish"].artefact) if "publish" in done else {},
    )


def _live(receipt: PublishReceipt) -> dict[str, str]:
    return {"hls": receipt.hls, "dash": receipt.dash, "pointer": receipt.pointer}
