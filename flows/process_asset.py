"""process-asset: one archive master through the DAG of DESIGN.md.

fetch ──► probe ──► shots ─────────► transcode ──┐
                  │        └──────┐              ├──► publish
                  └──► asr ──► subtitles ────────┤
                            └──► tagging ────────┘

Embedded mode runs the DAG in this process: fetch and probe first, then every stage as soon as
its inputs are ready (transcode runs while asr, subtitles and tagging do). Distributed mode runs
stage groups as deployments on their pools and reads the manifests they leave. The flow body
holds no media logic; every output's manifest URL comes back in the :class:`AssetRun`.
"""

from __future__ import annotations

from typing import Any, Literal

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import BaseModel, ConfigDict, Field

from blocks import CdnTargetBlock
from regie.asr import AsrOptions
from regie.models import ModelStore
from regie.probe import ProbeOptions
from regie.publish import ReleaseInputs
from regie.settings import Settings
from regie.shots.stage import ShotOptions
from regie.stage import StageContext, StageOutcome
from regie.subtitles.stage import SubtitleOptions
from regie.tagging.stage import TaggingOptions
from regie.transcode import TranscodeOptions
from regie.transcode.encoders import EncoderPreference
from tasks.asr import transcribe_task
from tasks.fetch import fetch_source
from tasks.groups import STAGE_GROUPS, run_stage_group
from tasks.names import asset_flow_run_name
from tasks.probe import probe_media
from tasks.publish import publish_task
from tasks.report import report_asset, report_failed_run, track_progress
from tasks.shots import detect_shots_task
from tasks.subtitles import subtitles_task
from tasks.summary import AssetRun
from tasks.tagging import tagging_task
from tasks.transcode import transcode_task

StageName = Literal[
    "fetch", "probe", "shots", "asr", "subtitles", "tagging", "transcode", "publish"
]
STAGES: tuple[StageName, ...] = (
    "fetch", "probe", "shots", "asr", "subtitles", "tagging", "transcode", "publish",
)  # fmt: skip
NEEDS: dict[str, tuple[StageName, ...]] = {
    "fetch": (), "probe": ("fetch",), "shots": ("probe",), "asr": ("probe",),
    "subtitles": ("asr", "shots"), "tagging": ("asr", "shots"), "transcode": ("shots",),
    "publish": ("transcode", "subtitles", "tagging"),
}  # fmt: skip
# A release is complete or not made: its text tracks and review page need the speech stages.
PUBLISH_WAITS_FOR: tuple[StageName, ...] = ("subtitles", "tagging")
PICTURE_STAGES = ("shots", "transcode", "publish")
SPEECH_STAGES = ("asr", "subtitles", "tagging")
# Spelled out so that the Prefect UI offers a choice; tests/test_wiring.py checks the registries.
ShotDetectorName = Literal["fast", "transnetv2", "pyscenedetect"]
AsrBackendName = Literal["auto", "openai-whisper", "faster-whisper", "transformers"]


class AssetOptions(BaseModel):
    """How the stages run: the form the Prefect UI shows for every process-asset deployment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shot_detector: ShotDetectorName = Field("fast", description="Shot detection backend.")
    encoder: EncoderPreference = Field(
        "auto", description="H.264 encoder: auto (NVENC when this worker has one), libx264."
    )
    asr_model: str = Field("whisper-small", description="Whisper model name in the model store.")
    asr_backend: AsrBackendName = Field("auto", description="auto: by the model's format.")
    language: str | None = Field(None, description="Spoken language (ISO 639-1); None: detect.")
    if_model_missing: Literal["fail", "skip"] = Field(
        "fail", description="skip: run the other stages when the Whisper model is not in the store."
    )
    cdn_block: str | None = Field(None, description="Saved CDN target block; None: settings.")
    tagging: TaggingOptions = Field(
        default_factory=TaggingOptions, description="IPTC tagging: the tagger and its store models."
    )


@flow(
    name="process-asset",
    flow_run_name=asset_flow_run_name,
    task_runner=ThreadPoolTaskRunner(max_workers=8),
    on_failure=[report_failed_run],
)
def process_asset(
    source_uri: str,
    until: StageName = "publish",
    stages: list[StageName] | None = None,
    options: AssetOptions = AssetOptions(),  # noqa: B008 (frozen: safe as a default)
    mode: Literal["embedded", "distributed"] = "embedded",
    queue: Literal["urgent", "backfill"] = "urgent",
    report_url: str | None = None,
) -> AssetRun:
    """Run the stages of one asset: every stage up to ``until``, or only ``stages``.

    Args:
        source_uri: Archive URL of the master (s3://bucket/key or file:///path).
        until: Last stage to run (every earlier stage runs too).
        stages: Only these stages and what they need (reused when already done), e.g. [subtitles].
        options: How the stages run.
        mode: embedded (every stage here) or distributed (stage groups on their own pools).
        queue: Work queue of the stage groups in distributed mode.
        report_url: Where to write the AssetRun as JSON once done (distributed parents, backfills).
    """
    settings = Settings()
    wanted = plan_stages(until, stages)
    if mode == "distributed":
        run = run_distributed(source_uri, wanted, options, queue, settings)
    else:
        run = run_embedded(source_uri, wanted, options, settings)
    storage = settings.storage()
    report_asset(run, storage, settings.browser_links(cdn_target(options, settings)))
    if report_url:
        storage.write_bytes(report_url, run.model_dump_json().encode(), "application/json")
    return run


def plan_stages(until: StageName, stages: list[StageName] | None) -> list[StageName]:
    """The stages to run, in DAG order: the targets and everything they need."""
    targets = set(stages) if stages else set(STAGES[: STAGES.index(until) + 1])
    needed: set[str] = set()
    while targets:
        stage = targets.pop()
        needed.add(stage)
        targets |= set(NEEDS[stage]) - needed
    return [stage for stage in STAGES if stage in needed]


def run_embedded(
    source_uri: str, wanted: list[StageName], options: AssetOptions, settings: Settings
) -> AssetRun:
    """The DAG in this process: each stage starts as soon as the stages it needs are done."""
    context, models = settings.stage_context(), settings.model_store()
    done: dict[str, StageOutcome[Any]] = {}
    done["fetch"] = fetch_source(source_uri, context, settings.restore_policy())
    source = done["fetch"].artefact
    if "probe" in wanted:
        done["probe"] = probe_media(source, context, ProbeOptions())
    skipped = not_applicable(wanted, done, models, options)
    todo = [stage for stage in wanted if stage not in skipped and stage not in done]
    media = done["probe"].artefact if "probe" in done else None
    started = _start(todo, source, media, context, models, options, settings)
    track_progress(source.asset_id, list(started.values()))
    # In DAG order, so that a failure raises the cause, not the stages that waited for it.
    done |= {stage: future.result() for stage, future in started.items()}
    return summarise(done, skipped)


def _start(
    todo: list[StageName], source: Any, media: Any, context: StageContext, models: ModelStore,
    options: AssetOptions, settings: Settings,
) -> dict[str, PrefectFuture[Any]]:  # fmt: skip
    """Submit every stage in ``todo``; futures passed as inputs make a stage wait for them."""
    gpu = settings.gpu_pool
    run: dict[str, PrefectFuture[Any] | None] = dict.fromkeys(STAGES)
    if "shots" in todo:
        shot_options = ShotOptions(detector=options.shot_detector)
        run["shots"] = detect_shots_task.submit(source, media, context, shot_options)
    if "asr" in todo:
        asr_options = AsrOptions(
            model=options.asr_model, backend=options.asr_backend, language=options.language
        )
        run["asr"] = transcribe_task.submit(source, media, context, models, asr_options, gpu)
    if "subtitles" in todo:
        run["subtitles"] = subtitles_task.submit(
            run["asr"], media, run["shots"], context, SubtitleOptions()
        )
    if "tagging" in todo:
        run["tagging"] = tagging_task.submit(
            run["asr"], run["shots"], context, models, options.tagging
        )
    if "transcode" in todo:
        ladder_options = TranscodeOptions(encoder=options.encoder)
        run["transcode"] = transcode_task.submit(
            source, media, run["shots"], context, ladder_options, gpu
        )
    if "publish" in todo:
        speech = ReleaseInputs(  # Prefect hands the task the outcomes of these futures
            subtitles=tuple(f for f in [run["subtitles"]] if f), transcript=run["asr"],
            tags=run["tagging"],
        )  # fmt: skip
        run["publish"] = publish_task.submit(
            source, media, run["shots"], run["transcode"], context, cdn_target(options, settings),
            speech, wait_for=[f for f in (run[s] for s in PUBLISH_WAITS_FOR) if f],
        )  # fmt: skip
    return {stage: future for stage, future in run.items() if future is not None}


def run_distributed(
    source_uri: str, wanted: list[StageName], options: AssetOptions, queue: str,
    settings: Settings,
) -> AssetRun:  # fmt: skip
    """Stage groups as deployments on their pools: analyse, then picture and speech together,
    then publish. Each group reuses the manifests of the groups before it."""

    def group(name: str, wait_for: list[PrefectFuture[AssetRun]]) -> PrefectFuture[AssetRun]:
        mine = [s for s in STAGE_GROUPS[name] if s in wanted]
        return run_stage_group.submit(
            name, source_uri, mine, options.model_dump(), queue, settings.work_url,
            settings.storage(), wait_for=wait_for,
        )  # fmt: skip

    analyse = group("analyse", [])
    branches = [group(name, [analyse]) for name in ("picture", "speech") if _any(name, wanted)]
    final = [group("publish", branches)] if "publish" in wanted else []
    run = analyse.result()
    for future in [*branches, *final]:
        run = run.merged(future.result())
    return run


def _any(group: str, wanted: list[StageName]) -> bool:
    return any(stage in wanted for stage in STAGE_GROUPS[group])


def not_applicable(
    wanted: list[StageName], done: dict[str, StageOutcome[Any]], models: ModelStore,
    options: AssetOptions,
) -> dict[str, str]:  # fmt: skip
    """Stages that cannot run on this asset or this installation, with the reason."""
    skipped: dict[str, str] = {}
    media = done["probe"].artefact if "probe" in done else None
    if media is not None and not media.has_video:
        skipped |= {s: "audio-only master" for s in PICTURE_STAGES if s in wanted}
    speech = [s for s in SPEECH_STAGES if s in wanted]
    if speech and options.if_model_missing == "skip" and not models.has(options.asr_model):
        reason = (
            f"model {options.asr_model} is not in the model store (add it with `regie models add`)"
        )
        skipped |= dict.fromkeys(speech, reason)
    return skipped


def cdn_target(options: AssetOptions, settings: Settings) -> Any:
    """The CDN target of a saved block when one is named, else the settings'."""
    if options.cdn_block:
        return CdnTargetBlock.load(options.cdn_block).target()
    return settings.cdn_target()


def summarise(done: dict[str, StageOutcome[Any]], skipped: dict[str, str]) -> AssetRun:
    receipt = done["publish"].artefact if "publish" in done else None
    return AssetRun(
        asset_id=done["fetch"].manifest.asset_id,
        manifests={name: outcome.manifest_url for name, outcome in done.items()},
        reused=[name for name, outcome in done.items() if outcome.reused],
        skipped=skipped,
        live={"hls": receipt.hls, "dash": receipt.dash, "pointer": receipt.pointer}
        if receipt
        else {},
    )
