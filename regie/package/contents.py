"""What goes into a release: the transcode package, the subtitle tracks, the named manifests.

Reads the stages' manifests (never their folders), writes the few files only publishing can
write (master and MPD naming the audio's language and the text tracks, the WebVTT segments and
their playlists) into the publish stage's outputs, and validates the whole before any upload.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from regie.artefacts import RenditionSet, SubtitleSet
from regie.content_types import CONTENT_TYPES
from regie.package.release import PackageFile, named_manifests, validate_release
from regie.package.review import REVIEW, SHOT_PICTURE, ReviewInputs, data_json, page_files
from regie.package.validate import MASTER, MPD, Expected
from regie.package.webvtt import FOLDER, Sidecar, TextTrackFiles, text_track
from regie.stage import Manifest, OutputFile, StageRun
from regie.storage import Storage

SIDECAR_TYPES = {
    ".vtt": "text/vtt",
    ".ttml": "application/ttml+xml",
    ".srt": "application/x-subrip",
}


TRANSLATION_LANGUAGE = "en"  # Whisper's translate task writes English


@dataclass(frozen=True)
class TextSource:
    """A subtitle set and the language of its text (a translation's is not the spoken one)."""

    manifest: Manifest[SubtitleSet]
    language: str
    translation: bool

    @property
    def folder(self) -> str:
        return FOLDER.format(self.language)


@dataclass(frozen=True)
class ReleaseContents:
    """The stage manifests a release is made of."""

    ladder: Manifest[RenditionSet]
    subtitles: list[Manifest[SubtitleSet]]  # in the spoken language
    language: str | None  # spoken, from the transcript
    translations: list[Manifest[SubtitleSet]] = field(default_factory=list)  # English

    def tracks(self) -> list[TextSource]:
        """Subtitle sets with cues, one per language (nothing spoken: no track).

        Raises:
            ValueError: Two sets in one language (their files would share a folder).
        """
        tracks = [TextSource(s, s.artefact.language or "und", False) for s in self.subtitles]
        tracks += [TextSource(s, TRANSLATION_LANGUAGE, True) for s in self.translations]
        tracks = [t for t in tracks if t.manifest.artefact.language and t.manifest.artefact.cues]
        languages = [t.language for t in tracks]
        if len(set(languages)) != len(languages):
            raise ValueError(f"two subtitle sets in one language: {languages}")
        return tracks

    def subtitle_records(self) -> list[dict[str, Any]]:
        """What ``metadata.json`` says of each text track."""
        return [
            {"language": t.language, "translation": t.translation,
             "cues": t.manifest.artefact.cues, "hls": f"{t.folder}/subtitles.m3u8",
             "files": [f"{t.folder}/{o.name}" for o in t.manifest.outputs
                       if PurePosixPath(o.name).suffix in SIDECAR_TYPES]}
            for t in self.tracks()
        ]  # fmt: skip


def release_outputs(run: StageRun, contents: ReleaseContents, asset: str) -> list[OutputFile]:
    """Every file of the release (transcode package, subtitle files, named manifests), validated.

    Raises:
        PermanentError: The package breaks a rule of :mod:`regie.package.validate`.
    """
    storage = run.context.storage
    duration = float(contents.ladder.artefact.duration)
    segment_s = int(contents.ladder.provenance.options.get("segment_s", 6))
    package = [o for o in contents.ladder.outputs if o.name not in (MASTER, MPD)]
    tracks, sidecars = [], []
    for source in contents.tracks():
        files = _sidecars(source)
        sidecars += [OutputFile(name=f.name, uri=f.source, size=f.size, sha256=sha)
                     for f, sha in files]  # fmt: skip
        vtt = next(f for f, _ in files if f.mime_type == "text/vtt")
        others = tuple(f for f, _ in files if f is not vtt)
        vtt_text = storage.read_bytes(vtt.source).decode("utf-8")
        tracks.append(text_track(source.language, source.translation, vtt, vtt_text, others,
                                 duration, segment_s))  # fmt: skip
    originals = _files({o.name: o for o in contents.ladder.outputs}, storage)
    master, mpd = named_manifests(originals, contents.language, tracks)
    _write_texts(run, tracks, master, mpd)
    outputs = [*package, *sidecars, *run.outputs]
    expected = Expected(contents.language, tuple(t.hls.language for t in tracks))
    validate_release(_files({o.name: o for o in outputs}, storage), expected, asset)
    return outputs


def _sidecars(source: TextSource) -> list[tuple[Sidecar, str]]:
    return [
        (Sidecar(f"{source.folder}/{o.name}", o.uri, o.size, SIDECAR_TYPES[suffix]), o.sha256)
        for o in source.manifest.outputs
        if (suffix := PurePosixPath(o.name).suffix) in SIDECAR_TYPES
    ]


def _write_texts(run: StageRun, tracks: list[TextTrackFiles], master: str, mpd: str) -> None:
    for track in tracks:
        for name, text in track.written.items():
            run.publish_text(name, text, CONTENT_TYPES[PurePosixPath(name).suffix])
    run.publish_text(MASTER, master, CONTENT_TYPES[".m3u8"])
    run.publish_text(MPD, mpd, CONTENT_TYPES[".mpd"])


def _files(outputs: dict[str, OutputFile], storage: Storage) -> dict[str, PackageFile]:
    return {
        name: PackageFile(name, o.size, functools.partial(storage.read_bytes, o.uri))
        for name, o in outputs.items()
    }


def review_outputs(run: StageRun, inputs: ReviewInputs) -> list[OutputFile]:
    """The review page, its data and the shots' keyframe pictures, as release files."""
    before = len(run.outputs)
    for name, data in page_files().items():
        local = run.scratch / name
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        run.publish(local, name, CONTENT_TYPES[PurePosixPath(name).suffix])
    run.publish_text(f"{REVIEW}/data.json", data_json(inputs), CONTENT_TYPES[".json"])
    pictures = []
    for shot in inputs.shots.shots if inputs.shots else []:
        if shot.keyframe:
            pictures.append(
                _copied(run.context.storage, shot.keyframe, SHOT_PICTURE.format(shot.index))
            )
    return [*run.outputs[before:], *pictures]


def _copied(storage: Storage, uri: str, name: str) -> OutputFile:
    """A file of another stage published under ``name`` as it is."""
    data = storage.read_bytes(uri)
    return OutputFile(name=name, uri=uri, size=len(data), sha256=hashlib.sha256(data).hexdigest())
