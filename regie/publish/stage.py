"""Publish stage: a transcode package becomes a live, verified release on the CDN origin.

Order is what makes a release atomic for viewers: every segment and picture first (in parallel),
then the release's playlists and MPD, then ``release.json`` marking it complete, and only then
the switch of the stable entry points (see :mod:`regie.publish.switch`). A failure before the
switch leaves the previous release live and untouched; a re-run resumes, skipping every object
already in place. The release id is the transcode key, so the same package always lands in the
same folder.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from regie.artefacts import (
    MediaInfo,
    PublishReceipt,
    RenditionSet,
    ShotList,
    SourceAsset,
    SubtitleSet,
    TagSet,
    Transcript,
)
from regie.asr.stage import load_document
from regie.errors import MediaError
from regie.package.contents import ReleaseContents, release_outputs, review_outputs
from regie.package.review import REVIEW, ReviewInputs
from regie.publish.layout import CachePolicy, ReleaseFile, asset_slug, release_files
from regie.publish.pointer import POINTER, STABLE_DASH, STABLE_HLS, stable_keys
from regie.publish.purge import EdgeServicesTarget, purge
from regie.publish.switch import read_pointer, switch_to, write_release_record
from regie.publish.upload import upload_files
from regie.publish.verify import verify_in_store, verify_over_http
from regie.stage import Stage, StageContext, StageOptions, StageOutcome, StageRun, run_stage
from regie.storage import Storage, join_url

log = logging.getLogger("regie.publish")
PUBLISH = Stage("publish", "2", PublishReceipt)
METADATA = "metadata.json"


class CdnTarget(BaseModel):
    """Where releases go and how viewers reach them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    origin_url: str = Field(description="Origin bucket or folder (s3://... or file://...).")
    prefix: str = Field("programmes", description="Folder of every asset under the origin.")
    http_base_url: str | None = Field(
        None, description="The origin's HTTP address (prefix included), for verification."
    )
    edge: EdgeServicesTarget | None = Field(None, description="CDN to purge after a switch.")


def make_cdn_target(
    origin_url: str,
    prefix: str,
    http_base_url: str | None,
    pipeline_id: str | None,
    token: SecretStr | None,
    api_url: str,
) -> CdnTarget:
    """A target from flat settings (environment or block); no purge without pipeline and token."""
    edge = None
    if pipeline_id and token:
        edge = EdgeServicesTarget(pipeline_id=pipeline_id, token=token, api_url=api_url)
    return CdnTarget(origin_url=origin_url, prefix=prefix, http_base_url=http_base_url, edge=edge)


class PublishOptions(StageOptions):
    """Upload parallelism and cache headers; part of the stage key."""

    workers: int = Field(16, description="Parallel uploads and checks.")
    cache: CachePolicy = CachePolicy()
    verify: bool = True


@dataclass(frozen=True)
class ReleaseInputs:
    """What the speech stages add to a release: subtitle tracks, the spoken language, tags."""

    subtitles: tuple[StageOutcome[SubtitleSet], ...] = ()  # in the spoken language
    translations: tuple[StageOutcome[SubtitleSet], ...] = ()  # from Whisper's translate task
    transcript: StageOutcome[Transcript] | None = None
    tags: StageOutcome[TagSet] | None = None
    skipped: tuple[tuple[str, str], ...] = ()  # (stage, why), shown on the review page

    def keys(self) -> dict[str, str]:
        """Stage keys of the inputs, for the publish key."""
        keys = {f"subtitles-{i}": s.manifest.key for i, s in enumerate(self.subtitles)}
        keys |= {f"translation-{i}": s.manifest.key for i, s in enumerate(self.translations)}
        if self.transcript is not None:
            keys["asr"] = self.transcript.manifest.key
        if self.tags is not None:
            keys["tagging"] = self.tags.manifest.key
        if self.skipped:
            keys["skipped"] = json.dumps(self.skipped)
        return keys


@dataclass(frozen=True)
class ReleasePlan:
    """One release of one asset: what goes where."""

    asset: str
    slug: str
    release: str
    asset_url: str
    files: list[ReleaseFile]

    @property
    def release_url(self) -> str:
        return join_url(self.asset_url, self.release)


def publish(
    source: SourceAsset,
    media: MediaInfo,
    shots: ShotList | None,
    ladder: StageOutcome[RenditionSet],
    context: StageContext,
    target: CdnTarget,
    options: PublishOptions | None = None,
    extras: ReleaseInputs | None = None,
) -> StageOutcome[PublishReceipt]:
    """Release the package of ``source`` with its text tracks, or return an identical run's receipt.

    The release id is the publish key: new subtitles make a new release, never a changed one.

    Raises:
        PermanentError: An unsafe key, a package that does not validate, an incomplete release,
            or a failed verification.
        TransientError: The origin or the CDN API failed in a way a retry may fix.
    """
    opts = options or PublishOptions()
    more = extras or ReleaseInputs()
    slug = asset_slug(source.key)
    inputs = {
        "transcode": ladder.manifest.key,
        "origin": join_url(target.origin_url, target.prefix),
        **more.keys(),
    }

    def produce(run: StageRun) -> PublishReceipt:
        contents = ReleaseContents(
            ladder=ladder.manifest, subtitles=[s.manifest for s in more.subtitles],
            language=more.transcript.artefact.language if more.transcript else None,
            translations=[s.manifest for s in more.translations],
        )  # fmt: skip
        release = run.prefix.rstrip("/").rsplit("/", 1)[-1]
        outputs = release_outputs(run, contents, source.asset_id)
        review = _review_inputs(source, release, ladder, shots, (more, contents), run)
        outputs += review_outputs(run, review)
        files = release_files(outputs, opts.cache, source.asset_id)
        metadata = _metadata_file(run, source, media, shots, ladder.artefact, contents, opts.cache)
        plan = ReleasePlan(
            asset=source.asset_id, slug=slug, release=release,
            asset_url=join_url(target.origin_url, target.prefix, slug), files=[*files, metadata],
        )  # fmt: skip
        return _release(run.context.storage, plan, target, opts)

    return run_stage(PUBLISH, source.asset_id, inputs, opts, context, produce)


def _release(
    storage: Storage, plan: ReleasePlan, target: CdnTarget, opts: PublishOptions
) -> PublishReceipt:
    """Upload, mark complete, switch, verify, purge: in that order."""
    media = [f for f in plan.files if f.kind == "media"]
    manifests = [f for f in plan.files if f.kind == "manifest"]
    done = [
        upload_files(storage, group, plan.release_url, opts.workers, opts.cache.acl)
        for group in (media, manifests)
    ]
    record = {
        "release": plan.release,
        "objects": len(plan.files),
        "completed_at": datetime.now(UTC),
    }
    write_release_record(storage, plan.release_url, record, opts.cache)
    previous = read_pointer(storage, plan.asset_url)
    switch_to(storage, plan.asset_url, plan.slug, plan.release, opts.cache)
    log.info("%s: release %s is live at %s", plan.asset, plan.release, plan.asset_url)
    try:
        verified, over = _verify(storage, plan, target, opts)
    except MediaError:
        if previous is not None and previous.release != plan.release:  # viewers go back
            switch_to(storage, plan.asset_url, plan.slug, previous.release, opts.cache)
            log.warning("%s: verification failed, back to release %s", plan.asset, previous.release)
        raise
    purge_id = None
    if target.edge is not None:
        purge_id = purge(target.edge, stable_keys(target.prefix, plan.slug), plan.asset)
    return PublishReceipt(
        asset_id=plan.asset, slug=plan.slug, release=plan.release, release_url=plan.release_url,
        hls=join_url(plan.asset_url, STABLE_HLS), dash=join_url(plan.asset_url, STABLE_DASH),
        review=join_url(plan.release_url, REVIEW, "index.html"),
        pointer=join_url(plan.asset_url, POINTER), uploaded=sum(d.uploaded for d in done),
        skipped=sum(d.skipped for d in done), verified=verified, verified_over=over,
        purge_request=purge_id,
    )  # fmt: skip


def _verify(
    storage: Storage, plan: ReleasePlan, target: CdnTarget, opts: PublishOptions
) -> tuple[int, str]:
    if not opts.verify:
        return 0, "none"
    if target.http_base_url:
        base = f"{target.http_base_url.rstrip('/')}/{plan.slug}"
        return verify_over_http(base, plan.release, plan.files, plan.asset, opts.workers), "http"
    return verify_in_store(storage, plan.asset_url, plan.release, plan.files), "store"


def _review_inputs(
    source: SourceAsset,
    release: str,
    ladder: StageOutcome[RenditionSet],
    shots: ShotList | None,
    inputs: tuple[ReleaseInputs, ReleaseContents],
    run: StageRun,
) -> ReviewInputs:
    more, contents = inputs
    storage = run.context.storage
    transcript = more.transcript.artefact if more.transcript else None
    subtitles = [
        (t.language, storage.read_bytes(t.manifest.artefact.webvtt).decode("utf-8"), t.translation)
        for t in contents.tracks()
    ]
    return ReviewInputs(
        title=Path(source.key).stem, asset_id=source.asset_id, release=release,
        ladder=ladder.artefact, shots=shots, subtitles=subtitles, transcript=transcript,
        document=load_document(run.context, transcript) if transcript else None,
        tags=more.tags.artefact if more.tags else None, skipped=dict(more.skipped),
        compliance=[(t.language, t.manifest.artefact.compliance) for t in contents.tracks()],
    )  # fmt: skip


def _metadata_file(
    run: StageRun,
    source: SourceAsset,
    media: MediaInfo,
    shots: ShotList | None,
    ladder: RenditionSet,
    contents: ReleaseContents,
    cache: CachePolicy,
) -> ReleaseFile:
    """``metadata.json`` for the player and the catalogue, written to the stage's outputs."""
    probed = sorted({a.language for a in media.audio if a.language})
    document = {
        "title": Path(source.key).stem,
        "asset_id": source.asset_id,
        "duration_s": float(ladder.duration),
        "languages": [contents.language] if contents.language else probed,
        "subtitles": contents.subtitle_records(),
        "review": f"{REVIEW}/index.html",
        "shots": len(shots.shots) if shots else None,
        "renditions": [f"{r.width}x{r.height}" for r in ladder.renditions],
        "timecode": {"start": _programme_timecode(media), "drop_frame": media.drop_frame},
        "audio": [
            {"role": a.role, "language": a.language, "tracks": a.tracks}
            for a in ladder.audio_versions
        ],
        "tags": [],  # filled by the tagging stage when it runs (issue 6)
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    uri = run.publish_text(METADATA, text, "application/json")
    stored = run.outputs[-1]
    return ReleaseFile(
        source=uri, key=METADATA, size=stored.size, sha256=stored.sha256,
        content_type="application/json", cache_control=cache.media, kind="media",
    )  # fmt: skip


def _programme_timecode(media: MediaInfo) -> str | None:
    """The master's timecode at the first published frame (after any tape leader)."""
    # imported here: regie.shots brings numpy and pandas, and settings (so every fetch) imports
    # this module, whose peak memory is bounded
    from regie.shots.timecode import programme_timecode

    video = media.primary_video
    rate = video.frame_rate if video else Fraction(25)
    return programme_timecode(media.timecode, rate, media.programme)
