"""What goes into a release: the transcode package, the subtitle tracks, the named manifests.

Reads the stages' manifests (never their folders), writes the few files only publishing can
write (master and MPD naming the audio's language and the text tracks, the WebVTT segments and
their playlists) into the publish stage's outputs, and validates the whole before any upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from regie.artefacts import RenditionSet, SubtitleSet
from regie.content_types import CONTENT_TYPES
from regie.package.release import PackageFile, named_manifests, validate_release
from regie.package.validate import MASTER, MPD, Expected
from regie.package.webvtt import FOLDER, Sidecar, TextTrackFiles, text_track
from regie.stage import Manifest, OutputFile, StageRun
from regie.storage import Storage

SIDECAR_TYPES = {
    ".vtt": "text/vtt",
    ".ttml": "application/ttml+xml",
    ".srt": "application/x-subrip",
}


@dataclass(frozen=True)
class ReleaseContents:
    """The stage manifests a release is made of."""

    ladder: Manifest[RenditionSet]
    subtitles: list[Manifest[SubtitleSet]]
    language: str | None  # spoken, from the transcript

    def tracks(self) -> list[Manifest[SubtitleSet]]:
        """Subtitle sets with cues, in their language (nothing spoken: no track)."""
        return [s for s in self.subtitles if s.artefact.language and s.artefact.cues]

    def is_translation(self, subtitles: SubtitleSet) -> bool:
        return self.language is not None and subtitles.language != self.language

    def subtitle_records(self) -> list[dict[str, Any]]:
        """What ``metadata.json`` says of each text track."""
        records = []
        for manifest in self.tracks():
            language = manifest.artefact.language
            folder = FOLDER.format(language)
            records.append({
                "language": language, "translation": self.is_translation(manifest.artefact),
                "cues": manifest.artefact.cues, "hls": f"{folder}/subtitles.m3u8",
                "files": [f"{folder}/{o.name}" for o in manifest.outputs
                          if PurePosixPath(o.name).suffix in SIDECAR_TYPES],
            })  # fmt: skip
        return records


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
    for manifest in contents.tracks():
        files = _sidecars(manifest)
        sidecars += [OutputFile(name=f.name, uri=f.source, size=f.size, sha256=sha)
                     for f, sha in files]  # fmt: skip
        vtt = next(f for f, _ in files if f.mime_type == "text/vtt")
        others = tuple(f for f, _ in files if f is not vtt)
        language = manifest.artefact.language or "und"
        translation = contents.is_translation(manifest.artefact)
        vtt_text = storage.read_bytes(vtt.source).decode("utf-8")
        tracks.append(text_track(language, translation, vtt, vtt_text, others, duration, segment_s))
    originals = _files({o.name: o for o in contents.ladder.outputs}, storage)
    master, mpd = named_manifests(originals, contents.language, tracks)
    _write_texts(run, tracks, master, mpd)
    outputs = [*package, *sidecars, *run.outputs]
    expected = Expected(contents.language, tuple(t.hls.language for t in tracks))
    validate_release(_files({o.name: o for o in outputs}, storage), expected, asset)
    return outputs


def _sidecars(manifest: Manifest[SubtitleSet]) -> list[tuple[Sidecar, str]]:
    folder = FOLDER.format(manifest.artefact.language)
    return [
        (Sidecar(f"{folder}/{o.name}", o.uri, o.size, SIDECAR_TYPES[suffix]), o.sha256)
        for o in manifest.outputs
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
        name: PackageFile(name, o.size, lambda uri=o.uri: storage.read_bytes(uri))
        for name, o in outputs.items()
    }
