"""Transcode stage: a master becomes a checked, shot-aligned ABR package (CMAF, HLS and DASH).

The plan (renditions, key frames, loudness gain) is computed first from the probe, the shot list
and a loudness measurement; one ffmpeg process then encodes and packages everything; the result
is validated (sizes, durations, key frame alignment, playlists, MPD, output loudness, SSIM) before
anything is published. A failed encode or check raises, so no manifest is ever written for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pydantic import Field

from regie.artefacts import (
    EncodedAudio,
    EncodedRendition,
    LoudnessMeasure,
    MediaInfo,
    Rendition,
    RenditionSet,
    ScanDecision,
    ShotList,
    SourceAsset,
    VideoStream,
)
from regie.content_types import CONTENT_TYPES
from regie.errors import PermanentError
from regie.fetch import local_source
from regie.ffmpeg import run_tool, tool_version
from regie.package.dash import Thumbnails
from regie.package.finish import finish_package
from regie.picture import Deinterlace, filter_chain, progressive_filters, without_bars
from regie.programme import TimeSpan, programme_input, seek_options
from regie.shots.keyframes import extract_keyframes
from regie.stage import Stage, StageContext, StageOptions, StageOutcome, StageRun, run_stage
from regie.transcode import validate
from regie.transcode.command import (
    MANIFEST_MPD,
    MASTER_M3U8,
    LadderJob,
    SpriteSpec,
    build_ladder_argv,
)
from regie.transcode.encoders import EncoderPreference, EncoderSettings, select_encoder
from regie.transcode.keyframes import keyframe_times
from regie.transcode.ladder import DEFAULT_LADDER, Rung, plan_renditions
from regie.transcode.loudness import (
    GainFilter,
    LoudnessTarget,
    measure_loudness,
    normalise_filter,
)
from regie.transcode.thumbnails import poster_time, thumbnails_vtt

log = logging.getLogger("regie.transcode")
TRANSCODE = Stage("transcode", "3", RenditionSet)
SILENCE_LUFS = -70.0


@dataclass(frozen=True)
class Checks:
    """What validation found, for the artefact."""

    ssim: list[float | None]
    keyframes: int
    cuts: int
    loudness_in: LoudnessMeasure | None
    loudness_out: LoudnessMeasure | None


class TranscodeOptions(StageOptions):
    """The ladder and how it is encoded; every field is part of the stage key."""

    ladder: tuple[Rung, ...] = Field(DEFAULT_LADDER, description="Rungs before pruning.")
    encoder: EncoderPreference = Field("auto", description="auto: NVENC when usable here.")
    preset: str = Field("veryfast", description="libx264 preset for rungs without their own.")
    segment_s: int = Field(6, description="Target segment duration (Apple: 6 s).")
    keyframe_interval_s: int = Field(2, description="IDR grid (Apple: every 2 s).")
    audio_bitrate_kbps: int = 128
    loudness: LoudnessTarget = LoudnessTarget()
    sprites: SpriteSpec = SpriteSpec()
    ssim_step: int = Field(10, description="SSIM measured on every Nth frame (0: not measured).")
    ssim_windows: int = Field(
        12, description="SSIM on this many windows spread over the programme (0: all of it)."
    )
    ssim_window_s: int = Field(5, description="Length of each SSIM window.")
    deinterlace: Deinterlace = Field(
        "frame", description="Interlaced masters: frame (25i -> 25p) or field (50p, for sport)."
    )
    poster_width: int = 1280
    crop_bars: bool = Field(
        False, description="Publish the picture inside measured letterbox/pillarbox bars."
    )


def transcode(
    source: SourceAsset,
    media: MediaInfo,
    shots: StageOutcome[ShotList] | None,
    context: StageContext,
    options: TranscodeOptions | None = None,
) -> StageOutcome[RenditionSet]:
    """Encode the ladder of a fetched asset, or return the manifest of an identical earlier run.

    Raises:
        PermanentError: Audio-only asset, a failed encode or a failed check.
    """
    opts = options or TranscodeOptions()
    if media.primary_video is None:
        raise PermanentError(source.asset_id, "audio-only asset: there is no picture to transcode")
    encoder = select_encoder(opts.encoder, opts.preset)
    shot_list = shots.artefact if shots else None
    inputs = {
        "source": source.sha256,
        "shots": shots.manifest.key if shots else "none",
        "encoder": encoder.name,
        **programme_input(media.programme),
    }

    def produce(run: StageRun) -> RenditionSet:
        log.info("%s: encoding with %s (%s)", source.asset_id, encoder.name, encoder.reason)
        run.tools.update(ffmpeg=tool_version("ffmpeg"), encoder=encoder.name)
        return _encode(local_source(source, context), media, shot_list, encoder, run, opts)

    return run_stage(TRANSCODE, source.asset_id, inputs, opts, context, produce)


def _encode(
    path: Path,
    media: MediaInfo,
    shots: ShotList | None,
    encoder: EncoderSettings,
    run: StageRun,
    opts: TranscodeOptions,
) -> RenditionSet:
    asset = media.asset_id
    video = media.primary_video
    assert video is not None
    duration = media.programme.duration if media.programme else video.duration or media.duration
    seek = seek_options(media.programme)
    shown = without_bars(video) if opts.crop_bars else video
    renditions = plan_renditions(_as_deinterlaced(shown, opts.deinterlace), opts.ladder)
    cuts = shots.cut_times() if shots else []
    interval = Fraction(opts.keyframe_interval_s)
    keyframes = keyframe_times(duration, cuts, renditions[0].frame_rate, interval)
    layout = media.audio_layout
    mixes = [(layout, version) for version in layout.versions] if layout else []
    measures = [measure_loudness(path, opts.loudness, asset, mix, seek) for mix in mixes]
    job = LadderJob(
        source=path, output_dir=run.scratch / "package", renditions=renditions,
        keyframes=keyframes, encoder=encoder,
        aspect=Fraction(shown.display_width, shown.display_height),
        progressive=progressive_filters(video, opts.deinterlace, opts.crop_bars), audio=layout,
        gains=[_gain(m, opts.loudness) for m in measures],
        audio_bitrate_kbps=opts.audio_bitrate_kbps, segment_s=opts.segment_s, sprites=opts.sprites,
        seek=seek,
    )  # fmt: skip
    (job.output_dir / "thumbnails").mkdir(parents=True)
    run_tool(build_ladder_argv(job), asset)
    versions = layout.versions if layout else []
    language = media.audio[0].language if media.audio else None
    finish_package(job.output_dir, MASTER_M3U8, MANIFEST_MPD, opts.segment_s, language,
                   _thumbnails(opts.sprites), versions)  # fmt: skip
    start = media.programme.start if media.programme else Fraction(0)
    idr_count = _validate(job, duration, cuts, asset)
    loudness_in = measures[0] if measures else None
    report = Checks(
        ssim=ssim_check(job, (start, duration), video, opts, asset),
        keyframes=idr_count, cuts=len(cuts), loudness_in=loudness_in,
        loudness_out=_check_loudness(job, opts.loudness, loudness_in, asset),
    )  # fmt: skip
    extras = _poster_and_thumbnails(path, (start, duration), shots, job, opts, asset)
    return _store_outputs(run, job, report, duration, extras, video.scan, asset)


def _as_deinterlaced(video: VideoStream, mode: Deinterlace) -> VideoStream:
    """The stream as the ladder sees it: one field a frame doubles the rate of interlaced video."""
    if mode == "field" and video.scan is not None and video.scan.interlaced:
        return video.model_copy(update={"frame_rate": video.frame_rate * 2})
    return video


def _thumbnails(sprites: SpriteSpec) -> Thumbnails:
    """The sprite sheets as DASH-IF tiles (``sprite-0001.jpg``... under thumbnails/)."""
    return Thumbnails(
        media="thumbnails/sprite-$Number%04d$.jpg", interval_s=sprites.interval_s,
        columns=sprites.columns, rows=sprites.rows, tile_width=sprites.width,
        tile_height=sprites.height,
    )  # fmt: skip


def _gain(measured: LoudnessMeasure | None, target: LoudnessTarget) -> GainFilter | None:
    if measured is None or measured.integrated_lufs <= SILENCE_LUFS:
        return None
    return normalise_filter(measured, target)


def _validate(job: LadderJob, duration: Fraction, cuts: list[Fraction], asset: str) -> int:
    """The structural checks of validate.py; returns the IDR frames per rung."""
    playlists = _media_playlists(job)
    probes = [validate.probe_rendition(p, asset) for p in playlists]
    for probe, rendition in zip(probes, job.renditions, strict=True):
        validate.check_rendition(probe, rendition, duration, asset)
    validate.check_keyframes(probes, job.renditions, cuts, asset)
    validate.check_playlists(job.output_dir / MASTER_M3U8, job.renditions, job.segment_s, asset)
    validate.check_mpd(job.output_dir / MANIFEST_MPD, job.renditions, duration, asset)
    return len(probes[0].keyframes)


def ssim_check(
    job: LadderJob,
    programme: tuple[Fraction, Fraction],
    video: VideoStream,
    opts: TranscodeOptions,
    asset: str,
) -> list[float | None]:
    """SSIM of each rung against the master, over windows of the programme (``start``, duration)."""
    playlists = _media_playlists(job)
    if opts.ssim_step <= 0:
        return [None] * len(playlists)
    start, duration = programme
    whole = TimeSpan(start=0, end=duration)
    rates = [r for r in (video.frame_rate, *(r.frame_rate for r in job.renditions)) if r > 0]
    windows = (
        [whole]  # a variable rate's frames are not on the grid a seek would restart
        if video.vfr
        else validate.ssim_windows(
            duration, 1 / min(rates), opts.ssim_windows, Fraction(opts.ssim_window_s)
        )
    )
    lead = 1 / (4 * max(rates))  # seeked this early, a window keeps its first frame, not one before
    segments = [validate.media_segments(p) for p in playlists] if windows != [whole] else []
    scores: list[list[float | None]] = []
    for n, window in enumerate(windows):
        encoded: list[validate.Input]
        if window == whole:  # each input read from its start
            master, encoded = (str(job.source), job.seek), [(str(p), {}) for p in playlists]
        else:
            master, encoded = _window_inputs(job.source, playlists, segments, start, window, lead,
                                             asset)  # fmt: skip
        logs = [p.with_suffix(f".ssim-{n:02d}.log") for p in playlists]
        argv = validate.ssim_argv(
            master, encoded, job.renditions, opts.ssim_step, logs, job.progressive
        )
        run_tool(argv, asset)
        scores.append([validate.mean_ssim(log) for log in logs])
    return [_mean_ssim(rendition, column, asset) for rendition, column in
            zip(job.renditions, zip(*scores, strict=True), strict=True)]  # fmt: skip


def _mean_ssim(rendition: Rendition, windows: Sequence[float | None], asset: str) -> float:
    """The rung's SSIM over the windows, each of which must have compared frames."""
    if any(score is None for score in windows):
        raise PermanentError(asset, f"SSIM of {rendition.name}: a window compared no frame")
    return round(sum(s for s in windows if s is not None) / len(windows), 5)


def _window_inputs(
    source: Path,
    playlists: list[Path],
    segments: list[tuple[str, list[validate.MediaSegment]]],
    start: Fraction,
    window: TimeSpan,
    lead: Fraction,
    asset: str,
) -> tuple[validate.Input, list[validate.Input]]:
    """The master (programme ``start`` + window) and the renditions over one window, both seeked
    ``lead`` early (a quarter of the shortest frame): each keeps the window's first frame, never
    the one before, and ``fps`` puts it at 0 on both sides."""
    lead = min(lead, window.start)
    early = TimeSpan(start=window.start - lead, end=window.end - lead)
    in_master = TimeSpan(start=start + early.start, end=start + early.end)
    return (str(source), seek_options(in_master)), [
        validate.window_input(p.parent, init, media, early, asset)
        for p, (init, media) in zip(playlists, segments, strict=True)
    ]


def _check_loudness(
    job: LadderJob, target: LoudnessTarget, measured_in: LoudnessMeasure | None, asset: str
) -> LoudnessMeasure | None:
    if measured_in is None:
        return None
    audio_playlist = job.output_dir / f"media_{len(job.renditions)}.m3u8"
    out = measure_loudness(audio_playlist, target, asset)
    if job.gains[0] is not None and abs(out.integrated_lufs - target.integrated_lufs) > (
        target.tolerance_lu
    ):
        raise PermanentError(
            asset,
            f"output loudness {out.integrated_lufs} LUFS is outside "
            f"{target.integrated_lufs} ± {target.tolerance_lu} LU",
        )
    return out


def _poster_and_thumbnails(
    path: Path,
    programme: tuple[Fraction, Fraction],
    shots: ShotList | None,
    job: LadderJob,
    opts: TranscodeOptions,
    asset: str,
) -> dict[str, Path]:
    """The poster (from the master, at programme ``start`` + its time) and the sprites' VTT."""
    start, duration = programme
    width = min(opts.poster_width, job.renditions[0].width)
    folder = job.output_dir / "poster"
    prefilter = filter_chain(job.progressive)
    times = [start + poster_time(duration, shots)]
    (picture,) = extract_keyframes(path, times, folder, width, asset, prefilter)
    poster = picture.rename(job.output_dir / "poster.jpg")
    folder.rmdir()
    vtt = job.output_dir / "thumbnails" / "thumbnails.vtt"
    vtt.write_text(thumbnails_vtt(duration, opts.sprites), encoding="utf-8")
    return {"poster": poster, "thumbnails_vtt": vtt}


def _store_outputs(
    run: StageRun,
    job: LadderJob,
    report: Checks,
    duration: Fraction,
    extras: dict[str, Path],
    scan: ScanDecision | None,
    asset: str,
) -> RenditionSet:
    """Segments and pictures first, playlists and manifests last."""
    files = sorted(
        (p for p in job.output_dir.rglob("*") if p.is_file() and p.suffix in CONTENT_TYPES),
        key=lambda p: (p.suffix in (".m3u8", ".mpd"), str(p)),
    )
    uris = {
        p: run.publish(p, str(p.relative_to(job.output_dir)), CONTENT_TYPES[p.suffix])
        for p in files
    }
    playlists = _media_playlists(job)
    audio = job.output_dir / f"media_{len(job.renditions)}.m3u8"
    versions = job.audio.versions if job.audio else []
    first = len(job.renditions)
    return RenditionSet(
        asset_id=asset,
        encoder=job.encoder.name,
        encoder_reason=job.encoder.reason,
        duration=duration,
        renditions=[
            _encoded(r, uris[p], s)
            for r, p, s in zip(job.renditions, playlists, report.ssim, strict=True)
        ],
        hls_master=uris[job.output_dir / MASTER_M3U8],
        dash_manifest=uris[job.output_dir / MANIFEST_MPD],
        audio_playlist=uris.get(audio),
        audio_versions=[
            EncodedAudio(**v.model_dump(), playlist=uris[job.output_dir / f"media_{n}.m3u8"])
            for n, v in enumerate(versions, first)
        ],
        scan=scan,
        picture_filters=filter_chain(job.progressive).rstrip(","),
        keyframes=report.keyframes,
        shot_cuts_aligned=report.cuts,
        loudness_in=report.loudness_in,
        loudness_out=report.loudness_out,
        poster=uris[extras["poster"]],
        thumbnails_vtt=uris[extras["thumbnails_vtt"]],
        sprites=[u for p, u in uris.items() if p.name.startswith("sprite-")],
    )


def _encoded(rendition: Rendition, playlist: str, ssim: float | None) -> EncodedRendition:
    return EncodedRendition(**rendition.model_dump(), playlist=playlist, ssim=ssim)


def _media_playlists(job: LadderJob) -> list[Path]:
    return [job.output_dir / f"media_{index}.m3u8" for index in range(len(job.renditions))]
