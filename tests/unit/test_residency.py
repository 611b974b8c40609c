"""The residency guard accepts French locations and refuses the rest, naming the way out."""

from __future__ import annotations

import pytest

from regie.errors import ResidencyError
from regie.storage import ResidencyPolicy, check_residency

FRENCH = [
    ("s3://archive/a.mp4", "https://s3.fr-par.scw.cloud", "fr-par"),
    ("s3://archive/a.mp4", "https://archive.s3.fr-par.scw.cloud", None),
    ("s3://archive/a.mp4", "https://s3.gra.io.cloud.ovh.net", "gra"),
    ("s3://archive/a.mp4", "https://s3.sbg.io.cloud.ovh.net", "sbg"),
    ("s3://archive/a.mp4", "https://s3.rbx.io.cloud.ovh.net", "rbx"),
    ("s3://archive/a.mp4", "https://s3.eu-west-par.io.cloud.ovh.net", "eu-west-par"),
    ("s3://archive/a.mp4", "https://s3.gra.perf.cloud.ovh.net", "gra"),
    ("s3://archive/a.mp4", "https://oos.eu-west-2.outscale.com", "eu-west-2"),
    ("s3://archive/a.mp4", "http://127.0.0.1:9000", "us-east-1"),
    ("s3://archive/a.mp4", "http://localhost:9000", None),
    ("s3://archive/a.mp4", "http://[::1]:9000", None),
    ("file:///srv/archive/a.mp4", None, None),
    ("memory://work/a", None, None),
]

FOREIGN = [
    ("s3://archive/a.mp4", "https://s3.nl-ams.scw.cloud", "nl-ams", "not a known French endpoint"),
    ("s3://archive/a.mp4", "https://s3.pl-waw.scw.cloud", "pl-waw", "not a known French endpoint"),
    ("s3://archive/a.mp4", "https://s3.fr-par.scw.cloud", "nl-ams", "region outside France"),
    ("s3://archive/a.mp4", None, "us-east-1", "AWS"),
    ("s3://archive/a.mp4", None, "eu-west-3", "AWS"),
    ("s3://archive/a.mp4", "https://s3.eu-west-2.amazonaws.com", "eu-west-2", "not a known"),
    ("s3://archive/a.mp4", "https://s3.de.io.cloud.ovh.net", "de", "not a known French endpoint"),
    ("s3://archive/a.mp4", "https://s3.bhs.io.cloud.ovh.net", "bhs", "not a known French endpoint"),
    ("s3://archive/a.mp4", "https://minio.example.com", None, "not a known French endpoint"),
    ("gs://archive/a.mp4", None, None, "protocol gs://"),
]


@pytest.mark.parametrize(("url", "endpoint", "region"), FRENCH)
def test_french_locations_are_accepted(url: str, endpoint: str | None, region: str | None) -> None:
    check_residency(url, endpoint, region, ResidencyPolicy())


@pytest.mark.parametrize(("url", "endpoint", "region", "why"), FOREIGN)
def test_foreign_locations_are_refused_with_url_and_setting(
    url: str, endpoint: str | None, region: str | None, why: str
) -> None:
    with pytest.raises(ResidencyError) as refused:
        check_residency(url, endpoint, region, ResidencyPolicy())
    message = str(refused.value)
    assert message.startswith(url)
    assert why in message
    assert "REGIE_ALLOW_NON_FR=1" in message


def test_override_allows_any_location() -> None:
    check_residency("s3://a/b", "https://s3.nl-ams.scw.cloud", "nl-ams", ResidencyPolicy(True))


def test_trusted_on_premise_endpoint_is_accepted() -> None:
    policy = ResidencyPolicy(trusted_endpoints=("minio.archives.example.fr",))
    check_residency("s3://a/b", "https://minio.archives.example.fr:9000", None, policy)


def test_lookalike_host_is_not_trusted() -> None:
    with pytest.raises(ResidencyError):
        check_residency(
            "s3://a/b", "https://s3.fr-par.scw.cloud.evil.com", "fr-par", ResidencyPolicy()
        )
