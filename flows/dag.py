"""The DAG of one asset, written once: one row per stage.

fetch ─► probe ─┬─► shots ─────────► transcode ───┐
                ├─► asr ─────┬─► subtitles ───────┤
                │            └─► tagging ─────────┼─► publish
                └─► translate ─► subtitles-en ────┘
(subtitles, tagging and subtitles-en also read the shot cuts)

A row names the engine stage (its name, version and the artefact its manifest holds), the stages
it needs, the task that runs it and what that task is given, the stage group that runs it in
distributed mode (the deployment ``process-asset/stages-<group>``), the GPU resource it holds on a
GPU pool, and what the asset or the installation must have for it to apply. The flow, the stage
groups, the reports and the catalogue derive from this table: adding a stage is its engine
package, its task and one row here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from prefect import Task

from regie.artefacts import MediaInfo, SourceAsset
from regie.asr import AsrOptions
from regie.asr.stage import ASR
from regie.asr.transcript import Task as AsrTask
from regie.asset_run import AssetRun
from regie.fetch import FETCH
from regie.models import ModelStore
from regie.probe import PROBE, ProbeOptions
from regie.publish import ReleaseInputs
from regie.publish.stage import PUBLISH
from regie.settings import Settings
from regie.shots.stage import SHOTS, ShotOptions
from regie.stage import Manifest, Stage, StageContext, read_manifest
from regie.storage import Storage
from regie.subtitles.stage import SUBTITLES, SubtitleOptions
from regie.tagging.stage import TAGGING
from regie.transcode import TranscodeOptions
from regie.transcode.stage import TRANSCODE
from tasks.asr import transcribe_task
from tasks.fetch import fetch_source
from tasks.gpu import GpuResource, GpuSlot
from tasks.probe import probe_media
from tasks.publish import publish_task
from tasks.shots import detect_shots_task
from tasks.subtitles import subtitles_task
from tasks.tagging import tagging_task
from tasks.transcode import transcode_task

if TYPE_CHECKING:
    from flows.process_asset import AssetOptions

# Spelled out so that the Prefect UI offers a choice; tests/test_wiring.py checks it against STAGES.
StageName = Literal[
    "fetch",
    "probe",
    "shots",
    "asr",
    "subtitles",
    "tagging",
    "transcode",
    "translate",
    "subtitles-en",
    "publish",
]
Requirement = Literal["picture", "speech model", "translation"]


@dataclass
class Wiring:
    """What a stage's task can be given: the run's settings, and each stage done or started."""

    source_uri: str
    options: AssetOptions
    settings: Settings
    context: StageContext
    models: ModelStore
    upstream: dict[str, Any] = field(default_factory=dict)  # its outcome, or the future of one
    skipped: dict[str, str] = field(default_factory=dict)  # stages that do not apply, and why

    @property
    def source(self) -> SourceAsset:
        return self.upstream["fetch"].artefact

    @property
    def media(self) -> MediaInfo | None:
        return self.upstream["probe"].artefact if "probe" in self.upstream else None


@dataclass(frozen=True)
class StageRow:
    """One stage of the DAG and everything the orchestration needs to know about it."""

    stage: Stage[Any]  # the engine's: name, version, artefact
    needs: tuple[str, ...]  # stages whose outputs it reads
    group: str  # distributed mode: the deployment process-asset/stages-<group> runs it
    task: Task[..., Any]
    args: Callable[[Wiring], tuple[Any, ...]]  # what the task is given
    gpu: GpuResource | None = None  # on a GPU pool, it holds a slot of this resource
    requires: Requirement | None = None  # skipped when the asset or installation lacks it
    label: str | None = None  # when one engine stage has two rows (asr and translate)

    @property
    def name(self) -> str:
        return self.label or self.stage.name


def run_settings(options: AssetOptions) -> Settings:
    """The settings of this run: the environment's, with the saved object store chosen in
    ``options`` in place of its S3 connection (a Prefect UI user switches environments by block)."""
    settings = Settings()
    if options.object_store_block:
        settings = settings.model_copy(update=options.object_store_block.settings())
    return settings


def model_store(options: AssetOptions, settings: Settings) -> ModelStore:
    """The saved model store chosen in ``options``, else the settings'."""
    if options.model_store_block:
        return options.model_store_block.model_store()
    return settings.model_store()


def cdn_target(options: AssetOptions, settings: Settings) -> Any:
    """The CDN target of the saved block chosen in ``options``, else the settings'."""
    if options.cdn_block:
        return options.cdn_block.target()
    return settings.cdn_target()


def _release_inputs(w: Wiring) -> ReleaseInputs:
    """What publish takes of the speech stages (Prefect hands it their outcomes)."""
    subtitles, english = w.upstream.get("subtitles"), w.upstream.get("subtitles-en")
    return ReleaseInputs(
        subtitles=(subtitles,) if subtitles else (), translations=(english,) if english else (),
        transcript=w.upstream.get("asr"),
        tags=w.upstream.get("tagging"), skipped=tuple(sorted(w.skipped.items())),
    )  # fmt: skip


def _asr_options(o: AssetOptions, task: AsrTask = "transcribe") -> AsrOptions:
    return AsrOptions(model=o.asr_model, backend=o.asr_backend, language=o.language, task=task)


TABLE: tuple[StageRow, ...] = (
    StageRow(
        FETCH, needs=(), group="analyse",
        task=fetch_source, args=lambda w: (w.source_uri, w.context, w.settings.restore_policy()),
    ),
    StageRow(
        PROBE, needs=("fetch",), group="analyse",
        task=probe_media,
        args=lambda w: (w.source, w.context,
                        ProbeOptions(audio_layout=w.options.audio_layout, leader=w.options.leader)),
    ),
    StageRow(
        SHOTS, needs=("probe",), group="analyse", requires="picture",
        task=detect_shots_task,
        args=lambda w: (w.source, w.media, w.context,
                        ShotOptions(detector=w.options.shot_detector)),
    ),
    StageRow(
        ASR, needs=("probe",), group="speech", gpu="cuda", requires="speech model",
        task=transcribe_task,
        args=lambda w: (w.source, w.media, w.context, w.models, _asr_options(w.options)),
    ),
    StageRow(
        SUBTITLES, needs=("asr", "shots"), group="speech", requires="speech model",
        task=subtitles_task,
        args=lambda w: (w.upstream["asr"], w.media, w.upstream.get("shots"), w.context,
                        SubtitleOptions()),
    ),
    StageRow(
        TAGGING, needs=("asr", "shots"), group="speech", requires="speech model",
        task=tagging_task,
        args=lambda w: (w.upstream["asr"], w.upstream.get("shots"), w.context, w.models,
                        w.options.tagging),
    ),
    StageRow(
        TRANSCODE, needs=("shots",), group="picture", gpu="nvenc", requires="picture",
        task=transcode_task,
        args=lambda w: (w.source, w.media, w.upstream.get("shots"), w.context,
                        TranscodeOptions(encoder=w.options.encoder,
                                         deinterlace=w.options.deinterlace,
                                         crop_bars=w.options.crop_bars)),
    ),
    # English subtitles: Whisper's translate task on the same model, then the same cue rules
    StageRow(
        ASR, label="translate", needs=("probe",), group="speech", gpu="cuda",
        requires="translation", task=transcribe_task,
        args=lambda w: (w.source, w.media, w.context, w.models,
                        _asr_options(w.options, "translate")),
    ),
    StageRow(
        SUBTITLES, label="subtitles-en", needs=("translate", "shots"), group="speech",
        requires="translation", task=subtitles_task,
        args=lambda w: (w.upstream["translate"], w.media, w.upstream.get("shots"), w.context,
                        SubtitleOptions()),
    ),
    # A release is complete or not made: its text tracks and review page need the speech stages.
    StageRow(
        PUBLISH, needs=("transcode", "subtitles", "tagging", "subtitles-en"), group="publish",
        requires="picture",
        task=publish_task,
        args=lambda w: (w.source, w.media, w.upstream.get("shots"), w.upstream["transcode"],
                        w.context, cdn_target(w.options, w.settings), _release_inputs(w)),
    ),
)  # fmt: skip
"""The DAG in a topological order: a stage comes after every stage it needs or waits for."""

STAGES: dict[str, StageRow] = {row.name: row for row in TABLE}
# Run first, in the flow's own process: what they find decides which other stages apply.
FIRST = ("fetch", "probe")
GROUPS: dict[str, tuple[str, ...]] = {}
for _row in TABLE:
    GROUPS[_row.group] = (*GROUPS.get(_row.group, ()), _row.name)


def is_stage(name: str) -> TypeGuard[StageName]:
    """Whether ``name`` is a stage (StageName spells out the names of STAGES)."""
    return name in STAGES


def plan_stages(until: str, stages: Sequence[str] | None) -> list[str]:
    """The stages to run, in DAG order: the targets and everything they need."""
    names = list(STAGES)
    targets = set(stages) if stages else set(names[: names.index(until) + 1])
    needed: set[str] = set()
    while targets:
        stage = targets.pop()
        needed.add(stage)
        targets |= set(STAGES[stage].needs) - needed
    return [stage for stage in names if stage in needed]


def group_needs(group: str) -> set[str]:
    """The stage groups that must be done before ``group`` starts."""
    before = {s for name in GROUPS[group] for s in plan_stages(name, [name])}
    return {STAGES[s].group for s in before} - {group}


def task_kwargs(row: StageRow, w: Wiring) -> dict[str, Any]:
    """The GPU slot a GPU stage holds on a GPU pool; nothing elsewhere."""
    pool = w.settings.gpu_pool
    return {"gpu": GpuSlot(pool, row.gpu)} if row.gpu and pool else {}


def read_manifests(run: AssetRun, storage: Storage) -> dict[str, Manifest[Any]]:
    """The manifests of a run's stages, in DAG order, typed by each stage's artefact."""
    manifests: dict[str, Manifest[Any]] = {}
    for name, row in STAGES.items():
        url = run.manifests.get(name)
        if url and (manifest := read_manifest(storage, url, row.stage.artefact)) is not None:
            manifests[name] = manifest
    return manifests
