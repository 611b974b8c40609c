"""The ladder command is data: built by a pure function, checked argument by argument."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from regie.artefacts import AudioLayout, AudioVersion, Rendition
from regie.transcode.command import LadderJob, SpriteSpec, build_ladder_argv
from regie.transcode.encoders import EncoderSettings, encoder_complaint, video_codec_options
from regie.transcode.loudness import GainFilter
from regie.transcode.validate import ssim_argv

HD = Rendition(name="720p", width=1280, height=720, frame_rate=25, bitrate_kbps=3000,
               maxrate_kbps=3300, bufsize_kbps=6000)  # fmt: skip
LOW = Rendition(name="360p", width=640, height=360, frame_rate=Fraction(25, 2), bitrate_kbps=800,
                maxrate_kbps=880, bufsize_kbps=1600, preset="faster")  # fmt: skip
X264 = EncoderSettings(name="libx264", preset="veryfast", reason="test")
PROGRAMME = AudioVersion(role="programme", language="fra", tracks=[1, 2])
STEREO = AudioLayout(name="stereo", versions=[PROGRAMME], channels=[(0, 0), (0, 1)])
EIGHT_MONO = AudioLayout(
    name="tracks", channels=[(n, 0) for n in range(8)],
    versions=[PROGRAMME, AudioVersion(role="description", language="fra", tracks=[7])],
)  # fmt: skip
VOLUME = GainFilter(name="volume", options={"volume": "4.99dB"})


def job(**changes: object) -> LadderJob:
    base = LadderJob(
        source=Path("/m/master.mxf"), output_dir=Path("/s/pkg"), renditions=[HD, LOW],
        keyframes=[Fraction(0), Fraction(2), Fraction(83, 25)], encoder=X264,
        audio=STEREO, gains=[VOLUME], sprites=SpriteSpec(),
    )  # fmt: skip
    return base.model_copy(update=changes)


def test_one_process_decodes_once_and_scales_in_cascade() -> None:
    argv = build_ladder_argv(job())
    assert argv[:10] == ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel",
                         "warning", "-y", "-i", "/m/master.mxf", "-filter_complex"]  # fmt: skip
    assert argv[10] == (
        "[0:v]fps=25[s0];[s0]scale=1280:720:flags=bicubic[s1];"
        "[s1]split=2[s2][s3];[s2]setdar=16/9[s4];[s4]format=yuv420p[s5];"
        "[s3]fps=12.5[s6];[s6]scale=640:360:flags=bicubic[s7];"  # the 360p is scaled from 720p
        "[s7]split=2[s8][s9];[s8]setdar=16/9[s10];[s10]format=yuv420p[s11];"
        "[0:a:0]channelmap=channel_layout=stereo:map=0|1[s12];[s12]volume=volume=4.99dB[s13];"
        "[s13]aresample=48000[s14];"
        "[s9]fps=1/5[s15];[s15]scale=160:90[s16];[s16]setsar=1[s17];[s17]tile=5x5[s18]"
    )
    assert argv.count("-i") == 1


def test_interlaced_d10_is_cropped_and_deinterlaced_before_anything_else() -> None:
    crop = ("crop", {"w": 720, "h": 576, "x": 0, "y": 32})
    bwdif = ("bwdif", {"mode": "send_frame", "parity": "tff"})
    argv = build_ladder_argv(job(progressive=[crop, bwdif], audio=None, gains=[], sprites=None))
    assert argv[10].startswith(
        "[0:v]crop=h=576:w=720:x=0:y=32[s0];[s0]bwdif=mode=send_frame:parity=tff[s1];"
        "[s1]fps=25[s2];[s2]scale=1280:720:flags=bicubic[s3];"
    )


def test_each_audio_version_from_its_mono_tracks_with_its_role_and_language() -> None:
    argv = build_ladder_argv(job(audio=EIGHT_MONO, gains=[VOLUME, None], sprites=None))
    assert argv[10].endswith(
        "[0:a:0]channelmap=channel_layout=mono:map=0[s10];"
        "[0:a:1]channelmap=channel_layout=mono:map=0[s11];"
        "[s10][s11]join=channel_layout=stereo:inputs=2[s12];[s12]volume=volume=4.99dB[s13];"
        "[s13]aresample=48000[s14];"
        "[0:a:6]channelmap=channel_layout=mono:map=0[s15];[s15]aresample=48000[s16]"
    )  # track 7, the audio description, mono until the encoder's -ac 2
    pairs = dict(zip(argv[11::2], argv[12::2], strict=False))
    assert pairs["-adaptation_sets"] == "id=0,streams=v id=1,streams=2 id=2,streams=3"
    assert (pairs["-metadata:s:a:0"], pairs["-metadata:s:2"]) == ("role=main", "language=fra")
    assert (pairs["-metadata:s:a:1"], pairs["-metadata:s:3"]) == ("role=alternate", "language=fra")


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
    assert dash[:8] == ["-map", "[s5]", "-map", "[s11]", "-map", "[s14]", "-f", "dash"]
    expected = [
        ["-hls_playlist", "1"], ["-seg_duration", "6"], ["-use_timeline", "1"],
        ["-adaptation_sets", "id=0,streams=v id=1,streams=2"],
        ["-format_options", "movflags=+cmaf:use_editlist=1"], ["-c:a", "aac"], ["-ar", "48000"],
    ]  # fmt: skip
    for option in expected:
        at = dash.index(option[0])
        assert dash[at : at + 2] == option
    assert argv[mpd + 1 :] == [
        "-map", "[s18]", "-f", "image2", "-q:v", "4", "/s/pkg/thumbnails/sprite-%04d.jpg",
    ]  # fmt: skip


def test_silent_or_mute_masters() -> None:
    mute = build_ladder_argv(job(audio=None, gains=[], sprites=None))
    assert "[0:a" not in mute[10] and "-c:a" not in mute
    assert mute[mute.index("-adaptation_sets") + 1] == "id=0,streams=v"
    silent = build_ladder_argv(job(gains=[None], sprites=None))
    assert "map=0|1[s10];[s10]aresample=48000" in silent[10] and "volume" not in silent[10]


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


def test_ssim_compares_each_rung_with_the_master_made_progressive_on_the_same_frames() -> None:
    """Both inputs seeked to the window, both on the rung's frame grid before the frame step;
    only the master's side is scaled (after the step: a tenth of the frames)."""
    master = ("/m/master.mxf", {"ss": "7.490000", "t": "5.000000"})
    window = ("concat:/s/pkg/init-0.mp4|/s/pkg/seg-0-00002.m4s", {"ss": "1.490000", "t": "5.0"})
    bwdif = ("bwdif", {"mode": "send_frame", "parity": "tff"})
    logs = [Path("/s/a.log"), Path("/s/b.log")]
    argv = ssim_argv(master, [window, ("/s/pkg/media_1.m3u8", {})], [HD, LOW], 10, logs, [bwdif])
    assert argv[:-11] == [
        "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
        "-ss", "1.490000", "-t", "5.0", "-i", "concat:/s/pkg/init-0.mp4|/s/pkg/seg-0-00002.m4s",
        "-ss", "7.490000", "-t", "5.000000", "-i", "/m/master.mxf",
        "-i", "/s/pkg/media_1.m3u8", "-filter_complex",
    ]  # fmt: skip
    assert argv[-11].split(";") == [
        "[0:v]fps=25[s0]", "[s0]framestep=10[s1]",
        "[1:v]bwdif=mode=send_frame:parity=tff[s2]", "[s2]split=2[s3][s4]",
        "[s3]fps=25[s5]", "[s5]framestep=10[s6]", "[s6]scale=1280:720:flags=lanczos[s7]",
        "[s7]setsar=1[s8]", "[s1][s8]ssim=stats_file=/s/a.log[s9]",
        "[2:v]fps=12.5[s10]", "[s10]framestep=10[s11]",
        "[s4]fps=12.5[s12]", "[s12]framestep=10[s13]", "[s13]scale=640:360:flags=lanczos[s14]",
        "[s14]setsar=1[s15]", "[s11][s15]ssim=stats_file=/s/b.log[s16]",
    ]  # fmt: skip
    assert argv[-10:] == ["-map", "[s9]", "-f", "null", "-", "-map", "[s16]", "-f", "null", "-"]
