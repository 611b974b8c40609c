"""Shots stage: a detector's boundaries become a ShotList with keyframes, contact sheet, CSV, EDL.

The shot list itself is built by a pure function from the detection (frames and timestamps); the
stage adds the pictures and the exports and publishes everything under the stage contract.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from regie.artefacts import MediaInfo, Shot, ShotList, SourceAsset, Transition
from regie.errors import PermanentError
from regie.fetch import local_source
from regie.ffmpeg import tool_version
from regie.picture import progressive_chain
from regie.programme import programme_input
from regie.shots.detector import Detection, get_detector
from regie.shots.exports import contact_sheet, to_csv
from regie.shots.keyframes import extract_keyframes
from regie.shots.timecode import programme_timecode, timecode_at
from regie.shots.timeline import to_edl, to_otio
from regie.stage import Stage, StageContext, StageOptions, StageOutcome, StageRun, run_stage

SHOTS = Stage("shots", "2", ShotList)


class ShotOptions(StageOptions):
    """Which detector runs and how the pictures for people look."""

    detector: str = "fast"
    keyframe_width: int = 320
    contact_columns: int = 6


def detect_shots(
    source: SourceAsset,
    media: MediaInfo,
    context: StageContext,
    options: ShotOptions | None = None,
) -> StageOutcome[ShotList]:
    """Detect the shots of a fetched asset, or return the manifest of an earlier identical run.

    Raises:
        PermanentError: Audio-only asset, or no decodable video frame.
    """
    opts = options or ShotOptions()
    video = media.primary_video
    if video is None:
        raise PermanentError(source.asset_id, "audio-only asset: it has no shots to detect")

    def produce(run: StageRun) -> ShotList:
        path = local_source(source, context)
        prefilter = progressive_chain(video)
        detection = _programme_part(
            get_detector(opts.detector).detect(path, source.asset_id, prefilter), media
        )
        if detection.frame_count == 0:
            raise PermanentError(source.asset_id, "no video frame could be decoded")
        run.tools.update(ffmpeg=tool_version("ffmpeg"), detector=opts.detector)
        shots = build_shot_list(detection, source.asset_id, opts.detector, video.frame_rate)
        timecode = programme_timecode(media.timecode, video.frame_rate, media.programme)
        shots = shots.model_copy(update={"start_timecode": timecode})
        frame = frame_duration(video.frame_rate)
        start = media.programme.start if media.programme else Fraction(0)
        middles = [  # in the master, where the keyframes are taken
            start + detection.times.seconds((s.first_frame + s.last_frame) // 2, frame)
            for s in shots.shots
        ]
        return _with_pictures_and_exports(shots, middles, path, source, run, opts, prefilter)

    inputs = {"source": source.sha256, **programme_input(media.programme)}
    return run_stage(SHOTS, source.asset_id, inputs, opts, context, produce)


def _programme_part(detection: Detection, media: MediaInfo) -> Detection:
    """The detection of the programme's frames alone (every detector reads the whole master)."""
    programme = media.programme
    if programme is None:
        return detection
    return detection.within(programme.first_frame, programme.first_frame + programme.frames)


def build_shot_list(
    detection: Detection, asset_id: str, detector: str, frame_rate: Fraction
) -> ShotList:
    """Shots and transitions from a detection (pure). A gradual transition splits at its middle."""
    count, times = detection.frame_count, detection.times
    frame = frame_duration(frame_rate)
    boundaries = [b for b in detection.boundaries() if 0 < b < count]
    starts, stops = [0, *boundaries], [*boundaries, count]
    shots = [
        Shot(
            index=index,
            first_frame=first,
            last_frame=stop - 1,
            start=times.seconds(first, frame),
            end=times.seconds(stop, frame),
        )
        for index, (first, stop) in enumerate(zip(starts, stops, strict=True))
    ]
    cuts = [
        Transition(
            kind="cut", first_frame=cut, last_frame=cut,
            start=times.seconds(cut, frame), end=times.seconds(cut, frame),
        )
        for cut in detection.cuts
        if 0 < cut < count
    ]  # fmt: skip
    mixes = [
        Transition(
            kind="gradual", first_frame=first, last_frame=last,
            start=times.seconds(first, frame), end=times.seconds(last + 1, frame),
        )
        for first, last in detection.gradual
    ]  # fmt: skip
    return ShotList(
        asset_id=asset_id,
        detector=detector,
        frame_count=count,
        frame_rate=frame_rate,
        shots=shots,
        transitions=sorted(cuts + mixes, key=lambda t: t.first_frame),
    )


def frame_duration(rate: Fraction) -> Fraction:
    """Duration of one frame; zero when the container declares no rate (0/0)."""
    return 1 / rate if rate else Fraction(0)


def _with_pictures_and_exports(
    shots: ShotList,
    middles: list[Fraction],
    path: Path,
    source: SourceAsset,
    run: StageRun,
    opts: ShotOptions,
    prefilter: str,
) -> ShotList:
    """Keyframes at each shot's middle frame, the contact sheet, CSV and EDL, all published."""
    folder = run.scratch / "keyframes"
    pictures = extract_keyframes(
        path, middles, folder, opts.keyframe_width, source.asset_id, prefilter
    )
    uris = [run.publish(p, f"keyframes/{p.name}", "image/jpeg") for p in pictures]
    shots = shots.model_copy(
        update={
            "shots": [
                s.model_copy(update={"keyframe": u}) for s, u in zip(shots.shots, uris, strict=True)
            ]
        }
    )
    rate, start = shots.frame_rate, shots.start_timecode
    captions = [
        f"#{shot.index + 1}  {timecode_at(shot.start, rate, start)}" for shot in shots.shots
    ]
    sheet = contact_sheet(
        pictures, captions, run.scratch / "contact-sheet.jpg", opts.contact_columns
    )
    timeline = (shots, source.asset_id, source.uri, Path(source.key).name)
    exports = {
        "contact_sheet": run.publish(sheet, "contact-sheet.jpg", "image/jpeg"),
        "csv": run.publish_text("shots.csv", to_csv(shots), "text/csv"),
        "edl": run.publish_text("shots.edl", to_edl(*timeline), "text/plain"),
        "otio": run.publish_text("shots.otio", to_otio(*timeline), "application/json"),
    }
    return shots.model_copy(update=exports)
