"""Error taxonomy: permanent failures end an asset's run, transient ones are retried.

Every error names the asset (its id or source URI), what went wrong and, where there is one, what to
do about it, so that a failed row in a backfill report is actionable on its own.
"""

from __future__ import annotations


class MediaError(Exception):
    """Base of every error Régie raises on purpose.

    Args:
        asset: Asset id or source URI the error is about.
        reason: What went wrong, in one sentence.
        hint: What an operator can do about it.
    """

    def __init__(self, asset: str, reason: str, hint: str = "") -> None:
        self.asset = asset
        self.reason = reason
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.asset}: {self.reason}"
        return f"{text} ({self.hint})" if self.hint else text


class PermanentError(MediaError):
    """Retrying cannot help: bad media, residency violation, missing model or object."""


class TransientError(MediaError):
    """Retrying may help: storage 5xx, throttling, timeouts, a lost connection."""


class ResidencyError(PermanentError):
    """A storage endpoint or region lies outside France."""


class ObjectNotFoundError(PermanentError):
    """No object at the URL (a missing key, bucket or file)."""


class IntegrityError(PermanentError):
    """Fetched bytes disagree with the size or checksum the store declared."""


class RestoreTimeoutError(TransientError):
    """An object in a cold storage class was not restored within the allowed time."""


class ProbeError(PermanentError):
    """The file is not a playable programme master.

    Args:
        asset: Asset id or source URI.
        kind: Short machine-readable category (``empty``, ``not_media``, ``truncated`` ...).
        reason: Human explanation.
    """

    def __init__(self, asset: str, kind: str, reason: str) -> None:
        self.kind = kind
        super().__init__(asset, reason)


class ToolError(PermanentError):
    """An external tool (ffmpeg, ffprobe) failed; carries the command and the end of its stderr."""

    def __init__(self, asset: str, argv: list[str], stderr_tail: str) -> None:
        self.argv = argv
        self.stderr_tail = stderr_tail
        super().__init__(asset, f"{argv[0]} failed: {stderr_tail.strip() or 'no output'}")
