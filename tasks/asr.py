"""transcribe task: a fetched master's speech -> Transcript (timed words) with a store model."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from regie.artefacts import MediaInfo, SourceAsset, Transcript
from regie.asr import AsrOptions, transcribe_asset
from regie.models import ModelStore
from regie.stage import StageContext, StageOutcome
from tasks.gpu import GpuSlot, gpu_slot
from tasks.policy import STAGE_TASK_OPTIONS, stage_time_limit


@task(
    name="transcribe",
    task_run_name="transcribe-{source.asset_id}",
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def transcribe_task(
    source: SourceAsset,
    media: MediaInfo,
    context: StageContext,
    models: ModelStore,
    options: AsrOptions,
    gpu: GpuSlot | None = None,
) -> StageOutcome[Transcript]:
    """Recognise speech with Whisper from the model store, word times included.

    On a GPU pool the model runs while holding the ``gpu`` slot.
    """
    with gpu_slot(gpu), stage_time_limit("asr"):
        outcome = transcribe_asset(source, media, context, models, options)
    transcript = outcome.artefact
    get_run_logger().info(
        "%s: %d words in %d segments, language %s, by %s (%s)%s",
        source.asset_id, transcript.words, transcript.segments, transcript.language,
        transcript.model, transcript.backend,
        f": empty, {transcript.reason}" if transcript.reason else "",
    )  # fmt: skip
    return outcome
