"""``pyscenedetect``: PySceneDetect's ContentDetector or AdaptiveDetector, as the baseline.

PySceneDetect decodes with OpenCV at full size and finds hard cuts only; its frame times assume a
constant frame rate. It is here to be measured against, not to be the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import ClassVar, Literal

from regie.errors import PermanentError
from regie.shots.detector import Detection
from regie.shots.frames import FrameTimes


@dataclass(frozen=True)
class PySceneDetectOptions:
    detector: Literal["content", "adaptive"] = "content"


class PySceneDetectDetector:
    """Adapter over scenedetect's detectors with their default settings."""

    NAME: ClassVar[str] = "pyscenedetect"
    FINDS_GRADUAL: ClassVar[bool] = False

    def __init__(self, options: PySceneDetectOptions | None = None) -> None:
        self.options = options or PySceneDetectOptions()
        try:
            import scenedetect
        except ImportError as error:
            raise PermanentError(
                "pyscenedetect", "needs scenedetect and OpenCV", "pip install 'regie[shots]'"
            ) from error
        self.scenedetect = scenedetect

    def detect(self, path: Path, asset: str, prefilter: str = "") -> Detection:
        """Cuts by PySceneDetect, which decodes through OpenCV: ``prefilter`` cannot apply."""
        sd = self.scenedetect
        try:
            video = sd.open_video(str(path))
        except Exception as error:  # scenedetect raises its own OpenCV wrapper errors
            raise PermanentError(asset, f"PySceneDetect cannot open the video ({error})") from error
        detector = (
            sd.ContentDetector() if self.options.detector == "content" else sd.AdaptiveDetector()
        )
        manager = sd.SceneManager()
        manager.add_detector(detector)
        manager.detect_scenes(video)
        cuts = [start.frame_num for start, _ in manager.get_scene_list()[1:]]
        count = video.frame_number
        rate = Fraction(video.frame_rate).limit_denominator(1001)
        times = FrameTimes(pts=list(range(count)), time_base=1 / rate)
        return Detection(count, cuts, [], times)
