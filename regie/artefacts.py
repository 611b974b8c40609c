"""Typed artefacts that stages exchange: references and facts, never media bytes.

Every artefact carries ``schema_version`` so that a reader can refuse a manifest written by an
incompatible version instead of misreading it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from regie.programme import LeaderReport, ProgrammeRange
from regie.timing import AspectRatio, Rational, Seconds


class Artefact(BaseModel):
    """Base of every artefact: immutable, strict about unknown fields, versioned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = 1


class SourceAsset(Artefact):
    """An archive master, identified by where it lives and what it contains."""

    asset_id: str = Field(description="Stable id derived from (bucket, key, ETag).")
    uri: str = Field(description="Archive URL of the master.")
    bucket: str = Field(description="Bucket (or folder for file:// archives).")
    key: str = Field(description="Object key inside the bucket.")
    etag: str = Field(description="Store ETag, or size and mtime for local files.")
    size: int = Field(description="Size in bytes, verified after the transfer.")
    sha256: str = Field(description="SHA-256 of the content, computed while streaming.")
    storage_class: str | None = Field(None, description="Store class when fetched (GLACIER...).")
    restored: bool = Field(False, description="Whether a cold-storage restore was needed.")


class ScanDecision(BaseModel):
    """Interlaced or progressive: the container's flag, what ``idet`` saw, and the verdict."""

    model_config = ConfigDict(frozen=True)

    flagged: str | None = Field(description="ffprobe field_order (tt, bb, progressive...).")
    tff: int = Field(description="Frames idet classed top field first (multi-frame detection).")
    bff: int = Field(description="Frames idet classed bottom field first.")
    progressive: int = Field(description="Frames idet classed progressive.")
    undetermined: int = Field(description="Frames idet could not class.")
    scan: Literal["progressive", "tff", "bff"] = Field(description="What the picture is.")
    reason: str = Field(description="Why: the evidence that decided.")

    @property
    def interlaced(self) -> bool:
        return self.scan != "progressive"


BarsKind = Literal["none", "letterbox", "pillarbox", "windowbox"]


class BlackBars(BaseModel):
    """Black bars around the picture (letterbox, pillarbox), as ``cropdetect`` measured them on
    samples of the programme, in pixels of the active picture."""

    model_config = ConfigDict(frozen=True)

    top: int
    bottom: int
    left: int
    right: int
    kind: BarsKind = Field(description="Bars of at least 2% of the picture on opposite sides.")
    frames: int = Field(description="Frames sampled (the bars are what stayed black in all).")


class VideoStream(BaseModel):
    """One video stream as ffprobe reports it, with the display geometry resolved."""

    model_config = ConfigDict(frozen=True)

    index: int
    codec: str
    profile: str | None = None
    pix_fmt: str | None = None
    width: int
    height: int
    sample_aspect_ratio: AspectRatio = Field(description="Pixel aspect ratio (SAR).")
    display_aspect_ratio: AspectRatio = Field(
        description="Frame aspect ratio after SAR and rotation."
    )
    rotation: int = Field(0, description="Clockwise display rotation in degrees (0, 90, 180, 270).")
    display_width: int = Field(description="Width as shown, after SAR and rotation.")
    display_height: int = Field(description="Height as shown, after SAR and rotation.")
    frame_rate: Rational = Field(description="Nominal frame rate (ffprobe r_frame_rate).")
    avg_frame_rate: Rational = Field(description="Frames divided by duration.")
    vfr: bool = Field(description="Variable frame rate: nominal and average rates disagree.")
    time_base: Rational
    start_time: Seconds = Field(Fraction(0), description="First PTS in seconds.")
    duration: Seconds | None = None
    frames: int | None = Field(None, description="Frame count declared by the container.")
    field_order: str | None = None
    vbi_lines: int = Field(0, description="Lines above the active picture (D-10: 32 of 608).")
    scan: ScanDecision | None = Field(None, description="Field order confirmed by idet.")
    bars: BlackBars | None = Field(None, description="Letterbox or pillarbox, measured.")


class AudioStream(BaseModel):
    """One audio stream."""

    model_config = ConfigDict(frozen=True)

    index: int
    codec: str
    sample_rate: int
    channels: int
    channel_layout: str | None = None
    language: str | None = None
    start_time: Seconds = Field(Fraction(0))
    duration: Seconds | None = None


AudioRole = Literal["programme", "original", "international", "description", "other"]


class AudioVersion(BaseModel):
    """One audio version of the programme: the tracks that carry it, its language and role."""

    model_config = ConfigDict(frozen=True)

    role: AudioRole
    language: str | None = Field(None, description="ISO 639 code, e.g. fra, eng.")
    tracks: list[int] = Field(
        description="Track numbers from 1: every channel of every audio stream, in order."
    )

    @property
    def name(self) -> str:
        return f"{self.role}-{self.language}" if self.language else self.role


class AudioLayout(BaseModel):
    """Which tracks make the programme mix (the first version) and which the other versions."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The layout asked for, or what 'auto' recognised.")
    versions: list[AudioVersion]
    channels: list[tuple[int, int]] = Field(
        description="Each track's (audio stream position, channel in that stream)."
    )

    @property
    def programme(self) -> AudioVersion:
        return self.versions[0]


class MediaInfo(Artefact):
    """What a master contains, enough for every later stage to plan its work."""

    asset_id: str
    container: str = Field(description="ffprobe format name, e.g. mov,mp4,m4a,3gp,3g2,mj2.")
    duration: Seconds = Field(description="Container duration in seconds.")
    start_time: Seconds = Field(description="Container start time in seconds.")
    size: int
    bit_rate: int | None = None
    video: list[VideoStream] = Field(default_factory=list)
    audio: list[AudioStream] = Field(default_factory=list)
    subtitle_streams: int = 0
    timecode: str | None = Field(None, description="Start timecode (MXF, MOV tmcd, DV).")
    drop_frame: bool = Field(False, description="The start timecode counts in drop-frame.")
    audio_layout: AudioLayout | None = Field(None, description="Programme mix and versions.")
    leader: LeaderReport | None = Field(None, description="Head leader and tail black, evidence.")
    programme: ProgrammeRange | None = Field(
        None, description="The frames every stage reads, a leader left out; None: the whole master."
    )

    @property
    def has_video(self) -> bool:
        return bool(self.video)

    @property
    def primary_video(self) -> VideoStream | None:
        return self.video[0] if self.video else None


class Shot(BaseModel):
    """One shot: frames in decode order (edit list honoured) and presentation times."""

    model_config = ConfigDict(frozen=True)

    index: int
    first_frame: int
    last_frame: int
    start: Seconds = Field(description="PTS of the first frame, seconds from the start.")
    end: Seconds = Field(description="PTS just after the last frame.")
    keyframe: str | None = Field(None, description="URI of the shot's representative JPEG.")


class Transition(BaseModel):
    """A boundary between two shots: a hard cut, or a gradual transition (dissolve, fade)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["cut", "gradual"]
    first_frame: int = Field(description="First frame of the new shot, or first mixed frame.")
    last_frame: int = Field(description="Same as first_frame for a cut; last mixed frame.")
    start: Seconds
    end: Seconds


class ShotList(Artefact):
    """Shots and transitions of an asset, with keyframes, a contact sheet and exports."""

    asset_id: str
    detector: str
    frame_count: int
    frame_rate: Rational = Field(description="Nominal frame rate, for timecodes.")
    start_timecode: str | None = Field(None, description="The master's timecode at frame 0.")
    shots: list[Shot]
    transitions: list[Transition]
    contact_sheet: str | None = None
    csv: str | None = None
    edl: str | None = Field(None, description="CMX 3600 EDL in the master's timecode.")
    otio: str | None = Field(None, description="The same timeline as OpenTimelineIO JSON.")

    def cut_times(self) -> list[Seconds]:
        """Start time of every shot after the first (where keyframes and cue breaks go)."""
        return [shot.start for shot in self.shots[1:]]


class LoudnessMeasure(BaseModel):
    """An EBU R128 measurement (ffmpeg loudnorm's first pass)."""

    model_config = ConfigDict(frozen=True)

    integrated_lufs: float
    true_peak_dbtp: float
    range_lu: float
    threshold_lufs: float
    target_offset_lu: float = 0.0


class Rendition(BaseModel):
    """A rung of the ladder resolved against one source: exact size, rate and rate control."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Short id used in file names, e.g. '720p'.")
    width: int
    height: int
    frame_rate: Rational
    bitrate_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    preset: str | None = Field(None, description="Encoder preset of this rung, if its own.")


class EncodedRendition(Rendition):
    """One rung as encoded and checked."""

    playlist: str = Field(description="URI of the rendition's HLS media playlist.")
    ssim: float | None = Field(None, description="SSIM against the master scaled to this size.")


class EncodedAudio(AudioVersion):
    """One audio version as published: stereo AAC in its own HLS/DASH rendition."""

    playlist: str = Field(description="URI of the version's HLS media playlist.")


class RenditionSet(Artefact):
    """An ABR ladder packaged as CMAF segments with an HLS master and a DASH MPD."""

    asset_id: str
    encoder: str = Field(description="libx264 or h264_nvenc.")
    encoder_reason: str = Field(description="Why this encoder was chosen on this machine.")
    duration: Seconds
    renditions: list[EncodedRendition]
    hls_master: str
    dash_manifest: str
    audio_playlist: str | None = Field(None, description="The programme mix's playlist.")
    audio_versions: list[EncodedAudio] = Field(
        default_factory=list, description="Every audio version, the programme mix first."
    )
    scan: ScanDecision | None = Field(None, description="The master's field order and idet's view.")
    picture_filters: str = Field("", description="What made the picture progressive (crop, bwdif).")
    keyframes: int = Field(description="IDR frames per rendition (identical in every rendition).")
    shot_cuts_aligned: int = Field(description="Shot cuts that start on a key frame.")
    loudness_in: LoudnessMeasure | None = None
    loudness_out: LoudnessMeasure | None = None
    poster: str
    thumbnails_vtt: str
    sprites: list[str]


class PublishReceipt(Artefact):
    """A release on the CDN origin, switched live and verified."""

    asset_id: str
    slug: str = Field(description="The asset's folder on the origin.")
    release: str = Field(description="Release id: the transcode key, so a re-run resumes it.")
    release_url: str
    hls: str = Field(description="Stable HLS master (switched to this release).")
    dash: str = Field(description="Stable DASH MPD.")
    review: str | None = Field(None, description="The release's review page for editors.")
    pointer: str = Field(description="current.json naming the live release.")
    uploaded: int = Field(description="Objects written by this run.")
    skipped: int = Field(description="Objects already in place with the same checksum.")
    verified: int = Field(description="Objects checked after the switch.")
    verified_over: str = Field(description="'http' through the origin endpoint, or 'store'.")
    purge_request: str | None = Field(None, description="CDN purge request id, if a CDN is set.")


class Transcript(Artefact):
    """Speech recognised in an asset; the words themselves are in ``transcript.json``."""

    asset_id: str
    language: str | None = Field(description="ISO 639-1 code; None when nothing was spoken.")
    language_probability: float | None = None
    task: Literal["transcribe", "translate"] = Field(
        "transcribe", description="translate: English text of speech in ``language``."
    )
    backend: str
    model: str = Field(description="Model name in the model store.")
    model_digest: str = Field(description="Checksum digest of the model's files.")
    duration: Seconds = Field(description="Seconds of audio listened to.")
    speech_s: Seconds | None = Field(
        None, description="Seconds of it that voice activity kept (speech and its padding)."
    )
    segments: int
    words: int
    json_uri: str = Field(description="The full TranscriptDocument (segments and timed words).")
    text_uri: str = Field(description="Plain text, one segment per line.")
    reason: str | None = Field(None, description="Why the transcript is empty, when it is.")


class TooFastCue(BaseModel):
    """A cue that cannot be read at the speed limit, even held as long as the rules allow."""

    model_config = ConfigDict(frozen=True)

    start: Seconds
    end: Seconds
    cps: float
    text: str


class SubtitleCompliance(BaseModel):
    """How the cues keep the broadcast rules (hard rules must all be 0), counted from the cues
    exactly as they are written in the subtitle files."""

    model_config = ConfigDict(frozen=True)

    cues: int
    too_many_lines: int
    lines_too_long: int
    overlaps: int
    gaps_too_short: int
    too_short: int = Field(description="Cues shown for less than the minimum (1 s).")
    split_words: int = Field(description="Elisions or compounds split by a line or cue break.")
    weak_endings: int = Field(description="Lines ending on an article or a preposition.")
    hard_rule_violations: int
    shot_crossings: int = Field(description="Cues shown across a shot cut.")
    crossings_by_reason: dict[str, int] = Field(
        description="Why they cross: short (a split would leave a cue under 1 s, or the cue is "
        "held for its minimum past a cut), fragment (a few words alone), preferred (a split "
        "would make a worse cue: too fast to read, or broken in a bad place)."
    )
    reading_speed_ok_share: float
    duration_ok_share: float
    too_fast: list[TooFastCue] = Field(description="Every cue above the reading speed limit.")


class SubtitleSet(Artefact):
    """Broadcast subtitles of an asset in every delivery format."""

    schema_version: int = 2  # 2: too-fast cues in Seconds (start, end), not start_ms and end_ms
    asset_id: str
    language: str | None
    translation: bool = Field(False, description="English translated from the spoken language.")
    profile: str = Field(description="Cue rules used: 'fr-broadcast' or 'fr-tv' (37 chars).")
    cues: int
    webvtt: str
    srt: str
    ebu_tt_d: str
    compliance: SubtitleCompliance
    shot_cuts: int = Field(description="Shot cuts in the ShotList the cues were timed against.")


class TopicTag(BaseModel):
    """An IPTC Media Topic given to an asset or a part of it."""

    model_config = ConfigDict(frozen=True)

    qcode: str = Field(description="e.g. medtop:15000000")
    uri: str
    label_fr: str
    label_en: str
    level: int = Field(description="1 for the 17 top-level topics, deeper for subtopics.")
    score: float
    method: str = Field(description="Tagger that chose it: ensemble, classifier, lexical...")
    ranges: list[tuple[Seconds, Seconds]] = Field(description="Where it applies, in seconds.")


class NamedEntity(BaseModel):
    """A person, organisation, place... named in the programme, with where."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="As said in the transcript.")
    kind: str = Field(description="The NER model's entity group, e.g. PER, ORG, LOC, MISC.")
    score: float = Field(description="The NER model's confidence (1.0 from spaCy: it gives none).")
    count: int = Field(1, description="Mentions.")
    ranges: list[tuple[Seconds, Seconds]] = Field(description="Where it is said, in seconds.")


class SegmentTags(BaseModel):
    """Topics, keywords and named entities of one topical segment of the programme."""

    model_config = ConfigDict(frozen=True)

    start: Seconds
    end: Seconds
    topics: list[TopicTag]
    keywords: list[str]
    entities: list[NamedEntity] = Field(default_factory=list, description="With a NER model.")


class TagSet(Artefact):
    """IPTC Media Topics and keywords, per segment and for the whole programme."""

    asset_id: str
    language: str | None
    tagger: str
    topics: list[TopicTag] = Field(description="Programme-level topics, best first.")
    segments: list[SegmentTags]
    entities: list[NamedEntity] = Field(default_factory=list, description="Programme-level.")
    entity_recogniser: str = Field(
        "", description="What found the entities (package@version), or why there are none."
    )
    json_uri: str | None = None
    ebucore_uri: str | None = Field(None, description="EBUCore-style sidecar (dc:subject).")
    reason: str | None = Field(None, description="Why the tag set is empty, when it is.")
