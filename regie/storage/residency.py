"""Residency guard: refuse storage outside France before a single byte moves.

A location is judged on the pair (endpoint host, region), because a region name alone is ambiguous:
``eu-west-2`` is Paris at Outscale but London at AWS. AWS itself (no endpoint) is refused whatever
the region: the broadcaster's data must stay with a provider under French jurisdiction.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from regie.errors import ResidencyError

ALLOW_SETTING = "REGIE_ALLOW_NON_FR=1"
LOCAL_PROTOCOLS = frozenset({"file", "memory"})

# (provider, host pattern, regions that host serves in France)
FRENCH_ENDPOINTS: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...] = (
    ("Scaleway", re.compile(r"(^|\.)s3\.fr-par\.scw\.cloud$"), frozenset({"fr-par"})),
    (
        "OVHcloud",
        re.compile(r"(^|\.)s3\.(gra|sbg|rbx|eu-west-par)(\.perf)?(\.io)?\.cloud\.ovh\.net$"),
        frozenset({"gra", "sbg", "rbx", "eu-west-par"}),
    ),
    ("Outscale", re.compile(r"(^|\.)oos\.eu-west-2\.outscale\.com$"), frozenset({"eu-west-2"})),
)


@dataclass(frozen=True)
class ResidencyPolicy:
    """What the guard accepts beyond the built-in French endpoints.

    Args:
        allow_non_fr: Accept any location (an explicit, logged operator decision).
        trusted_endpoints: Hosts of on-premise stores the operator declares to be in France.
    """

    allow_non_fr: bool = False
    trusted_endpoints: tuple[str, ...] = field(default_factory=tuple)


def check_residency(
    url: str, endpoint_url: str | None, region: str | None, policy: ResidencyPolicy
) -> None:
    """Raise :class:`ResidencyError` unless ``url`` is stored in France.

    Args:
        url: The object or prefix URL about to be used.
        endpoint_url: S3 endpoint for ``s3://`` URLs; None means AWS.
        region: S3 region, if configured.
        policy: Operator overrides.

    Raises:
        ResidencyError: The location is outside France or cannot be shown to be inside it.
    """
    protocol = urlsplit(url).scheme or "file"
    if protocol in LOCAL_PROTOCOLS or policy.allow_non_fr:
        return
    if protocol != "s3":
        _refuse(url, f"protocol {protocol}:// has no known location")
    verdict = _judge_s3(endpoint_url, region, policy.trusted_endpoints)
    if verdict:
        _refuse(url, verdict)


def _judge_s3(endpoint_url: str | None, region: str | None, trusted: tuple[str, ...]) -> str:
    """Return why an S3 location is refused, or an empty string when it is French."""
    where = f"endpoint {endpoint_url or 'AWS (none set)'}, region {region or 'unset'}"
    if not endpoint_url:
        return f"{where}: AWS is not a French-jurisdiction provider"
    host = (urlsplit(endpoint_url).hostname or "").lower()
    if _is_loopback(host) or host in trusted:
        return ""
    for provider, pattern, regions in FRENCH_ENDPOINTS:
        if pattern.search(host):
            if region is None or region.lower() in regions:
                return ""
            return f"{where}: {provider} endpoint with a region outside France"
    return f"{where}: not a known French endpoint"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(url: str, why: str) -> None:
    raise ResidencyError(
        url,
        f"storage outside France refused ({why})",
        f"set {ALLOW_SETTING} to allow it, or REGIE_TRUSTED_ENDPOINTS for an on-premise store",
    )
