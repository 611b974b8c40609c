"""tag-topics task: Transcript (+ ShotList) -> IPTC Media Topics and keywords per segment."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from regie.artefacts import ShotList, TagSet, Transcript
from regie.models import ModelStore
from regie.stage import StageContext, StageOutcome
from regie.tagging.stage import TaggingOptions, tag_transcript
from tasks.policy import STAGE_TASK_OPTIONS, stage_time_limit


@task(
    name="tag-topics",
    task_run_name="tag-topics-{transcript.manifest.asset_id}",
    cache_policy=NO_CACHE,
    **STAGE_TASK_OPTIONS,
)
def tagging_task(
    transcript: StageOutcome[Transcript],
    shots: StageOutcome[ShotList] | None,
    context: StageContext,
    models: ModelStore,
    options: TaggingOptions,
) -> StageOutcome[TagSet]:
    """IPTC Media Topics (French and English labels) and keywords, per segment and overall."""
    with stage_time_limit("tagging"):
        outcome = tag_transcript(transcript, shots, context, models, options)
    tags = outcome.artefact
    labels = ", ".join(f"{t.label_fr} ({t.score:.2f})" for t in tags.topics) or tags.reason
    get_run_logger().info("%s: %s by %s", tags.asset_id, labels, tags.tagger)
    return outcome
