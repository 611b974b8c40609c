"""ASR stage: an asset's speech -> TranscriptDocument (transcript.json and .txt) under the contract.

The model comes from the model store by name and its checksum digest is part of the stage key, so
a new model version transcribes again and an unchanged one is never run twice. The audio is read
in windows (bounded memory for long programmes); in each, voice activity finds the speech and
every chunk of it is decoded on its own (``regie.asr.speech``), so music, jingles and silence are
never decoded; speech the model skipped (no word near it for a second) is decoded again alone.
The language is detected once, on the first 30 s of speech, unless it is forced, and then
imposed on every chunk so that the transcript stays in one language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from regie.artefacts import MediaInfo, SourceAsset, Transcript
from regie.asr.audio import SAMPLE_RATE, AudioWindow, is_silent, read_windows
from regie.asr.backends import BACKEND_FOR_FORMAT, DecodeOptions, Transcriber, load_transcriber
from regie.asr.backends.base import Device, Task
from regie.asr.speech import (
    Span,
    VadSettings,
    first_speech,
    keep_spoken,
    plan_chunks,
    speech_regions,
    unheard,
)
from regie.asr.transcript import TranscriptDocument, TranscriptSegment
from regie.deadline import check_time
from regie.errors import PermanentError, TransientError
from regie.fetch import local_source
from regie.ffmpeg import tool_version
from regie.models import LocalModel, ModelNotFoundError, ModelStore
from regie.programme import programme_input, seek_options
from regie.stage import Stage, StageContext, StageOptions, StageOutcome, StageRun, run_stage
from regie.timing import seconds

ASR = Stage("asr", "4", Transcript)  # 4: duration and speech_s as Seconds


class AsrOptions(StageOptions):
    """Which model transcribes, how, and which part of the audio."""

    model: str = Field("whisper-small", description="Model name in the model store.")
    backend: Literal["auto", "openai-whisper", "faster-whisper", "transformers"] = Field(
        "auto", description="auto: the backend that loads the model's format."
    )
    language: str | None = Field(None, description="ISO 639-1 code; None: detect it.")
    task: Task = Field(
        "transcribe", description="translate: English text of the speech (Whisper's own task)."
    )
    channel: int | None = Field(None, description="Transcribe this channel only (0-based).")
    window_s: float = Field(600.0, gt=30, description="Audio decoded at a time, in seconds.")
    device: Device = "auto"
    decode: DecodeOptions = DecodeOptions()
    vad: VadSettings = VadSettings()


def transcribe_asset(
    source: SourceAsset,
    media: MediaInfo,
    context: StageContext,
    models: ModelStore,
    options: AsrOptions | None = None,
) -> StageOutcome[Transcript]:
    """Transcribe the asset's speech, or return the manifest of an earlier identical run.

    Raises:
        ModelNotFoundError: The model is not in the store.
        PermanentError: A channel the audio lacks, or a language the model does not know.
    """
    opts = options or AsrOptions()
    try:  # the entry alone gives the key: a reused stage downloads no weights
        entry = models.entry(opts.model)
    except ModelNotFoundError as error:
        raise ModelNotFoundError(
            source.asset_id, f"{opts.model}: {error.reason}", error.hint
        ) from error
    backend = BACKEND_FOR_FORMAT.get(entry.format, "") if opts.backend == "auto" else opts.backend
    _check_channel(source.asset_id, media, opts.channel)

    def produce(run: StageRun) -> Transcript:
        run.tools.update(ffmpeg=tool_version("ffmpeg"), asr_backend=backend)
        model = models.resolve(opts.model)
        if model.digest != entry.digest:
            raise TransientError(source.asset_id, f"model {opts.model} changed during the run")
        if not media.audio:
            document = _empty(source.asset_id, backend, model, "the asset has no audio stream")
        else:
            transcriber = load_transcriber(backend, model, opts.device)
            layout = media.audio_layout  # speech is the programme mix's, not track 1's
            mix = (layout, layout.programme) if layout else None
            windows = read_windows(
                local_source(source, context), source.asset_id, opts.window_s, opts.channel,
                mix=mix, seek=seek_options(media.programme),
            )  # fmt: skip
            document = transcribe_windows(source.asset_id, windows, transcriber, model, opts)
        return publish_transcript(document, run)

    inputs = {
        "source": source.sha256, "model": f"{entry.name}@{entry.digest}", "backend": backend,
        **programme_input(media.programme),
    }  # fmt: skip
    return run_stage(ASR, source.asset_id, inputs, opts, context, produce)


def transcribe_windows(
    asset_id: str,
    windows: Iterable[AudioWindow],
    transcriber: Transcriber,
    model: LocalModel,
    options: AsrOptions,
) -> TranscriptDocument:
    """The speech of every window, chunk by chunk, shifted to programme time, in one language."""
    language, probability = options.language, None
    known = transcriber.languages()
    if language is not None and language not in known:
        raise PermanentError(
            asset_id,
            f"model {model.name} cannot transcribe language {language!r}",
            "force a language the model knows, or use a multilingual model",
        )
    if language is None and len(known) == 1:  # an English-only model has nothing to detect
        language, probability = next(iter(known)), 1.0
    segments: list[TranscriptSegment] = []
    duration = speech_s = 0.0
    for window in windows:
        check_time(asset_id, "speech recognition")
        duration = window.offset_s + window.duration_s
        silent = is_silent(window.samples)
        regions = [] if silent else speech_regions(window.samples, options.vad)
        if not regions:
            continue
        speech_s += sum(r.end - r.start for r in regions) / SAMPLE_RATE
        if language is None:
            language, probability = transcriber.detect_language(
                first_speech(window.samples, regions)
            )
        found = _decode_window(window, regions, language, transcriber, options)
        segments += [segment.shifted(window.offset_s) for segment in found]
    empty = "no words recognised" if speech_s else "no speech found"
    reason = None if segments else empty
    return TranscriptDocument(
        asset_id=asset_id, language=language if segments else None,
        language_probability=probability if segments else None, task=options.task,
        duration=round(duration, 3), speech_s=round(speech_s, 3),
        backend=transcriber.name, model=model.name, model_digest=model.digest,
        segments=segments, reason=reason,
    )  # fmt: skip


def _decode_window(
    window: AudioWindow,
    regions: list[Span],
    language: str,
    transcriber: Transcriber,
    options: AsrOptions,
) -> list[TranscriptSegment]:
    """Each chunk decoded on its own, then the speech the model skipped decoded again on its own;
    times from the window's start."""
    vad = options.vad
    chunks = plan_chunks(regions, vad.chunk_s, vad.join_gap_s)
    found = _decode_chunks(window, chunks, regions, language, transcriber, options)
    heard = [(word.start, word.end) for segment in found for word in segment.words]
    holes = unheard(regions, heard, vad.unheard_s)
    # a chunk decoded again whole would give nothing again: the same audio, the same input
    retried = [c for c in plan_chunks(holes, vad.chunk_s, vad.join_gap_s) if c not in chunks]
    if retried:
        found += _decode_chunks(window, retried, holes, language, transcriber, options)
    return sorted(found, key=lambda segment: segment.start)


def _decode_chunks(
    window: AudioWindow,
    chunks: list[Span],
    regions: list[Span],
    language: str,
    transcriber: Transcriber,
    options: AsrOptions,
) -> list[TranscriptSegment]:
    """The chunks decoded together; invented words dropped (a word must overlap speech of its
    own chunk: none may wander into the next one)."""
    decoded = transcriber.transcribe_chunks(
        window.samples, [(c.start, c.end) for c in chunks], language, options.decode, options.task
    )
    found: list[TranscriptSegment] = []
    for chunk, segments in zip(chunks, decoded, strict=True):
        own = [r for r in regions if chunk.start <= r.start and r.end <= chunk.end]
        found += keep_spoken(segments, own)
    return found


def _check_channel(asset_id: str, media: MediaInfo, channel: int | None) -> None:
    if channel is None or not media.audio:
        return
    channels = media.audio[0].channels
    if not 0 <= channel < channels:
        reason = f"audio channel {channel} asked for, the audio has {channels}"
        raise PermanentError(asset_id, reason)


def _empty(asset_id: str, backend: str, model: LocalModel, reason: str) -> TranscriptDocument:
    return TranscriptDocument(
        asset_id=asset_id, language=None, duration=0.0, speech_s=0.0, backend=backend,
        model=model.name, model_digest=model.digest, segments=[], reason=reason,
    )  # fmt: skip


def publish_transcript(document: TranscriptDocument, run: StageRun) -> Transcript:
    """Write transcript.json and transcript.txt and return the artefact pointing to them."""
    text = document.text + "\n" if document.segments else ""
    uris = {
        "transcript.json": run.publish_text(
            "transcript.json", document.model_dump_json(indent=1), "application/json"
        ),
        "transcript.txt": run.publish_text("transcript.txt", text, "text/plain"),
    }
    return Transcript(
        asset_id=document.asset_id, language=document.language,
        language_probability=document.language_probability, task=document.task,
        backend=document.backend, model=document.model, model_digest=document.model_digest,
        duration=seconds(document.duration),
        speech_s=None if document.speech_s is None else seconds(document.speech_s),
        segments=len(document.segments), words=len(document.words),
        json_uri=uris["transcript.json"], text_uri=uris["transcript.txt"], reason=document.reason,
    )  # fmt: skip


def load_document(context: StageContext, transcript: Transcript) -> TranscriptDocument:
    """The full transcript an ASR manifest points to."""
    return TranscriptDocument.model_validate_json(context.storage.read_bytes(transcript.json_uri))
