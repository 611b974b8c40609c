"""ASR and subtitles stages on real media with tiny random Whisper models from the store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import webvtt
from lxml import etree

from regie.asr import AsrOptions, load_document, transcribe_asset
from regie.asr.audio import SAMPLE_RATE, read_windows
from regie.asr.backends import DecodeOptions
from regie.errors import PermanentError
from regie.fetch import fetch
from regie.models import ModelNotFoundError, ModelStore
from regie.probe import probe
from regie.shots.stage import detect_shots
from regie.stage import StageContext
from regie.storage import Storage
from regie.subtitles.stage import make_subtitles
from tests import media

GREEDY = DecodeOptions(beam_size=1, temperatures=(0.0,))


def _asr(path: Path, context: StageContext, store: ModelStore, **options):  # type: ignore[no-untyped-def]
    source = fetch(path.as_uri(), context).artefact
    info = probe(source, context).artefact
    opts = AsrOptions(model="tiny-ct2", decode=GREEDY, **options)
    return source, info, transcribe_asset(source, info, context, store, opts)


def _seconds(clock: str) -> float:
    hours, minutes, seconds = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _local(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


@pytest.mark.slow
def test_programme_subtitles_keep_every_rule_and_cross_cuts_only_for_a_reason(
    shared_data: Path, local_context: StageContext, whisper_store: ModelStore
) -> None:
    programme = shared_data / "programme" / "programme-fr.mp4"
    source, info, transcript = _asr(programme, local_context, whisper_store, language="fr")
    shots = detect_shots(source, info, local_context)
    document = load_document(local_context, transcript.artefact)
    assert document.language == "fr" and transcript.artefact.words == len(document.words) > 0
    assert all(0 <= w.start <= w.end <= document.duration for w in document.words)
    assert 117 < document.duration < 119
    subtitles = make_subtitles(transcript, info, shots, local_context).artefact
    assert subtitles.shot_cuts == 38 and subtitles.cues > 0
    report = subtitles.compliance
    # random weights utter words faster than any cue can show them for a second: the layout
    # rules hold for any words (the real-weight tests hold every rule on real speech)
    assert report.too_many_lines == report.lines_too_long == 0
    assert report.overlaps == report.gaps_too_short == report.split_words == 0
    parsed = webvtt.read(str(_local(subtitles.webvtt)))
    assert len(parsed) == subtitles.cues
    cuts = [float(t) for t in shots.artefact.cut_times()]
    spans = [(_seconds(caption.start), _seconds(caption.end)) for caption in parsed]
    crossing = sum(any(start < cut < end for cut in cuts) for start, end in spans)
    # a cue crosses a cut only for a reason the report gives
    assert crossing == report.shot_crossings == sum(report.crossings_by_reason.values())
    ttml = etree.parse(str(_local(subtitles.ebu_tt_d))).getroot()
    assert len(list(ttml.iter("{http://www.w3.org/ns/ttml}p"))) == subtitles.cues


def test_transcript_is_reused_and_keyed_by_the_model_digest(
    shared_data: Path, local_context: StageContext, whisper_store: ModelStore
) -> None:
    jfk = shared_data / "speech" / "jfk.flac"
    _, _, first = _asr(jfk, local_context, whisper_store, language="en")
    _, _, again = _asr(jfk, local_context, whisper_store, language="en")
    assert not first.reused and again.reused and again.manifest.key == first.manifest.key
    digest = whisper_store.entry("tiny-ct2").digest
    assert first.manifest.inputs["model"] == f"tiny-ct2@{digest}"
    source, info, _ = _asr(jfk, local_context, whisper_store)
    openai = AsrOptions(model="tiny-openai", language="en", decode=GREEDY)
    other = transcribe_asset(source, info, local_context, whisper_store, openai)
    assert other.manifest.key != first.manifest.key
    assert other.artefact.backend == "openai-whisper"


def test_silence_gives_an_empty_but_valid_subtitle_track(
    tmp_path: Path, local_context: StageContext, whisper_store: ModelStore
) -> None:
    silence = tmp_path / "silence.wav"
    media.ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "5", str(silence))
    _, info, transcript = _asr(silence, local_context, whisper_store)
    assert transcript.artefact.words == 0 and transcript.artefact.reason == "no speech found"
    assert transcript.artefact.language is None
    subtitles = make_subtitles(transcript, info, None, local_context).artefact
    assert subtitles.cues == 0 and _local(subtitles.webvtt).read_text() == "WEBVTT\n\n"


def test_a_picture_without_sound_gives_an_empty_transcript_with_its_reason(
    tmp_path: Path, local_context: StageContext, whisper_store: ModelStore
) -> None:
    mute = tmp_path / "mute.mp4"
    media.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2",
                 "-c:v", "libx264", "-pix_fmt", "yuv420p", str(mute))  # fmt: skip
    _, _, transcript = _asr(mute, local_context, whisper_store)
    assert transcript.artefact.reason == "the asset has no audio stream"
    assert _local(transcript.artefact.text_uri).read_text() == ""


@pytest.mark.parametrize("seconds", [0.2, 3.0])
def test_short_clips_and_music_do_not_crash(
    seconds: float, tmp_path: Path, local_context: StageContext, whisper_store: ModelStore
) -> None:
    tone = tmp_path / "tone.m4a"
    media.ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds),
                 "-c:a", "aac", str(tone))  # fmt: skip
    _, info, transcript = _asr(tone, local_context, whisper_store, language="fr")
    document = load_document(local_context, transcript.artefact)
    # voice activity finds no speech in a tone: nothing is decoded, so nothing can be invented
    assert document.words == [] and document.speech_s == 0
    subtitles = make_subtitles(transcript, info, None, local_context).artefact
    assert subtitles.compliance.hard_rule_violations == 0


def test_bad_options_are_permanent_errors_naming_the_asset(
    shared_data: Path, local_context: StageContext, whisper_store: ModelStore
) -> None:
    jfk = shared_data / "speech" / "jfk.flac"
    with pytest.raises(PermanentError, match="audio channel 2 asked for, the audio has 2") as error:
        _asr(jfk, local_context, whisper_store, channel=2)
    assert error.value.asset.startswith("jfk-")
    with pytest.raises(PermanentError, match="cannot transcribe language 'xx'"):
        _asr(jfk, local_context, whisper_store, language="xx")
    source = fetch(jfk.as_uri(), local_context).artefact
    info = probe(source, local_context).artefact
    with pytest.raises(ModelNotFoundError) as missing:
        transcribe_asset(source, info, local_context, whisper_store, AsrOptions(model="whisper-x"))
    assert str(missing.value).startswith(f"{source.asset_id}: whisper-x: model not found")
    assert "regie models add whisper-x PATH" in str(missing.value)


def test_windows_cover_the_audio_exactly_and_end_in_quiet_places(shared_data: Path) -> None:
    programme = shared_data / "programme" / "programme-fr.mp4"
    (whole,) = read_windows(programme, "p")
    windows = list(read_windows(programme, "p", window_s=31, search_s=5))
    assert len(windows) == 4
    assert np.array_equal(np.concatenate([w.samples for w in windows]), whole.samples)
    offsets = [w.offset_s for w in windows]
    assert offsets == pytest.approx([0, *np.cumsum([w.duration_s for w in windows[:-1]])])
    for window in windows[:-1]:
        assert 26 <= window.duration_s <= 31
        tail = window.samples[-SAMPLE_RATE // 50 :]
        assert np.sqrt(np.mean(tail**2)) <= np.sqrt(np.mean(window.samples**2))


def test_one_channel_can_be_picked(shared_data: Path) -> None:
    stereo = shared_data / "speech" / "stereo_diarization.wav"
    (left,) = read_windows(stereo, "s", channel=0)
    (right,) = read_windows(stereo, "s", channel=1)
    (mixed,) = read_windows(stereo, "s")
    assert len(left.samples) == len(right.samples) == len(mixed.samples)
    assert np.corrcoef(left.samples, right.samples)[0, 1] < 0.5


def test_models_resolve_from_an_s3_store(
    s3_storage: Storage, bucket: str, tmp_path: Path, whisper_store: ModelStore
) -> None:
    checkpoint = whisper_store.resolve("tiny-openai").path
    store = ModelStore(s3_storage, f"s3://{bucket}/models", tmp_path / "cache")
    entry = store.add("whisper-tiny", checkpoint)
    assert entry.digest == whisper_store.entry("tiny-openai").digest  # same bytes, same digest
    local = store.resolve("whisper-tiny")
    assert local.path.read_bytes() == checkpoint.read_bytes() and local.format == "openai-whisper"
