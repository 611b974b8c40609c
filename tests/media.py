"""Test media generated with ffmpeg lavfi: good clips and real broken files of every kind."""

from __future__ import annotations

import subprocess
from pathlib import Path

MKV_AVC_ID = b"V_MPEG4/ISO/AVC"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def good_clip(path: Path, seconds: int = 4, faststart: bool = False) -> Path:
    """testsrc2 video at 25 fps with a 440 Hz tone."""
    flags = ["-movflags", "+faststart"] if faststart else []
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
        *flags, str(path),
    )  # fmt: skip
    return path


def speech_clip(path: Path, speech: list[Path]) -> Path:
    """testsrc2 video over real speech recordings played one after the other."""
    inputs = [arg for recording in speech for arg in ("-i", str(recording))]
    joined = "".join(f"[{n + 1}:a]" for n in range(len(speech)))
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", *inputs,
        "-filter_complex", f"{joined}concat=n={len(speech)}:v=0:a=1[speech]",
        "-map", "0:v", "-map", "[speech]", "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ar", "48000", str(path),
    )  # fmt: skip
    return path


def truncated(source: Path, path: Path, keep: float = 0.4) -> Path:
    """The first ``keep`` fraction of ``source``: a cut-off upload."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def broken_media(folder: Path) -> dict[str, Path]:
    """One real file per kind of bad input, named by the ProbeError kind it must produce."""
    folder.mkdir(parents=True, exist_ok=True)
    moov_last = good_clip(folder / "moov-last.mp4")
    faststart = good_clip(folder / "faststart.mp4", faststart=True)
    files = {
        "truncated_index": truncated(moov_last, folder / "truncated-index.mp4"),
        "truncated_tail": truncated(faststart, folder / "truncated-tail.mp4"),
        "empty": folder / "empty.mp4",
        "not_media": folder / "notes.mp4",
        "still_image": folder / "poster.mp4",
        "no_streams": folder / "subtitles-only.mp4",
        "huge_declared": folder / "huge.y4m",
        "oversized": folder / "oversized.y4m",
        "wrong_container_srt": folder / "subtitles.mp4",
        "wrong_container_playlist": folder / "playlist.mp4",
        "unsupported_codec": folder / "unknown-codec.mkv",
    }
    files["empty"].write_bytes(b"")
    files["not_media"].write_text("Conducteur du journal de 20 h, version 3\n" * 20)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", "-f", "image2",
           "-c:v", "png", str(files["still_image"]))  # fmt: skip
    srt = folder / "cues.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,500\nBonsoir.\n")
    ffmpeg("-i", str(srt), "-c:s", "mov_text", str(files["no_streams"]))
    files["wrong_container_srt"].write_bytes(srt.read_bytes())
    files["huge_declared"].write_bytes(_y4m(40000, 40000))
    files["oversized"].write_bytes(_y4m(16000, 16000))
    files["wrong_container_playlist"].write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
    )
    files["unsupported_codec"].write_bytes(_mkv_with_unknown_codec(folder))
    return files


def audio_only(path: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "3",
           "-c:a", "aac", str(path))  # fmt: skip
    return path


def _y4m(width: int, height: int) -> bytes:
    """A raw YUV4MPEG2 stream whose header declares ``width`` x ``height``."""
    header = f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\nFRAME\n".encode()
    return header + bytes(100_000)


def _mkv_with_unknown_codec(folder: Path) -> bytes:
    """A valid Matroska file whose codec id is rewritten to one no demuxer knows."""
    mkv = folder / "avc.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", str(mkv))  # fmt: skip
    data = mkv.read_bytes()
    assert MKV_AVC_ID in data
    return data.replace(MKV_AVC_ID, b"V_QQQQQ/ISO/QQQ", 1)


CUT_FRAME = 50  # first frame of shot 2
DISSOLVE = (101, 124)  # mixed frames of the 1 s dissolve (frame 100 is still pure bars)


def cut_then_dissolve(path: Path) -> Path:
    """7 s at 25 fps: testsrc2, a hard cut to colour bars, a 1 s dissolve into testsrc."""
    graph = (
        "[1][2]xfade=transition=fade:duration=1:offset=2[bc];"
        "[0][bc]concat=n=2:v=1:a=0,format=yuv420p[v]"
    )
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
        "-f", "lavfi", "-i", "smptehdbars=size=320x240:rate=25:duration=3",
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3",
        "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", str(path),
    )  # fmt: skip
    return path


CUT_AT = 2.6  # seconds: between key frame grid points, so only the shot list can put an IDR there


def cut_clip_with_quiet_tone(path: Path, size: str = "640x360", seconds: float = 8.0) -> Path:
    """Two shots (testsrc2, then colour bars from 2.6 s) over a quiet 440 Hz tone (~-35 LUFS)."""
    rest = seconds - CUT_AT
    graph = "[0][1]concat=n=2:v=1:a=0,format=yuv420p[v];[2]volume=0.02[a]"
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={CUT_AT}",
        "-f", "lavfi", "-i", f"smptehdbars=size={size}:rate=25:duration={rest}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264",
        "-c:a", "aac", str(path),
    )  # fmt: skip
    return path
