"""process-asset: one archive master through the DAG, the stage table of flows/dag.py.

Embedded mode runs the DAG in this process: fetch and probe first, then every stage as soon as
its inputs are ready (transcode runs while asr, subtitles and tagging do). Distributed mode runs
stage groups as deployments on their pools and reads the manifests they leave. The flow body
holds no media logic; every output's manifest URL comes back in the :class:`AssetRun`.
"""

from __future__ import annotations

import functools
from typing import Any, Literal, TypeVar, cast

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from blocks import CdnTargetBlock, ModelStoreBlock, ObjectStoreBlock
from flows.dag import (
    FIRST,
    GROUPS,
    STAGES,
    StageName,
    Wiring,
    cdn_target,
    group_needs,
    model_store,
    plan_stages,
    read_manifests,
    run_settings,
)
from flows.runner import StageRunner
from regie.artefacts import MediaInfo
from regie.asset_run import AssetRun
from regie.fields import Blankable, OptionalText
from regie.models import ModelStore
from regie.picture import Deinterlace
from regie.probe import LeaderChoice
from regie.settings import Settings
from regie.stage import StageOutcome
from regie.tagging.stage import TaggingOptions
from regie.transcode.encoders import EncoderPreference
from tasks.groups import run_stage_group
from tasks.names import asset_flow_run_name
from tasks.report import report_asset, report_failed_run, stage_progress

T = TypeVar("T")

# Set by a deployment's parameters or by the run that starts this one (a distributed parent, a
# backfill), never typed in a form: left out of the parameter schema, so the Custom-run form
# does not show them (the server still merges the deployment's values into every run).
NotInForm = SkipJsonSchema[T]  # NotInForm[X] is Annotated[X, SkipJsonSchema()]

# Spelled out so that the Prefect UI offers a choice; tests/test_wiring.py checks the registries.
ShotDetectorName = Literal["fast", "transnetv2", "pyscenedetect"]
AsrBackendName = Literal["auto", "openai-whisper", "faster-whisper", "transformers"]


class AssetOptions(BaseModel):
    """How the stages run: the form the Prefect UI shows for every process-asset deployment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shot_detector: ShotDetectorName = Field("fast", description="Shot detection backend.")
    encoder: EncoderPreference = Field(
        "auto", description="H.264 encoder: auto (h264_nvenc when this worker's GPU has NVENC, "
        "else libx264), libx264, or h264_nvenc (libx264 with a warning where NVENC is missing).",
    )  # fmt: skip
    asr_model: str = Field("whisper-small", description="Whisper model name in the model store.")
    asr_backend: AsrBackendName = Field("auto", description="auto: by the model's format.")
    language: OptionalText = Field(
        None, description="Spoken language (ISO 639-1, e.g. fr); blank: detected."
    )
    english_subtitles: bool = Field(
        True, description="English subtitles too, from Whisper's translate task (a second pass)."
    )
    if_model_missing: Literal["fail", "skip"] = Field(
        "fail", description="skip: run the other stages when the Whisper model is not in the store."
    )
    cdn_block: Blankable[CdnTargetBlock] = Field(
        None, description="A saved CDN target (regie setup saves one per environment, e.g. "
        "regie-cdn-target); blank: the worker's settings.",
    )  # fmt: skip
    object_store_block: Blankable[ObjectStoreBlock] = Field(
        None, description="A saved object store (masters, work, origin); blank: the worker's "
        "settings.",
    )  # fmt: skip
    model_store_block: Blankable[ModelStoreBlock] = Field(
        None, description="A saved model store; blank: the worker's settings."
    )
    tagging: TaggingOptions = Field(
        default_factory=TaggingOptions, description="IPTC tagging: the tagger and its store models."
    )
    audio_layout: str = Field(
        "auto", description="Audio tracks: auto, stereo, mono, 5.1, or a declaration such as "
        "1+2:programme:fra,3+4:original:eng,5:description:fra (tracks counted from 1).",
    )  # fmt: skip
    deinterlace: Deinterlace = Field(
        "frame", description="Interlaced masters: frame (25i -> 25p) or field (50p, for sport)."
    )
    crop_bars: bool = Field(
        False, description="Letterboxed or pillarboxed masters: publish the picture inside the "
        "bars (measured by the probe) instead of the frame as aired.",
    )  # fmt: skip
    leader: LeaderChoice = Field(
        "trim", description="Tape leader (bars and tone, black, slate) and tail black: trim "
        "publishes the programme alone; keep publishes the whole master (both are reported).",
    )  # fmt: skip

    def as_parameters(self) -> dict[str, Any]:
        """These options as another run's parameters: blanks left out, saved blocks as the
        references Prefect loads them by (never their fields, whose secrets would be masked)."""
        context = {"serialize_blocks_as_references": True}
        return self.model_dump(mode="json", exclude_none=True, context=context)


@flow(
    name="process-asset",
    flow_run_name=asset_flow_run_name,
    # TaskRunner is invariant in its future type: cast as Prefect's Flow does for its default one
    task_runner=cast("TaskRunner[PrefectFuture[Any]]", ThreadPoolTaskRunner(max_workers=8)),
    on_failure=[report_failed_run],
)
def process_asset(
    source_uri: str,
    until: StageName = "publish",
    stages: tuple[StageName, ...] = (),
    options: AssetOptions = AssetOptions(),  # noqa: B008 (frozen: safe as a default)
    mode: NotInForm[Literal["embedded", "distributed"]] = "embedded",
    queue: NotInForm[Literal["urgent", "backfill"]] = "urgent",
    report_url: NotInForm[str] = "",
) -> AssetRun:
    """Run the stages of one asset: every stage up to ``until``, or only ``stages``.

    Args:
        source_uri: Archive URL of the master (s3://bucket/key or file:///path).
        until: Last stage to run (every earlier stage runs too).
        stages: Only these stages and what they need (reused when already done), e.g. [subtitles];
            empty: every stage up to ``until``.
        options: How the stages run.
        mode: embedded (every stage here) or distributed (stage groups on their own pools).
        queue: Work queue of the stage groups in distributed mode.
        report_url: Where to write the AssetRun as JSON once done (distributed parents, backfills);
            blank: nowhere.
    """
    settings = run_settings(options)
    wanted = plan_stages(until, stages)
    if mode == "distributed":
        run = run_distributed(source_uri, wanted, options, queue, settings)
    else:
        run = run_embedded(source_uri, wanted, options, settings)
    storage = settings.storage()
    links = settings.browser_links(cdn_target(options, settings))
    report_asset(run, read_manifests(run, storage), links)
    if report_url:
        storage.write_bytes(report_url, run.model_dump_json().encode(), "application/json")
    return run


def run_embedded(
    source_uri: str, wanted: list[str], options: AssetOptions, settings: Settings
) -> AssetRun:
    """The DAG in this process: fetch and probe first, then each stage as soon as the stages it
    needs are done (transcode beside the speech stages)."""
    models = model_store(options, settings)
    wiring = Wiring(source_uri, options, settings, settings.stage_context(), models)
    runner = StageRunner(wiring)
    done = runner.run([stage for stage in FIRST if stage in wanted])
    skipped = wiring.skipped = not_applicable(wanted, wiring.media, wiring.models, options)
    todo = [stage for stage in wanted if stage not in skipped and stage not in done]
    done |= runner.run(todo, stage_progress(wiring.source.asset_id, len(todo)))
    return summarise(done, skipped)


def run_distributed(
    source_uri: str, wanted: list[str], options: AssetOptions, queue: str, settings: Settings
) -> AssetRun:
    """Stage groups as deployments on their pools, each started once the groups it needs are
    done (analyse, then picture and speech together, then publish). Each group reuses the
    manifests of the groups before it."""
    started: dict[str, PrefectFuture[AssetRun]] = {}
    for group, stages in GROUPS.items():
        mine = [stage for stage in stages if stage in wanted]
        if mine:
            after = [started[g] for g in group_needs(group) if g in started]
            started[group] = run_stage_group.submit(
                group, source_uri, mine, options.as_parameters(), queue,
                settings.work_url, settings.storage(), wait_for=after, return_state=False,
            )  # fmt: skip
    runs = [future.result() for future in started.values()]
    return functools.reduce(AssetRun.merged, runs)


def not_applicable(
    wanted: list[str], media: MediaInfo | None, models: ModelStore, options: AssetOptions
) -> dict[str, str]:
    """Stages that cannot run on this asset or this installation, with the reason."""
    lacking: dict[str, str] = {}
    if media is not None and not media.has_video:
        lacking["picture"] = "audio-only master"
    speech = any(STAGES[stage].requires == "speech model" for stage in wanted)
    if speech and options.if_model_missing == "skip" and not models.has(options.asr_model):
        model = options.asr_model
        lacking["speech model"] = (
            f"model {model} is not in the model store (add it with `regie models add`)"
        )
    lacking["translation"] = lacking.get("speech model") or _no_translation(options)
    return {
        stage: lacking[need]
        for stage in wanted
        if (need := STAGES[stage].requires) is not None and lacking.get(need)
    }


def _no_translation(options: AssetOptions) -> str:
    """Why the English branch does not run, or "" when it does."""
    if not options.english_subtitles:
        return "english_subtitles is off"
    if options.asr_model.endswith(".en"):
        return f"{options.asr_model} is English-only: it cannot translate"
    return ""


def summarise(done: dict[str, StageOutcome[Any]], skipped: dict[str, str]) -> AssetRun:
    receipt = done["publish"].artefact if "publish" in done else None
    in_dag_order = [(name, done[name]) for name in STAGES if name in done]  # not finishing order
    return AssetRun(
        asset_id=done["fetch"].manifest.asset_id,
        manifests={name: outcome.manifest_url for name, outcome in in_dag_order},
        reused=[name for name, outcome in in_dag_order if outcome.reused],
        skipped=skipped,
        live={
            "hls": receipt.hls,
            "dash": receipt.dash,
            "pointer": receipt.pointer,
            "review": receipt.review or "",
        }
        if receipt
        else {},
    )
