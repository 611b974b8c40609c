"""Régie's engine: storage with a residency guard, the stage contract, typed artefacts and stages.

Nothing here imports Prefect: every stage can run from a notebook, a test or another orchestrator.
The media stages with heavy dependencies (``regie.shots``, ``regie.transcode``, ``regie.publish``,
``regie.subtitles``) are imported from their own packages, each with its ``__all__``, so that
``import regie`` stays light (a fetch worker's peak memory is measured and bounded).
"""

from regie.artefacts import (
    Artefact,
    AudioStream,
    MediaInfo,
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
from regie.settings import Settings
from regie.stage import Manifest, Stage, StageContext, StageOptions, StageOutcome, run_stage
from regie.storage import ResidencyPolicy, S3Config, Storage

__all__ = [
    "Artefact",
    "AudioStream",
    "IntegrityError",
    "Manifest",
    "MediaError",
    "MediaInfo",
    "PermanentError",
    "ProbeError",
    "ProbeOptions",
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
    "TransientError",
    "Transition",
    "VideoStream",
    "fetch",
    "probe",
    "probe_file",
    "run_stage",
]
