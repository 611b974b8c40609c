"""Real speech through real Whisper weights: the programme, a jingle, JFK (slow, run in CI too).

The subtitles are judged as a viewer's player reads them: the WebVTT file parsed by webvtt-py,
its cues counted, timed and measured, and the stage's own report must agree with that count.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import webvtt

from regie.artefacts import SubtitleSet, Transcript
from regie.asr import AsrOptions, TranscriptDocument, load_document, transcribe_asset
from regie.asr.audio import SAMPLE_RATE, read_windows
from regie.asr.evaluate import Passage, score_passages, wer
from regie.fetch import fetch
from regie.models import ModelStore
from regie.probe import probe
from regie.shots.stage import detect_shots
from regie.stage import StageContext
from regie.storage import Storage
from regie.subtitles.cues import is_weak
from regie.subtitles.stage import make_subtitles
from tests import media

pytestmark = pytest.mark.slow
JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


@dataclass(frozen=True)
class Spoken:
    transcript: Transcript
    document: TranscriptDocument
    subtitles: SubtitleSet
    cuts: list[float]


def _speak(path: Path, context: StageContext, models: ModelStore, shots: bool) -> Spoken:
    source = fetch(path.as_uri(), context).artefact
    info = probe(source, context).artefact
    transcript = transcribe_asset(source, info, context, models, AsrOptions(model="whisper-base"))
    shot_list = detect_shots(source, info, context) if shots else None
    subtitles = make_subtitles(transcript, info, shot_list, context).artefact
    cuts = [float(t) for t in shot_list.artefact.cut_times()] if shot_list else []
    return Spoken(transcript.artefact, load_document(context, transcript.artefact), subtitles, cuts)


def _context(tmp_path_factory: pytest.TempPathFactory, name: str) -> StageContext:
    root = tmp_path_factory.mktemp(name)
    return StageContext(Storage(), (root / "work").as_uri(), root / "scratch")


@pytest.fixture(scope="module")
def programme(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, real_whisper_store: ModelStore
) -> Spoken:
    context = _context(tmp_path_factory, "programme")
    return _speak(shared_data / "programme" / "programme-fr.mp4", context, real_whisper_store, True)


@pytest.fixture(scope="module")
def truth(shared_data: Path) -> list[Passage]:
    spoken = json.loads((shared_data / "programme" / "programme-fr.json").read_text())["speech"]
    return [Passage(p["start"], p["end"], p["text"]) for p in spoken]


@pytest.fixture(scope="module")
def alone(shared_data: Path, real_whisper_store: ModelStore) -> list[TranscriptDocument]:
    """The same stage on each FLEURS clip the programme is made of, one file at a time: what the
    model recognises of each passage when nothing surrounds it (it differs between CPUs)."""
    from regie.asr.backends import load_transcriber
    from regie.asr.stage import transcribe_windows

    model = real_whisper_store.resolve("whisper-base")
    transcriber = load_transcriber("faster-whisper", model, "cpu")
    spoken = json.loads((shared_data / "programme" / "programme-fr.json").read_text())["speech"]
    clips = [shared_data / "speech" / "fleurs" / p["clip"] for p in spoken]
    options = AsrOptions(model="whisper-base", language="fr")
    return [
        transcribe_windows(clip.name, read_windows(clip, clip.name), transcriber, model, options)
        for clip in clips
    ]


def _vtt(subtitles: SubtitleSet) -> list[webvtt.Caption]:
    return list(webvtt.read(subtitles.webvtt.removeprefix("file://")))


def _clock(text: str) -> float:
    """Seconds of a WebVTT timestamp (webvtt-py's ``*_in_seconds`` drop the milliseconds)."""
    hours, minutes, seconds = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _times(caption: webvtt.Caption) -> tuple[float, float]:
    return _clock(caption.start), _clock(caption.end)


def _seconds(caption: webvtt.Caption) -> float:
    """How long a cue is shown, to the millisecond the file gives."""
    start, end = _times(caption)
    return round((end - start) * 1000) / 1000


def _onset(path: Path, after_s: float = 0.0) -> float:
    """When sound first rises 25 dB above the file's background noise, in 50 ms frames (measured
    on the samples, not by the VAD under test); digital silence is not background noise."""
    (window,) = read_windows(path, "onset", window_s=3600)
    frames = window.samples[: len(window.samples) // 800 * 800].reshape(-1, 800)
    level = 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-9)
    floor = np.percentile(level[level > -150], 5)
    start = int(after_s * SAMPLE_RATE / 800)
    return (start + int(np.argmax(level[start:] > floor + 25))) * 800 / SAMPLE_RATE


def test_programme_wer_is_close_to_the_model_on_the_isolated_clips(
    programme: Spoken, truth: list[Passage], alone: list[TranscriptDocument]
) -> None:
    assert programme.document.language == "fr"
    reference = " ".join(p.text for p in truth)
    whole = wer([reference], [programme.document.text.replace("\n", " ")], "fr")
    one_by_one = wer([p.text for p in truth], [d.text for d in alone], "fr")
    assert whole <= one_by_one + 0.04, (whole, one_by_one)  # 0.255 and 0.291 on AMD EPYC
    in_programme = score_passages(programme.document.words, truth, "fr")
    for score, document in zip(in_programme, alone, strict=True):
        (clip,) = score_passages(document.words, [Passage(0, 1e6, score.passage.text)], "fr")
        lost = f"{score.passage.start}s: {score.recognised!r}, alone: {clip.recognised!r}"
        assert clip.coverage >= 0.3 and score.coverage >= clip.coverage - 0.15, lost


def test_programme_cues_are_readable_and_whole(shared_data: Path, programme: Spoken) -> None:
    captions = _vtt(programme.subtitles)
    starts = [_times(c)[0] for c in captions]
    onset = _onset(shared_data / "programme" / "programme-fr.mp4")
    assert abs(starts[0] - onset) <= 1.0, (starts[0], onset)
    durations = [_seconds(c) for c in captions]
    assert min(durations) >= 1.0
    lines = [line for c in captions for line in c.lines]
    assert all(len(line) <= 42 for line in lines) and all(len(c.lines) <= 2 for c in captions)
    assert not [line for line in lines if re.search(r"\w['\u2019-]$|^['\u2019-]\w", line)]
    assert not [line for line in lines if is_weak(line.split()[-1])]
    assert " d 'accord" not in " ".join(lines) and "d'accord" in " ".join(lines)
    readable = [len(" ".join(c.lines)) / d <= 17 for c, d in zip(captions, durations, strict=True)]
    # FLEURS is fast read speech (18-20 characters/s for seconds on end): a cue can only be
    # held into a pause, so the share is bounded by the speech itself (see the subtitle bench)
    assert sum(readable) / len(readable) >= 0.45


def test_the_compliance_report_counts_what_the_vtt_file_shows(programme: Spoken) -> None:
    captions = _vtt(programme.subtitles)
    report = programme.subtitles.compliance
    assert report.cues == len(captions) == programme.subtitles.cues
    durations = [_seconds(c) for c in captions]
    cps = [len(" ".join(c.lines)) / d for c, d in zip(captions, durations, strict=True)]
    assert report.reading_speed_ok_share == round(sum(v <= 17 for v in cps) / len(cps), 4)
    assert len(report.too_fast) == sum(v > 17 for v in cps)
    assert report.too_short == sum(d < 1 for d in durations)
    spans = [_times(c) for c in captions]
    crossing = sum(any(start < cut < end for cut in programme.cuts) for start, end in spans)
    assert report.shot_crossings == crossing == sum(report.crossings_by_reason.values())
    assert set(report.crossings_by_reason) <= {"short", "fragment", "preferred"}
    assert report.hard_rule_violations == 0


def test_no_cue_over_a_jingle_and_the_speech_after_it_is_heard(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, real_whisper_store: ModelStore
) -> None:
    """Six seconds of a four-note jingle and two of silence open on a French clip."""
    folder = tmp_path_factory.mktemp("jingle")
    jingle = folder / "jingle-then-speech.m4a"
    melody = "0.4*sin(2*PI*(330+110*floor(mod(4*t,4)))*t)*(0.6+0.4*sin(2*PI*3*t))"
    media.ffmpeg(
        "-f", "lavfi", "-i", f"aevalsrc='{melody}':s=48000:d=6",
        "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono:d=2",
        "-i", str(shared_data / "speech" / "fleurs" / "fleurs-fr-005.ogg"),
        "-filter_complex", "[0:a][1:a][2:a]concat=n=3:v=0:a=1", "-c:a", "aac", str(jingle),
    )  # fmt: skip
    spoken = _speak(jingle, _context(tmp_path_factory, "jingle-work"), real_whisper_store, False)
    starts = [_times(c)[0] for c in _vtt(spoken.subtitles)]
    onset = _onset(jingle, after_s=7.5)
    assert starts and min(starts) >= onset - 0.5, (starts[:3], onset)
    assert abs(starts[0] - onset) <= 1.0
    reference = (shared_data / "speech" / "fleurs" / "fleurs-fr-005.txt").read_text()
    assert wer([reference], [spoken.document.text], "fr") <= 0.35


def test_jfk_with_the_english_tiny_model(shared_data: Path, real_whisper_store: ModelStore) -> None:
    from regie.asr.backends import load_transcriber
    from regie.asr.stage import transcribe_windows

    model = real_whisper_store.resolve("whisper-tiny.en")
    transcriber = load_transcriber("faster-whisper", model, "cpu")
    windows = read_windows(shared_data / "speech" / "jfk.flac", "jfk")
    options = AsrOptions(model="whisper-tiny.en")  # English-only: no language to detect
    document = transcribe_windows("jfk", windows, transcriber, model, options)
    assert document.language == "en"
    assert wer([JFK], [document.text], "en") <= 0.1
    assert document.words[0].start < 1.0 and document.words[-1].end > 9.0
