"""The ladder command is data: built by a pure function, checked argument by argument."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from regie.artefacts import Rendition
from regie.transcode.command import LadderJob, SpriteSpec, build_ladder_argv
from regie.transcode.encoders import EncoderSettings, encoder_complaint, video_codec_options
from regie.transcode.loudness import GainFilter

HD = Rendition(name="720p", width=1280, height=720, frame_rate=25, bitrate_kbps=3000,
               maxrate_kbps=3300, bufsize_kbps=6000)  # fmt: skip
LOW = Rendition(name="360p", width=640, height=360, frame_rate=Fraction(25, 2), bitrate_kbps=800,
                maxrate_kbps=880, bufsize_kbps=1600, preset="faster")  # fmt: skip
X264 = EncoderSettings(name="libx264", preset="veryfast", reason="test")


def job(**changes: object) -> LadderJob:
    base = LadderJob(
        source=Path("/m/master.mxf"), output_dir=Path("/s/pkg"), renditions=[HD, LOW],
        keyframes=[Fraction(0), Fraction(2), Fraction(83, 25)], encoder=X264,
        gain=GainFilter(name="volume", options={"volume": "4.99dB"}), sprites=SpriteSpec(),
    )  # fmt: skip
    return base.model_copy(update=changes)


def test_one_process_decodes_once_and_scales_in_cascade() -> None:
    argv = build_ladder_argv(job())
    assert argv[:10] == ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel",
                         "warning", "-y", "-i", "/m/master.mxf", "-filter_complex"]  # fmt: skip
    assert argv[10] == (
        "[0:v]fps=25[s0];[s0]setsar=1[s1];[s1]scale=1280:720:flags=bicubic[s2];"
        "[s2]split=2[s3][s4];[s3]format=yuv420p[s5];"
        "[s4]fps=12.5[s6];[s6]scale=640:360:flags=bicubic[s7];"  # the 360p is scaled from 720p
        "[s7]split=2[s8][s9];[s8]format=yuv420p[s10];"
        "[0:a]volume=volume=4.99dB[s11];[s11]aresample=48000[s12];"
        "[s9]fps=1/5[s13];[s13]scale=160:90[s14];[s14]tile=5x5[s15]"
    )
    assert argv.count("-i") == 1


def test_every_rendition_gets_the_same_key_frames_and_its_own_rate_control() -> None:
    argv = build_ladder_argv(job())
    pairs = dict(zip(argv[11::2], argv[12::2], strict=False))
    assert pairs["-force_key_frames:v:0"] == pairs["-force_key_frames:v:1"] == "0,2,3.32"
    assert (pairs["-b:v:0"], pairs["-maxrate:v:0"], pairs["-bufsize:v:0"]) == (
        "3000k", "3300k", "6000k",
    )  # fmt: skip
    assert (pairs["-preset:v:0"], pairs["-preset:v:1"]) == ("veryfast", "faster")
    assert pairs["-x264-params:v:1"] == "scenecut=0:open-gop=0"
    assert (pairs["-g:v:0"], pairs["-g:v:1"]) == ("100", "50")


def test_one_dash_output_with_hls_playlists_then_the_sprite_sheets() -> None:
    argv = build_ladder_argv(job())
    mpd = argv.index("/s/pkg/manifest.mpd")
    dash = argv[argv.index("-map") : mpd + 1]
    assert dash[:8] == ["-map", "[s5]", "-map", "[s10]", "-map", "[s12]", "-f", "dash"]
    expected = [
        ["-hls_playlist", "1"], ["-seg_duration", "6"], ["-use_timeline", "1"],
        ["-adaptation_sets", "id=0,streams=v id=1,streams=a"],
        ["-format_options", "movflags=+cmaf:use_editlist=1"], ["-c:a", "aac"], ["-ar", "48000"],
    ]  # fmt: skip
    for option in expected:
        at = dash.index(option[0])
        assert dash[at : at + 2] == option
    assert argv[mpd + 1 :] == [
        "-map", "[s15]", "-f", "image2", "-q:v", "4", "/s/pkg/thumbnails/sprite-%04d.jpg",
    ]  # fmt: skip


def test_silent_or_mute_masters() -> None:
    mute = build_ladder_argv(job(audio=False, sprites=None))
    assert "[0:a]" not in mute[10] and "-c:a" not in mute
    assert mute[mute.index("-adaptation_sets") + 1] == "id=0,streams=v"
    silent = build_ladder_argv(job(gain=None, sprites=None))
    assert "[0:a]aresample=48000" in silent[10] and "volume" not in silent[10]


def test_nvenc_options_keep_the_same_contract() -> None:
    nvenc = EncoderSettings(name="h264_nvenc", preset="p4", reason="test")
    assert video_codec_options(1, LOW, nvenc) == {
        "c:v:1": "h264_nvenc", "b:v:1": "800k", "maxrate:v:1": "880k", "bufsize:v:1": "1600k",
        "profile:v:1": "high", "g:v:1": 50, "preset:v:1": "p4", "tune:v:1": "hq",
        "rc:v:1": "vbr", "forced-idr:v:1": 1, "no-scenecut:v:1": 1, "strict_gop:v:1": 1,
    }  # fmt: skip


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_nvenc_refusal_reason_is_the_encoders_own_line() -> None:
    # Recorded on an NVIDIA H100 (ffmpeg 9.0.2 static build): h264_nvenc listed, test encode fails.
    h100 = (FIXTURES / "nvenc-trial-h100.stderr").read_text()
    assert encoder_complaint(h100) == (
        "Driver does not support the required nvenc API version. Required: 13.1 Found: 13.0"
    )
    cpu_host = (
        "[h264_nvenc @ 0x55b53302e2c0] Cannot load libcuda.so.1\n"
        "Error initializing output stream 0:0 -- Error while opening encoder for output stream\n"
    )
    assert encoder_complaint(cpu_host) == "Cannot load libcuda.so.1"
    assert encoder_complaint("") == "no output"
