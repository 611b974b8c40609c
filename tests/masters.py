"""Broadcast masters generated with ffmpeg lavfi, and how tests read the published result.

Each master is interlaced (a 50p moving pattern woven into 25i fields), carries a hard cut at
2 s (a second pattern), the start timecode 10:00:00:00 and a distinct tone on every track
(440 Hz on track 1, 880 Hz on track 2, then 1, 1.5, 2... kHz), so a test can tell every channel
of every published audio rendition apart by its frequency.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from tests.media import ffmpeg

SECONDS = 3
CUT_FRAME = 50  # of 25 frames a second
TIMECODE = "10:00:00:00"


def tone(track: int) -> int:
    """Frequency of track ``track`` (from 1)."""
    return {1: 440, 2: 880}.get(track, 500 * track - 500)


def _picture(size: str, field: str, blur: bool) -> str:
    """Two moving patterns joined by a cut at CUT_FRAME, woven into fields of ``field`` order."""
    soften = ",gblur=sigma=0.8" if blur else ""  # sharp SD text fools idet into seeing fields
    first = f"testsrc2=size={size}:rate=50:duration={CUT_FRAME * 2 / 50}{soften}"
    second = f"testsrc2=size={size}:rate=50,negate{soften}"
    weave = "interleave_top" if field == "tff" else "interleave_bottom"
    return f"{first}[a];{second}[b];[a][b]concat=n=2:v=1:a=0,tinterlace={weave},setfield={field}"


def _tones(tracks: int) -> list[str]:
    return [
        arg for n in range(1, tracks + 1)
        for arg in ("-f", "lavfi", "-i", f"sine=frequency={tone(n)}:sample_rate=48000")
    ]  # fmt: skip


def xdcam_hd422(path: Path, seconds: float = SECONDS) -> Path:
    """1080i50 XDCAM HD422 (MPEG-2 4:2:2 long GOP) in MXF OP1a with 8 mono PCM tracks."""
    ffmpeg(
        "-f", "lavfi", "-i", _picture("1920x1080", "tff", blur=False), *_tones(8),
        "-map", "0:v", *(a for n in range(1, 9) for a in ("-map", f"{n}:a")), "-t", str(seconds),
        "-c:v", "mpeg2video", "-profile:v", "0", "-level:v", "2", "-pix_fmt", "yuv422p",
        "-b:v", "25M", "-maxrate", "50M", "-bufsize", "17M", "-g", "12", "-bf", "2",
        "-flags", "+ilme+ildct", "-top", "1", "-c:a", "pcm_s24le", "-ar", "48000",
        "-timecode", TIMECODE, str(path),
    )  # fmt: skip
    return path


def dv_anamorphic(path: Path) -> Path:
    """DV 576i (bottom field first) flagged 16:9 (SAR 64:45), stereo PCM: 440 Hz L, 880 Hz R."""
    ffmpeg(
        "-f", "lavfi", "-i", _picture("720x576", "bff", blur=True), *_tones(2),
        "-filter_complex", "[1:a][2:a]join=inputs=2:channel_layout=stereo[a]",
        "-map", "0:v", "-map", "[a]", "-t", str(SECONDS),
        "-c:v", "dvvideo", "-pix_fmt", "yuv420p", "-aspect", "16:9", "-top", "0",
        "-c:a", "pcm_s16le", "-ar", "48000", "-timecode", TIMECODE, "-f", "dv", str(path),
    )  # fmt: skip
    return path


def d10_imx50(path: Path) -> Path:
    """D-10/IMX50 MXF: 720x608 intra MPEG-2 at 50 Mb/s, 16:9, its 32 VBI lines white, one
    4-channel PCM stream."""
    picture = _picture("720x576", "tff", blur=True) + ",pad=720:608:0:32:white"
    ffmpeg(
        "-f", "lavfi", "-i", picture, *_tones(4),
        "-filter_complex", "[1:a][2:a][3:a][4:a]amerge=inputs=4[a]",
        "-map", "0:v", "-map", "[a]", "-t", str(SECONDS),
        "-c:v", "mpeg2video", "-pix_fmt", "yuv422p", "-aspect", "16:9", "-g", "1",
        "-b:v", "50M", "-minrate", "50M", "-maxrate", "50M", "-bufsize", "2000000",
        "-rc_init_occupancy", "2000000", "-intra_vlc", "1", "-non_linear_quant", "1",
        "-flags", "+ildct+ilme", "-top", "1", "-dc", "10", "-qmin", "1", "-qmax", "12",
        "-ps", "1", "-c:a", "pcm_s16le", "-ar", "48000", "-timecode", TIMECODE,
        "-f", "mxf_d10", str(path),
    )  # fmt: skip
    return path


def _mov_10bit(path: Path, codec: list[str], tracks: int) -> Path:
    """1080i50 10-bit 4:2:2 in MOV with ``tracks`` mono 24-bit PCM tracks and a tmcd track."""
    ffmpeg(
        "-f", "lavfi", "-i", _picture("1920x1080", "tff", blur=False), *_tones(tracks),
        "-map", "0:v", *(a for n in range(1, tracks + 1) for a in ("-map", f"{n}:a")),
        "-t", str(SECONDS), *codec, "-pix_fmt", "yuv422p10le", "-flags", "+ilme+ildct",
        "-top", "1", "-c:a", "pcm_s24le", "-ar", "48000", "-timecode", TIMECODE, str(path),
    )  # fmt: skip
    return path


def prores_hq(path: Path) -> Path:
    """ProRes 422 HQ 1080i50, 10-bit 4:2:2, 4 mono tracks: an edit suite's mezzanine."""
    return _mov_10bit(path, ["-c:v", "prores_ks", "-profile:v", "hq", "-vendor", "apl0"], 4)


def dnxhd_185x(path: Path) -> Path:
    """DNxHD 185x (Avid's 10-bit 1080i50 intra codec at 185 Mb/s), 4 mono tracks."""
    return _mov_10bit(path, ["-c:v", "dnxhd", "-b:v", "185M"], 4)


def idet_counts(path: Path) -> dict[str, int]:
    """idet's multi-frame counts on every frame of ``path``'s first video stream."""
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0",
         "-vf", "idet", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(ln for ln in done.stderr.splitlines() if "Multi frame detection" in ln)
    words = line.split("detection:")[1].replace(":", " ").split()
    return {words[i].lower(): int(words[i + 1]) for i in range(0, len(words), 2)}


def channel_tones(path: Path, channels: int = 2) -> list[int]:
    """The loudest frequency (Hz, to 10 Hz) of each channel of the first audio stream."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-t", "2",
         "-f", "f32le", "-ac", str(channels), "-ar", "48000", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    samples = np.frombuffer(done.stdout, "<f4").reshape(-1, channels)
    peaks = []
    for channel in samples.T:
        spectrum = np.abs(np.fft.rfft(channel * np.hanning(len(channel))))
        peaks.append(int(round(np.argmax(spectrum) * 48000 / len(channel), -1)))
    return peaks


def mono_tracks_mov(path: Path, tracks: int = 8) -> Path:
    """A small progressive MOV (ProRes-like archive layout) with ``tracks`` mono PCM tracks."""
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", *_tones(tracks),
        "-map", "0:v", *(a for n in range(1, tracks + 1) for a in ("-map", f"{n}:a")),
        "-t", str(SECONDS), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "pcm_s16le", "-timecode", TIMECODE, str(path),
    )  # fmt: skip
    return path


# A digitised tape: 3 s of SMPTE HD bars with 1 kHz line-up tone at -18 dBFS, 1 s of black, a 2 s
# slate, 1 s of black, then 4 s of programme (a moving pattern with a cut at 2 s, 440 Hz left and
# 880 Hz right), then 2 s of tail black; black and slate are silent. 320x180 at 25 fps.
LEADER_PARTS: tuple[tuple[str, float], ...] = (
    ("smptehdbars", 3), ("black", 1), ("slate", 2), ("black", 1), ("programme", 4), ("black", 2),
)  # fmt: skip
PROGRAMME_FIRST_FRAME = 175  # 7 s at 25 fps
PROGRAMME_FRAMES = 100
LINE_UP_HZ = 1000
SMALL = "320x180"


def _leader_part(kind: str, seconds: float, size: str) -> tuple[str, str]:
    """The picture and the sound (stereo) of one part of a tape."""
    still = f"size={size}:rate=25:duration={seconds}"
    silence = f"anullsrc=r=48000:cl=stereo:d={seconds}"
    if kind in ("smptehdbars", "smptebars"):
        line_up = f"sine=frequency={LINE_UP_HZ}:sample_rate=48000:duration={seconds}"
        return f"{kind}={still}", f"{line_up},pan=stereo|c0=c0|c1=c0"
    if kind == "slate":
        text = "drawtext=text='PROG 0042  TAKE 1':fontcolor=white:fontsize=20:x=40:y=80"
        return f"color=0x303030:{still},{text}", silence
    if kind == "black":
        return f"color=black:{still}", silence
    half = seconds / 2
    picture = (
        f"testsrc2=size={size}:rate=25:duration={half}[p1];"
        f"testsrc2=size={size}:rate=25:duration={half},negate[p2];[p1][p2]concat=n=2:v=1:a=0"
    )
    left, right = (f"sine=frequency={tone(n)}:sample_rate=48000:duration={seconds}" for n in (1, 2))
    return picture, f"{left}[l];{right}[r];[l][r]join=inputs=2:channel_layout=stereo"


def tape(
    path: Path, parts: tuple[tuple[str, float], ...] = LEADER_PARTS, size: str = SMALL
) -> Path:
    """A master made of ``parts`` (see LEADER_PARTS) in MOV with the start timecode 10:00:00:00:
    H.264 picture (small unless ``size`` says otherwise), one stereo PCM stream."""
    chains = []
    for index, (kind, seconds) in enumerate(parts):
        picture, sound = _leader_part(kind, seconds, size)
        chains += [f"{picture}[v{index}]", f"{sound}[a{index}]"]
    pairs = "".join(f"[v{n}][a{n}]" for n in range(len(parts)))
    graph = ";".join([*chains, f"{pairs}concat=n={len(parts)}:v=1:a=1[v][a]"])
    ffmpeg(
        "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264",
        "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "pcm_s16le",
        "-timecode", TIMECODE, str(path),
    )  # fmt: skip
    return path


def fade_in_programme(path: Path) -> Path:
    """No leader: 1 s of black and silence, then the programme fading in from black over 1 s,
    then 1 s of black at the end (the programme's own)."""
    parts = (("black", 1), ("programme", 4), ("black", 1))
    tape(path, parts)
    faded = path.with_name(f"faded-{path.name}")
    ffmpeg(
        "-i", str(path), "-vf", "fade=in:st=1:d=1", "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv420p", "-c:a", "copy", "-timecode", TIMECODE, str(faded),
    )  # fmt: skip
    return faded.replace(path)
