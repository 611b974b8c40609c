"""The one place external tools are run (ffmpeg, ffprobe).

Commands are built elsewhere as data (lists of arguments, testable by equality); this module runs
them, keeps the end of stderr and turns a failure into a ToolError that carries the command.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from dataclasses import dataclass

from regie.deadline import check_time, time_left
from regie.errors import PermanentError, ToolError

log = logging.getLogger("regie.ffmpeg")
STDERR_TAIL_LINES = 20


@dataclass(frozen=True)
class ToolResult:
    """What a finished tool printed."""

    stdout: bytes
    stderr: str


def run_tool(
    argv: list[str], asset: str, timeout_s: float | None = None, stdin: bytes | None = None
) -> ToolResult:
    """Run ``argv`` and return its output, or raise with the command and stderr tail.

    Args:
        argv: Full command line, program first.
        asset: Asset the command works on, for error messages.
        timeout_s: Kill the tool after this many seconds (and at the stage's time limit).
        stdin: Bytes fed to the tool's standard input.

    Raises:
        ToolError: The tool exited non-zero or timed out.
        DeadlineError: The stage's time limit passed (the tool was killed).
        PermanentError: The tool is not installed.
    """
    require_tool(argv[0])
    log.debug("running %s", " ".join(argv))
    allowed_s = time_left(asset, argv[0], timeout_s)
    try:
        done = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=allowed_s, check=False
        )
    except subprocess.TimeoutExpired as expired:
        check_time(asset, argv[0])
        raise ToolError(asset, argv, f"timed out after {timeout_s} s") from expired
    stderr = done.stderr.decode("utf-8", errors="replace")
    if done.returncode != 0:
        raise ToolError(asset, argv, stderr_tail(stderr))
    return ToolResult(stdout=done.stdout, stderr=stderr)


def stderr_tail(stderr: str, lines: int = STDERR_TAIL_LINES) -> str:
    """The last meaningful lines of a tool's stderr."""
    kept = [line for line in stderr.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def require_tool(name: str) -> str:
    """Path of ``name`` on PATH, or a PermanentError saying how to install it."""
    path = shutil.which(name)
    if path is None:
        raise PermanentError(name, "not found on PATH", "install ffmpeg (apt-get install ffmpeg)")
    return path


@functools.cache
def tool_version(name: str) -> str:
    """First line of ``name -version``, for provenance records."""
    done = run_tool([name, "-hide_banner", "-version"], asset=name)
    first = done.stdout.decode("utf-8", errors="replace").splitlines()[0]
    return first.removeprefix(f"{name} version ").split(" Copyright")[0]
