"""Tape leaders: colour bars with line-up tone, black and a slate before the programme, black after.

One ffmpeg pass over a stretch of the master (its picture shrunk to 320x180 first: decoding is
then most of the cost) runs the detectors a broadcast engineer trusts:
``signalstats`` for colour bars (on a 32x36 area-averaged picture, where tape noise averages
out: bar columns repeat down the picture, ``VREP``, with saturated colour and a full luma swing,
which no plain card and no natural picture has together), ``astats`` on the programme mix's first
track for the line-up tone (level at alignment, the 3 dB crest of a pure sine, its energy inside
a half-octave band around 1 kHz), ``blackdetect``, ``freezedetect`` for a still slate and
``silencedetect``.

The rule, from the cautious side: a head leader is only ever found where the master *opens* on
colour bars *with* line-up tone. Black alone proves nothing at the head (programmes open on black
for a fade-in), nor does a still picture (a title card), so they only extend a leader that bars
and tone started: it runs on through every black or still stretch that follows without a gap,
and the programme starts at the first frame after it. Tail black (black *and* silence running to
the end of the file, at least ``min_tail_black_s``) is cut only on such a tape transfer: on a
file-based master without a leader, a trailing black is the programme's own. Only the opening
seconds are decoded on a master without bars, the head window and the last seconds where a
leader is found.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from regie.artefacts import MediaInfo
from regie.ffmpeg import run_tool
from regie.programme import LeaderEvidence, LeaderReport, ProgrammeRange, TimeSpan, seek_argv

FRAME_LINE = re.compile(r"^frame:\d+\s+pts:\S+\s+pts_time:(\S+)")
BLACK = re.compile(r"black_start:(\S+) black_end:(\S+)")
FREEZE = re.compile(r"freezedetect\.freeze_(start|end): (\S+)")
SILENCE = re.compile(r"silence_(start|end): (\S+)")
WINDOW_SAMPLES = 4800  # astats windows of 0.1 s at 48 kHz


class LeaderRules(BaseModel):
    """Thresholds of the detectors and bounds of the decision."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opening_s: float = Field(5.0, description="First look: does the master open on bars+tone?")
    head_window_s: float = Field(300.0, description="Longest head leader looked for.")
    tail_window_s: float = Field(60.0, description="End of the master searched for tail black.")
    bars_within_s: float = Field(1.0, description="Bars must start this close to the start.")
    min_bars_s: float = Field(1.0, description="Bars and tone together for at least this long.")
    bars_vrep: float = Field(0.5, description="signalstats VREP of bars at 32x36 (0.56 to 0.89).")
    bars_saturation: float = Field(20.0, description="signalstats SATAVG of bars (37 to 87).")
    bars_luma_swing: int = Field(100, description="YMAX - YMIN of bars (white to black bar).")
    tone_hz: int = 1000
    tone_dbfs: tuple[float, float] = Field((-30.0, -8.0), description="Tone RMS level range.")
    tone_crest_db: tuple[float, float] = Field((2.5, 3.5), description="Peak - RMS of a sine.")
    tone_band_db: float = Field(1.0, description="Most the RMS may lose in the tone's band.")
    black_pixel: float = Field(0.10, description="blackdetect pix_th.")
    min_black_s: float = Field(0.2, description="blackdetect d: shortest black stretch.")
    still_noise: float = Field(0.001, description="freezedetect n.")
    silence_db: float = -60.0
    min_tail_black_s: float = Field(1.0, description="Shortest tail black cut.")
    min_programme_s: float = Field(1.0, description="Never cut a master shorter than this.")


@dataclass(frozen=True)
class Stretch:
    """What to analyse: where, the frame rate, and the audio track (stream, channel) if any."""

    span: TimeSpan
    rate: Fraction
    track: tuple[int, int] | None


def analysis_argv(path: Path, stretch: Stretch, folder: Path, rules: LeaderRules) -> list[str]:
    """ffmpeg running every detector over ``stretch``; per-frame and per-window statistics go to
    text files in ``folder``, the detectors' findings to stderr."""
    video = (
        f"[0:v:0]scale=320:180:flags=area,"
        f"blackdetect=d={rules.min_black_s}:pix_th={rules.black_pixel},"
        f"freezedetect=n={rules.still_noise}:d={rules.min_black_s},"
        f"scale=32:36:flags=area,signalstats=stat=vrep,"
        f"metadata=mode=print:file={folder / 'video.txt'}[v]"
    )
    graph, maps = [video], ["-map", "[v]"]
    if stretch.track is not None:
        stream, channel = stretch.track
        stats = "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall="
        graph.append(
            f"[0:a:{stream}]pan=mono|c0=c{channel},aresample=48000,asplit[full][band];"
            f"[full]silencedetect=n={rules.silence_db}dB:d={rules.min_black_s},"
            f"asetnsamples=n={WINDOW_SAMPLES},{stats}Peak_level+RMS_level,"
            f"ametadata=mode=print:file={folder / 'audio.txt'}[a];"
            f"[band]bandpass=f={rules.tone_hz}:width_type=o:w=0.5,"
            f"asetnsamples=n={WINDOW_SAMPLES},{stats}RMS_level,"
            f"ametadata=mode=print:file={folder / 'band.txt'}[b]"
        )
        maps += ["-map", "[a]", "-map", "[b]"]
    return [
        "ffmpeg", "-hide_banner", "-nostdin", "-nostats", *seek_argv(stretch.span), "-i", str(path),
        "-filter_complex", ";".join(graph), *maps, "-f", "null", "-",
    ]  # fmt: skip


def analyse(path: Path, stretch: Stretch, rules: LeaderRules, asset: str) -> LeaderEvidence:
    """Run the detectors over a stretch of the master; times in seconds into the master."""
    with tempfile.TemporaryDirectory(prefix="leader-") as scratch:
        folder = Path(scratch)
        done = run_tool(analysis_argv(path, stretch, folder, rules), asset)
        frames = read_metadata(folder / "video.txt")
        heard = stretch.track is not None
        full = read_metadata(folder / "audio.txt") if heard else []
        band = read_metadata(folder / "band.txt") if heard else []
    return evidence_from(done.stderr, frames, (full, band), stretch, rules)


def read_metadata(path: Path) -> list[tuple[Fraction, dict[str, float]]]:
    """What ``metadata=mode=print`` wrote: each frame's time and its values."""
    frames: list[tuple[Fraction, dict[str, float]]] = []
    for line in path.read_text().splitlines():
        if match := FRAME_LINE.match(line):
            frames.append((Fraction(match.group(1)), {}))
        elif line.startswith("lavfi.") and frames:  # not the frame's own (an MXF timecode...)
            key, value = line.rsplit("=", 1)
            frames[-1][1][key.rsplit(".", 1)[-1]] = float(value)
    return frames


def evidence_from(
    stderr: str,
    frames: list[tuple[Fraction, dict[str, float]]],
    audio: tuple[list[tuple[Fraction, dict[str, float]]], list[tuple[Fraction, dict[str, float]]]],
    stretch: Stretch,
    rules: LeaderRules,
) -> LeaderEvidence:
    """The detectors' findings as spans of the master (pure)."""
    span, frame = stretch.span, 1 / stretch.rate
    window = Fraction(WINDOW_SAMPLES, 48000)
    bars = [time for time, values in frames if is_bars(values, rules)]
    full, band = audio
    tone = [
        time
        for (time, values), (_, banded) in zip(full, band, strict=False)
        if is_tone(values, banded.get("RMS_level", float("-inf")), rules)
    ]
    end = span.end - span.start
    return LeaderEvidence(
        analysed=span,
        bars=_shifted(runs(bars, frame), span.start),
        tone=_shifted(runs(tone, window), span.start),
        black=_shifted(
            [TimeSpan(start=Fraction(a), end=Fraction(b)) for a, b in BLACK.findall(stderr)],
            span.start,
        ),
        still=_shifted(_logged_spans(FREEZE.findall(stderr), end), span.start),
        silence=_shifted(_logged_spans(SILENCE.findall(stderr), end), span.start),
    )


def is_bars(values: dict[str, float], rules: LeaderRules) -> bool:
    """Colour bars: columns repeated down the picture, saturated colours, white to black."""
    swing = values.get("YMAX", 0) - values.get("YMIN", 0)
    return (
        values.get("VREP", 0) >= rules.bars_vrep
        and values.get("SATAVG", 0) >= rules.bars_saturation
        and swing >= rules.bars_luma_swing
    )


def is_tone(values: dict[str, float], band_rms: float, rules: LeaderRules) -> bool:
    """Line-up tone: a pure sine (crest 3 dB) at alignment level, its energy in the tone's band."""
    rms, peak = values.get("RMS_level", float("-inf")), values.get("Peak_level", float("-inf"))
    low, high = rules.tone_dbfs
    crest_low, crest_high = rules.tone_crest_db
    return (
        low <= rms <= high
        and crest_low <= peak - rms <= crest_high
        and rms - band_rms <= rules.tone_band_db
    )


def runs(times: list[Fraction], step: Fraction) -> list[TimeSpan]:
    """Consecutive times (``step`` apart, one missing tolerated) joined into spans (pure)."""
    spans: list[TimeSpan] = []
    for time in times:
        if spans and time - spans[-1].end <= step:
            spans[-1] = TimeSpan(start=spans[-1].start, end=time + step)
        else:
            spans.append(TimeSpan(start=time, end=time + step))
    return spans


def _logged_spans(events: list[tuple[str, str]], end: Fraction) -> list[TimeSpan]:
    """``start``/``end`` events as spans; one still open at the end of the input runs to ``end``."""
    spans: list[TimeSpan] = []
    opened: Fraction | None = None
    for kind, value in events:
        if kind == "start":
            opened = Fraction(value)
        elif opened is not None:
            spans.append(TimeSpan(start=opened, end=Fraction(value)))
            opened = None
    if opened is not None:
        spans.append(TimeSpan(start=opened, end=end))
    return spans


def _shifted(spans: list[TimeSpan], offset: Fraction) -> list[TimeSpan]:
    return [TimeSpan(start=s.start + offset, end=s.end + offset) for s in spans]


def detect_leader(
    path: Path, media: MediaInfo, rules: LeaderRules, keep: bool = False
) -> tuple[LeaderReport | None, ProgrammeRange | None]:
    """Find a head leader and tail black; the programme's range unless ``keep`` or none found.

    Returns:
        The report (None without a picture to look at) and the range to publish (None: all).
    """
    video = media.primary_video
    if video is None or not video.frame_rate or media.duration <= 0:
        return None, None
    stretch = Stretch(TimeSpan(start=0, end=media.duration), video.frame_rate, _tone_track(media))
    asset = media.asset_id
    opening = analyse(path, _first(stretch, rules.opening_s), rules, asset)
    head: TimeSpan | None = None
    bars, reason = bars_and_tone(opening, rules)
    if bars is not None:  # they open the master: now the whole leader
        opening = analyse(path, _first(stretch, rules.head_window_s), rules, asset)
        head, reason = find_head(opening, stretch.rate, rules)
    if head is None:
        report = LeaderReport(head=None, tail=None, trimmed=False, reason=reason, opening=opening)
        return report, None
    closing = (  # a short master was analysed whole already
        opening
        if opening.analysed.end >= stretch.span.end
        else analyse(path, _last(stretch, head.end, rules.tail_window_s), rules, asset)
    )
    tail = find_tail(closing, stretch.rate, rules)
    programme = programme_range(head, tail, stretch)
    if tail is not None:
        reason += f"; tail black and silence from {float(tail.start):.3f} s"
    if programme.duration < Fraction(rules.min_programme_s):
        reason += f"; nothing trimmed: {float(programme.duration):.3f} s of programme would be left"
        keep = True
    report = LeaderReport(
        head=head, tail=tail, trimmed=not keep, reason=reason, opening=opening, closing=closing
    )
    return report, None if keep else programme


def find_head(
    evidence: LeaderEvidence, rate: Fraction, rules: LeaderRules
) -> tuple[TimeSpan | None, str]:
    """The head leader: bars with tone from the start, then every black or still stretch that
    follows without a gap, ending on black or bars (pure). A still with no black after it may be
    the programme's title card: it is left to the programme.

    Returns:
        The leader (None: none) and the reason.
    """
    bars, reason = bars_and_tone(evidence, rules)
    if bars is None:
        return None, reason
    start, gap = evidence.analysed.start, 2 / rate
    parts = sorted(
        [*((s, "black") for s in evidence.black), *((s, "bars") for s in evidence.bars),
         *((s, "still") for s in evidence.still)],
        key=lambda part: part[0].start,
    )  # fmt: skip
    end = closed_at = bars.end
    found = [f"bars and tone {_text(bars)}"]
    for span, kind in parts:
        if span.start > end + gap:
            break
        if span.end > end or (kind != "still" and span.end > closed_at):
            found.append(f"{kind} {_text(span)}")
        end = max(end, span.end)
        closed_at = closed_at if kind == "still" else max(closed_at, span.end)
    if closed_at >= evidence.analysed.end - gap:
        return None, f"a leader runs past the {float(evidence.analysed.duration):g} s analysed"
    kept = "" if closed_at == end else f"; the still {_text(TimeSpan(start=closed_at, end=end))}"
    leader = TimeSpan(start=start, end=Fraction(round(closed_at * rate)) / rate)
    return leader, "head leader: " + ", ".join(found) + (kept and kept + " is kept")


def bars_and_tone(evidence: LeaderEvidence, rules: LeaderRules) -> tuple[TimeSpan | None, str]:
    """The colour bars opening the stretch with line-up tone (pure), or None and why not."""
    start = evidence.analysed.start
    long_enough = [b for b in evidence.bars if b.duration >= Fraction(rules.min_bars_s)]
    bars = next((b for b in long_enough if b.start - start <= rules.bars_within_s), None)
    if bars is None:
        return None, f"no colour bars in the first {rules.bars_within_s:g} s: no leader"
    toned = sum((_overlap(bars, tone) for tone in evidence.tone), Fraction(0))
    if toned < Fraction(rules.min_bars_s):
        return None, f"colour bars {_text(bars)} without line-up tone: no leader"
    return bars, ""


def find_tail(evidence: LeaderEvidence, rate: Fraction, rules: LeaderRules) -> TimeSpan | None:
    """Black with silence from inside the analysed stretch to the end of the master (pure)."""
    gap = 2 / rate
    analysed = evidence.analysed
    for black in reversed(evidence.black):
        to_the_end = black.end >= analysed.end - gap and black.start > analysed.start + gap
        silent = any(
            s.start <= black.start + gap and s.end >= analysed.end - gap for s in evidence.silence
        )
        if to_the_end and silent and analysed.end - black.start >= Fraction(rules.min_tail_black_s):
            return TimeSpan(start=Fraction(round(black.start * rate)) / rate, end=analysed.end)
    return None


def programme_range(head: TimeSpan, tail: TimeSpan | None, stretch: Stretch) -> ProgrammeRange:
    """The frames between the head leader and the tail black (pure)."""
    rate = stretch.rate
    first = round(head.end * rate)
    stop = round(tail.start * rate) if tail else int(stretch.span.end * rate)
    return ProgrammeRange(
        first_frame=first, frames=stop - first, start=Fraction(first) / rate,
        end=Fraction(stop) / rate,
    )  # fmt: skip


def _tone_track(media: MediaInfo) -> tuple[int, int] | None:
    """The (stream, channel) of the programme mix's first track, where line-up tone is."""
    layout = media.audio_layout
    if layout is None or not layout.programme.tracks:
        return None
    return layout.channels[layout.programme.tracks[0] - 1]


def _first(stretch: Stretch, seconds: float) -> Stretch:
    span = TimeSpan(start=0, end=min(stretch.span.end, Fraction(seconds)))
    return Stretch(span, stretch.rate, stretch.track)


def _last(stretch: Stretch, after: Fraction, seconds: float) -> Stretch:
    start = max(after, stretch.span.end - Fraction(seconds))
    return Stretch(TimeSpan(start=start, end=stretch.span.end), stretch.rate, stretch.track)


def _overlap(a: TimeSpan, b: TimeSpan) -> Fraction:
    return max(Fraction(0), min(a.end, b.end) - max(a.start, b.start))


def _text(span: TimeSpan) -> str:
    return f"{float(span.start):.3f}-{float(span.end):.3f} s"
