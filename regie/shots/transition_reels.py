"""Reels of real shots joined by archive transitions, with their ground truth, from a seed.

Older programmes join shots with cuts, dissolves, fades through black, wipes and pushes. A reel
takes pieces of real shots (ranges between the hand-verified cuts of the shared clips), joins
them with a seeded random choice of transitions, durations and positions, and renders it with
one ffmpeg filter graph. Planning and the graph are pure; only :func:`render_reel` runs ffmpeg.

The graph never relies on how ``xfade`` continues after a transition (ffmpeg 5.1 leaves a gap of
one frame in the timestamps there, so chained ``xfade`` filters drift from frame arithmetic). Each
transition of ``M`` mixed frames is rendered on its own: the last ``M + 2`` frames of the outgoing
piece and the first ``M + 2`` of the incoming one, through an ``xfade`` of ``M + 1`` frames at
offset 0, of which ``trim`` keeps exactly the mixed frames ``1 .. M``. One ``concat`` then joins
the pure part of every piece and the mixed frames between them, so every frame index is known.
"""

from __future__ import annotations

import json
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

FPS = 25
CUT = "cut"
# Transition families and the xfade transitions that render each of them.
FAMILIES: dict[str, tuple[str, ...]] = {
    CUT: (CUT,),
    "dissolve": ("fade",),
    "fadeblack": ("fadeblack",),
    "wipe": (
        "wipeleft", "wiperight", "wipeup", "wipedown",
        "slideleft", "slideright", "slideup", "slidedown",
        "circleopen", "horzopen", "vertclose",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class SourceShot:
    """One shot of a shared clip: inclusive decoded-frame range between its cuts."""

    video: str  # path relative to the data root
    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Piece:
    """The frames ``start .. start + length - 1`` of a source shot, as one shot of the reel."""

    shot: SourceShot
    start: int
    length: int


@dataclass(frozen=True)
class Join:
    """How a piece follows the previous one: a cut (0 mixed frames) or an xfade transition."""

    family: str
    transition: str
    mixed: int  # frames showing both shots (0 for a cut)


@dataclass(frozen=True)
class TruthEvent:
    """A transition of the reel: a cut at ``first == last``, or its first and last mixed frame."""

    family: str
    transition: str
    first: int
    last: int


@dataclass(frozen=True)
class ReelPlan:
    seed: int
    pieces: tuple[Piece, ...]
    joins: tuple[Join, ...]

    def truth(self) -> list[TruthEvent]:
        """Every transition with its frame range in the rendered reel."""
        return _layout(self)[1]

    @property
    def frames(self) -> int:
        return _layout(self)[0]


@dataclass(frozen=True)
class ReelShape:
    """What a seed chooses from: transitions per reel, durations, families."""

    joins: int = 10
    min_mixed: int = 6
    max_mixed: int = 30
    min_pure: int = 6  # frames of each piece shown unmixed
    max_extra: int = 40  # frames a piece may run beyond what its transitions need
    families: tuple[str, ...] = tuple(FAMILIES)


def source_shots(truth_dir: Path, min_length: int = 20) -> list[SourceShot]:
    """Shots of every clip of ``truth_dir`` whose boundaries are all hard cuts."""
    shots = []
    for truth_file in sorted(truth_dir.glob("*.json")):
        truth = json.loads(truth_file.read_text())
        if truth["gradual"] or truth["ambiguous"]:
            continue
        starts = [0, *truth["cuts"]]
        ends = [cut - 1 for cut in truth["cuts"]] + [truth["frames"] - 1]
        shots += [SourceShot(truth["video"], s, e) for s, e in zip(starts, ends, strict=True)]
    return [shot for shot in shots if shot.length >= min_length]


def plan_reel(seed: int, shots: list[SourceShot], shape: ReelShape | None = None) -> ReelPlan:
    """A reel of ``shape.joins + 1`` pieces; two neighbours never come from the same shot."""
    shape = shape or ReelShape()
    rng = random.Random(seed)
    joins = tuple(_random_join(rng, shape) for _ in range(shape.joins))
    needs = [j.mixed + 1 for j in joins]  # frames each transition takes from either side
    pieces: list[Piece] = []
    for index in range(shape.joins + 1):
        before = needs[index - 1] if index else 0
        after = needs[index] if index < shape.joins else 0
        need = before + after + shape.min_pure
        previous = pieces[-1].shot if pieces else None
        fitting = [s for s in shots if s.length >= need and s != previous]
        if not fitting:
            raise ValueError(f"no source shot of {need} frames or more for seed {seed}")
        shot = rng.choice(fitting)
        length = rng.randint(need, min(shot.length, need + shape.max_extra))
        pieces.append(Piece(shot, rng.randint(shot.first, shot.last - length + 1), length))
    return ReelPlan(seed, tuple(pieces), joins)


def filter_graph(plan: ReelPlan, width: int, height: int) -> str:
    """The ``-filter_complex`` graph of a reel to ``[v]``; input ``i`` is piece ``i``'s video."""
    fit = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p"
    )
    uses = [1 + (i > 0 and _mixes(plan, i - 1)) + _mixes(plan, i) for i in range(len(plan.pieces))]
    chains = [
        f"[{i}:v]trim=start_frame={p.start}:end_frame={p.start + p.length},{fit},"
        f"split={uses[i]}" + "".join(f"[p{i}u{n}]" for n in range(uses[i]))
        for i, p in enumerate(plan.pieces)
    ]
    taken = [0] * len(plan.pieces)
    segments: list[str] = []
    for kind, index, first, end in _segments(plan):
        if kind == "pure":
            chains.append(f"{_take(index, taken)}{_frames(first, end)}[s{len(segments)}]")
        else:
            join = plan.joins[index]
            before = plan.pieces[index].length - join.mixed - 2
            chains.append(
                f"{_take(index, taken)}{_frames(before, before + join.mixed + 2)}[a{index}];"
                f"{_take(index + 1, taken)}{_frames(0, join.mixed + 2)}[b{index}];"
                f"[a{index}][b{index}]xfade=transition={join.transition}:"
                f"duration={(join.mixed + 1) / FPS:.6f}:offset=0,"
                f"{_frames(1, join.mixed + 1)}[s{len(segments)}]"
            )
        segments.append(f"[s{len(segments)}]")
    chains.append(f"{''.join(segments)}concat=n={len(segments)}:v=1:a=0,settb=1/{FPS},setpts=N[v]")
    return ";".join(chains)


def render_reel(plan: ReelPlan, data_root: Path, target: Path, size: tuple[int, int]) -> Path:
    """Encode the reel (H.264, ``size``) to ``target``."""
    inputs = [arg for piece in plan.pieces for arg in ("-i", str(data_root / piece.shot.video))]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", *inputs,
         "-filter_complex", filter_graph(plan, *size), "-map", "[v]", "-fps_mode", "passthrough",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", str(target)],
        check=True,
    )  # fmt: skip
    return target


def _random_join(rng: random.Random, shape: ReelShape) -> Join:
    family = rng.choice(shape.families)
    if family == CUT:
        return Join(CUT, CUT, 0)
    return Join(family, rng.choice(FAMILIES[family]), rng.randint(shape.min_mixed, shape.max_mixed))


def _mixes(plan: ReelPlan, join: int) -> bool:
    return join < len(plan.joins) and plan.joins[join].family != CUT


def _take(piece: int, taken: list[int]) -> str:
    """The next unused output of piece ``piece``'s ``split``."""
    taken[piece] += 1
    return f"[p{piece}u{taken[piece] - 1}]"


def _frames(first: int, end: int) -> str:
    """Frames ``first .. end - 1`` of a stream, timed at FPS from 0."""
    return f"trim=start_frame={first}:end_frame={end},settb=1/{FPS},setpts=N,fps={FPS}"


def _segments(plan: ReelPlan) -> list[tuple[str, int, int, int]]:
    """The reel in order: ``("pure", piece, first, end)`` frames of a piece (``end`` excluded)
    and ``("mix", join, 0, mixed)`` transitions."""
    segments: list[tuple[str, int, int, int]] = []
    for index, piece in enumerate(plan.pieces):
        first = plan.joins[index - 1].mixed + 1 if index and _mixes(plan, index - 1) else 0
        end = piece.length - (plan.joins[index].mixed + 1 if _mixes(plan, index) else 0)
        segments.append(("pure", index, first, end))
        if _mixes(plan, index):
            segments.append(("mix", index, 0, plan.joins[index].mixed))
    return segments


def _layout(plan: ReelPlan) -> tuple[int, list[TruthEvent]]:
    """Length of the rendered reel and where each transition lies in it."""
    events, length = [], 0
    for kind, index, first, end in _segments(plan):
        if kind == "mix":
            join = plan.joins[index]
            events.append(TruthEvent(join.family, join.transition, length, length + end - 1))
        elif index:
            join = plan.joins[index - 1]
            if join.family == CUT:
                events.append(TruthEvent(CUT, CUT, length, length))
        length += end - first
    return length, events
