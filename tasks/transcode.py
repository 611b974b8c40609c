"""transcode task: master (+ shot list) -> checked ABR package in CMAF with HLS and DASH."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from regie.artefacts import MediaInfo, RenditionSet, ShotList, SourceAsset
from regie.stage import StageContext, StageOutcome
from regie.transcode import TranscodeOptions, transcode
from tasks.gpu import GpuSlot, gpu_slot
from tasks.policy import STAGE_TASK_OPTIONS, stage_time_limit


@task(
    name="transcode",
    task_run_name="transcode-{source.asset_id}",
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def transcode_task(
    source: SourceAsset,
    media: MediaInfo,
    shots: StageOutcome[ShotList] | None,
    context: StageContext,
    options: TranscodeOptions,
    gpu: GpuSlot | None = None,
) -> StageOutcome[RenditionSet]:
    """Encode the ladder with key frames on every shot cut, R128 audio, thumbnails and poster.

    On a GPU pool the encode holds the ``gpu`` (NVENC) slot unless libx264 was asked for.
    """
    with gpu_slot(gpu if options.encoder != "libx264" else None), stage_time_limit("transcode"):
        outcome = transcode(source, media, shots, context, options)
    ladder = outcome.artefact
    rungs = ", ".join(f"{r.name} (SSIM {r.ssim})" for r in ladder.renditions)
    get_run_logger().info(
        "%s: %s by %s (%s); %d IDR frames, %d on shot cuts; master %s",
        source.asset_id, rungs, ladder.encoder, ladder.encoder_reason, ladder.keyframes,
        ladder.shot_cuts_aligned, ladder.hls_master,
    )  # fmt: skip
    return outcome
