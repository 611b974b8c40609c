"""Addresses a browser opens for stored outputs: what the Prefect UI's artifacts link to.

A ``file://`` or ``s3://`` URL opens nowhere from a browser. Published outputs are linked at the
CDN's public address; other outputs through an HTTP server that mirrors their store (a local
review server in front of the embedded ``var/``), else, in an S3 store, by a presigned URL that
expires; a local file with no server in front of it gets no link at all rather than a dead one.
"""

from __future__ import annotations

from dataclasses import dataclass

from regie.storage import Storage, protocol_of

PRESIGNED_S = 7 * 24 * 3600  # the longest a SigV4 presigned URL may live


@dataclass(frozen=True)
class BrowserLinks:
    """Turns stored URLs into http(s) addresses.

    Args:
        storage: Presigns ``s3://`` URLs that no mirror serves.
        mirrors: Pairs (stored prefix, http(s) address serving it), the most specific first:
            the CDN origin's prefix and its public address, the work store and its review server.
        expires_s: Lifetime of a presigned URL.
    """

    storage: Storage
    mirrors: tuple[tuple[str, str], ...] = ()
    expires_s: int = PRESIGNED_S

    def href(self, url: str) -> str | None:
        """An http(s) address for ``url``, or None when a browser cannot reach it."""
        if protocol_of(url) in ("http", "https"):
            return url
        for prefix, served_at in self.mirrors:
            base = prefix.rstrip("/") + "/"
            if url.startswith(base):
                return served_at.rstrip("/") + "/" + url.removeprefix(base)
        if protocol_of(url) == "s3":
            return self.storage.presigned_url(url, self.expires_s)
        return None

    def markdown(self, url: str, text: str) -> str:
        """A markdown link to ``url``, or ``text`` alone when it has no http(s) address."""
        href = self.href(url)
        return f"[{text}]({href})" if href else text


def mirrors_of(pairs: list[tuple[str, str | None]]) -> tuple[tuple[str, str], ...]:
    """The pairs whose http(s) address is set, in the order given."""
    return tuple((prefix, served) for prefix, served in pairs if prefix and served)
