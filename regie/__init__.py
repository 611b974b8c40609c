"""Régie's engine: storage with a residency guard, the stage contract, typed artefacts and stages.

Nothing here imports Prefect: every stage can run from a notebook, a test or another orchestrator.
"""

from regie.artefacts import (
    Artefact,
    AudioStream,
    MediaInfo,
    PublishReceipt,
    RenditionSet,
    Shot,
    ShotList,
    SourceAsset,
    Transition,
    VideoStream,
)
from regie.errors import (
    IntegrityError,
    MediaError,
    PermanentError,
    ProbeError,
    ResidencyError,
    RestoreTimeoutError,
    ToolError,
    TransientError,
)
from regie.fetch import RestorePolicy, fetch
from regie.probe import ProbeOptions, probe, probe_file
from regie.publish import CdnTarget, PublishOptions, publish, unpublish
from regie.settings import Settings
from regie.stage import Manifest, Stage, StageContext, StageOptions, StageOutcome, run_stage
from regie.storage import ResidencyPolicy, S3Config, Storage
from regie.transcode import TranscodeOptions, transcode

__all__ = [
    "Artefact",
    "AudioStream",
    "CdnTarget",
    "IntegrityError",
    "Manifest",
    "MediaError",
    "MediaInfo",
    "PermanentError",
    "ProbeError",
    "ProbeOptions",
    "PublishOptions",
    "PublishReceipt",
    "RenditionSet",
    "ResidencyError",
    "ResidencyPolicy",
    "RestorePolicy",
    "RestoreTimeoutError",
    "S3Config",
    "Settings",
    "Shot",
    "ShotList",
    "SourceAsset",
    "Stage",
    "StageContext",
    "StageOptions",
    "StageOutcome",
    "Storage",
    "ToolError",
    "TranscodeOptions",
    "TransientError",
    "Transition",
    "VideoStream",
    "fetch",
    "probe",
    "probe_file",
    "publish",
    "run_stage",
    "transcode",
    "unpublish",
]
