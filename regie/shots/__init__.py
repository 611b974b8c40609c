"""Shot detection: streamed small frames, swappable detectors, the shots stage and its exports.

Kept out of ``regie``'s top-level imports: it brings numpy, pandas and Pillow, which fetch and
probe do not need.
"""

from regie.shots.detector import DETECTORS, Detection, ShotDetector, get_detector
from regie.shots.stage import SHOTS, ShotOptions, build_shot_list, detect_shots

__all__ = [
    "DETECTORS",
    "SHOTS",
    "Detection",
    "ShotDetector",
    "ShotOptions",
    "build_shot_list",
    "detect_shots",
    "get_detector",
]
