"""Settings: every URL and credential Régie needs, from ``REGIE_*`` variables or a TOML file.

The defaults are the embedded mode: every store is a ``file://`` folder under ``./var/``. Only the
edges (CLI, flows) instantiate :class:`Settings`; the engine receives the values it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from regie.events.uploads import UploadFilter
from regie.fetch import RestorePolicy
from regie.models import ModelStore
from regie.publish.stage import CdnTarget, make_cdn_target
from regie.stage import StageContext
from regie.storage import ResidencyPolicy, Storage, join_url
from regie.storage.links import BrowserLinks, mirrors_of
from regie.storage.s3 import S3Config

DEFAULT_CONFIG_FILE = Path("regie.toml")


class Settings(BaseSettings):
    """Régie configuration: environment variables win over the TOML file, then defaults."""

    model_config = SettingsConfigDict(env_prefix="REGIE_", extra="forbid", frozen=True)

    home: Path = Field(Path("var"), description="Root of the embedded default stores.")
    archive_url: str = Field("", description="Where masters are read from (file:// or s3://).")
    work_url: str = Field("", description="Where stage outputs and manifests are written.")
    cdn_origin_url: str = Field("", description="CDN origin bucket that releases are published to.")
    catalogue_url: str = Field("", description="Where the catalogue Parquet table lives.")
    model_store_url: str = Field("", description="Model store (Whisper, taggers) with checksums.")
    scratch_dir: Path | None = Field(None, description="Local scratch space for media.")
    model_cache_dir: Path | None = Field(None, description="Verified local copies of models.")
    cdn_prefix: str = Field("programmes", description="Folder of every asset on the origin.")
    cdn_http_base_url: str | None = Field(
        None, description="The origin's HTTP address for the prefix, to verify releases over HTTP."
    )
    cdn_public_url: str | None = Field(
        None, description="The CDN's public address for the prefix (what viewers open); "
        "default: cdn_http_base_url. Links in the Prefect UI point there.",
    )  # fmt: skip
    work_http_url: str | None = Field(
        None, description="An HTTP server in front of the work store (a local review server), "
        "for links in the Prefect UI; without one, S3 outputs get presigned links.",
    )  # fmt: skip
    edge_pipeline_id: str | None = Field(None, description="Scaleway Edge Services pipeline.")
    edge_api_token: SecretStr | None = Field(None, description="Scaleway API secret key.")
    edge_api_url: str = Field("https://api.scaleway.com", description="Scaleway API address.")

    s3_endpoint_url: str | None = Field(
        None, description="S3 endpoint, e.g. https://s3.fr-par.scw.cloud"
    )
    s3_region: str | None = Field(None, description="S3 region, e.g. fr-par.")
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_session_token: SecretStr | None = None

    gpu_pool: str | None = Field(
        None, description="GPU work pool this worker serves: its stages take its GPU slots."
    )

    watch_buckets: list[str] = Field(
        default_factory=list,
        description="Buckets whose uploads start runs.",
    )
    watch_prefixes: list[str] = Field(default_factory=lambda: [""], description="Key prefixes.")
    watch_min_size: int = Field(1, description="Uploads smaller than this are ignored.")
    events_redis_url: str | None = Field(
        None, description="Redis shared by every event route, so an upload is emitted once."
    )
    bridge_secret: SecretStr | None = Field(
        None, description="Shared secret of the webhook bridge (bearer token or HMAC key)."
    )

    allow_non_fr: bool = Field(False, description="Allow storage outside France.")
    trusted_endpoints: list[str] = Field(
        default_factory=list, description="On-premise S3 hosts declared to be in France."
    )
    restore_timeout_s: float = Field(6 * 3600, description="Cold restore timeout.")
    restore_poll_s: float = Field(60, description="Seconds between two checks of a cold restore.")
    restore_days: int = Field(2, description="How long a restored copy stays readable.")

    @model_validator(mode="before")
    @classmethod
    def _embedded_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        home = Path(data.get("home") or "var").resolve()
        data["home"] = home
        for name, folder in [
            ("archive_url", "archive"),
            ("work_url", "work"),
            ("cdn_origin_url", "cdn"),
            ("catalogue_url", "catalogue"),
            ("model_store_url", "models"),
        ]:
            data[name] = data.get(name) or (home / folder).as_uri()
        data["scratch_dir"] = Path(data.get("scratch_dir") or home / "scratch").resolve()
        cache = data.get("model_cache_dir") or home / "model-cache"
        data["model_cache_dir"] = Path(cache).resolve()
        return data

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return init_settings, env_settings, toml

    def s3_config(self) -> S3Config:
        """The S3 connection these settings describe."""
        return S3Config.from_secrets(
            self.s3_endpoint_url, self.s3_region, self.s3_access_key_id,
            self.s3_secret_access_key, self.s3_session_token,
        )  # fmt: skip

    def storage(self) -> Storage:
        """A storage client for every URL these settings name, residency guard included."""
        residency = ResidencyPolicy(self.allow_non_fr, tuple(self.trusted_endpoints))
        return Storage(self.s3_config(), residency)

    def stage_context(self) -> StageContext:
        """What stages need: storage, the work URL and local scratch."""
        assert self.scratch_dir is not None  # filled by _embedded_defaults
        return StageContext(self.storage(), self.work_url, self.scratch_dir)

    def model_store(self) -> ModelStore:
        """Named models with checksums; downloaded once into the local cache."""
        assert self.model_cache_dir is not None  # filled by _embedded_defaults
        return ModelStore(self.storage(), self.model_store_url, self.model_cache_dir)

    def cdn_target(self) -> CdnTarget:
        """Where releases go, how they are checked and which CDN to purge."""
        return make_cdn_target(
            self.cdn_origin_url, self.cdn_prefix, self.cdn_http_base_url, self.edge_pipeline_id,
            self.edge_api_token, self.edge_api_url,
        )  # fmt: skip

    def browser_links(self, target: CdnTarget | None = None) -> BrowserLinks:
        """http(s) addresses for outputs: published ones on the CDN, the others as configured."""
        target = target or self.cdn_target()
        own = target.origin_url == self.cdn_origin_url
        public = (self.cdn_public_url if own else None) or target.http_base_url
        mirrors = [(join_url(target.origin_url, target.prefix), public),
                   (self.work_url, self.work_http_url)]  # fmt: skip
        return BrowserLinks(self.storage(), mirrors_of(mirrors))

    def upload_filter(self) -> UploadFilter:
        """Which uploads start a run."""
        return UploadFilter(
            buckets=tuple(self.watch_buckets), prefixes=tuple(self.watch_prefixes),
            min_size=self.watch_min_size,
        )  # fmt: skip

    def restore_policy(self) -> RestorePolicy:
        return RestorePolicy(
            days=self.restore_days, timeout_s=self.restore_timeout_s, poll_s=self.restore_poll_s
        )


def _config_file() -> Path:
    import os

    # REGIE_CONFIG names the TOML file; read here because the file decides the other sources.
    return Path(os.environ.get("REGIE_CONFIG", DEFAULT_CONFIG_FILE))
