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
from regie.asr import AsrOptions
from regie.probe import ProbeOptions
from regie.settings import Settings
from regie.shots.stage import ShotOptions
from regie.stage import StageOutcome
from regie.subtitles.stage import SubtitleOptions
from regie.tagging.stage import TaggingOptions
from regie.transcode import TranscodeOptions
from regie.transcode.encoders import EncoderPreference
from tasks.asr import transcribe_task
from tasks.fetch import fetch_source
from tasks.probe import probe_media
from tasks.publish import publish_task
from tasks.shots import detect_shots_task
from tasks.subtitles import subtitles_task
from tasks.tagging import tagging_task
from tasks.transcode import transcode_task

StageName = Literal[
    "fetch", "probe", "shots", "asr", "subtitles", "tagging", "transcode", "publish"
]
STAGES: tuple[StageName, ...] = (
    "fetch", "probe", "shots", "asr", "subtitles", "tagging", "transcode", "publish",
)  # fmt: skip
PICTURE_STAGES = ("shots", "transcode", "publish")
SPEECH_STAGES = ("asr", "subtitles", "tagging")
# Spelled out so that the Prefect UI offers a choice; tests/test_wiring.py checks the registries.
ShotDetectorName = Literal["fast", "transnetv2", "pyscenedetect"]
AsrBackendName = Literal["auto", "openai-whisper", "faster-whisper", "transformers"]


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


@flow(name="process-asset", flow_run_name="process-asset-{source_uri}")
def process_asset(
    source_uri: str,
    until: StageName = "publish",
    shot_detector: ShotDetectorName = "fast",
    encoder: EncoderPreference = "auto",
    cdn_block: str | None = None,
    asr_model: str = "whisper-small",
    asr_backend: AsrBackendName = "auto",
    language: str | None = None,
    if_model_missing: Literal["fail", "skip"] = "fail",
) -> AssetRun:
    """Run every stage of one asset up to ``until``.

    Args:
        source_uri: Archive URL of the master (s3://bucket/key or file:///path).
        until: Last stage to run.
        shot_detector: Shot detection backend: fast, transnetv2 or pyscenedetect.
        encoder: H.264 encoder: auto (NVENC when this worker has one), libx264 or h264_nvenc.
        cdn_block: Name of a saved CDN target block (origin, Edge Services); default: settings.
        asr_model: Whisper model name in the model store.
        asr_backend: auto (by the model's format), openai-whisper, faster-whisper, transformers.
        language: Spoken language (ISO 639-1), or None to detect it.
        if_model_missing: skip the speech stages (with the reason) instead of failing the asset.
    """
    settings = Settings()
    context = settings.stage_context()
    models = settings.model_store()
    done: dict[str, StageOutcome] = {}
    wanted = [stage for stage in STAGES if STAGES.index(stage) <= STAGES.index(until)]
    done["fetch"] = fetch_source(source_uri, context, settings.restore_policy())
    source = done["fetch"].artefact
    if "probe" in wanted:
        done["probe"] = probe_media(source, context, ProbeOptions())
    skipped = _not_applicable(wanted, done, models.has(asr_model), asr_model, if_model_missing)
    todo = [stage for stage in wanted if stage not in skipped]
    media = done["probe"].artefact if "probe" in done else None
    if "shots" in todo:
        shot_options = ShotOptions(detector=shot_detector)
        done["shots"] = detect_shots_task(source, media, context, shot_options)
    if "asr" in todo:
        asr_options = AsrOptions(model=asr_model, backend=asr_backend, language=language)
        done["asr"] = transcribe_task(source, media, context, models, asr_options)
    if "subtitles" in todo:
        done["subtitles"] = subtitles_task(
            done["asr"], media, done.get("shots"), context, SubtitleOptions()
        )
    if "tagging" in todo:
        done["tagging"] = tagging_task(
            done["asr"], done.get("shots"), context, models, TaggingOptions()
        )
    if "transcode" in todo:
        ladder_options = TranscodeOptions(encoder=encoder)
        done["transcode"] = transcode_task(source, media, done["shots"], context, ladder_options)
    if "publish" in todo:
        done["publish"] = publish_task(
            source, media, done["shots"], done["transcode"], context,
            CdnTargetBlock.load(cdn_block).target() if cdn_block else settings.cdn_target(),
        )  # fmt: skip
    return _summary(done, skipped)


def _not_applicable(
    wanted: list[StageName],
    done: dict[str, StageOutcome],
    model_present: bool,
    model: str,
    if_model_missing: str,
) -> dict[str, str]:
    """Stages that cannot run on this asset or this installation, with the reason."""
    skipped: dict[str, str] = {}
    media = done["probe"].artefact if "probe" in done else None
    if media is not None and not media.has_video:
        skipped |= {s: "audio-only master" for s in PICTURE_STAGES if s in wanted}
    if not model_present and if_model_missing == "skip":
        reason = f"model {model} is not in the model store (add it with `regie models add`)"
        skipped |= {s: reason for s in SPEECH_STAGES if s in wanted}
    return skipped


def _summary(done: dict[str, StageOutcome], skipped: dict[str, str]) -> AssetRun:
    return AssetRun(
        asset_id=done["fetch"].manifest.asset_id,
        manifests={name: outcome.manifest_url for name, outcome in done.items()},
        reused=[name for name, outcome in done.items() if outcome.reused],
        skipped=skipped,
        live=_live(done["publish"].artefact) if "publish" in done else {},
    )


def _live(receipt: PublishReceipt) -> dict[str, str]:
    return {"hls": receipt.hls, "dash": receipt.dash, "pointer": receipt.pointer}
