"""One settings object (environment) and the consultations file (`consultations.toml`)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models import backends
from transforms.errors import UserError

log = logging.getLogger(__name__)


class ConfigError(UserError):
    """The configuration is missing or wrong; the message says how to fix it."""


class Settings(BaseSettings):
    """Runtime settings, read from the environment."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    facebook_access_token: SecretStr | None = Field(
        default=None, description="Page access token; prefer the Prefect Secret block `facebook-access-token`."
    )
    facebook_app_secret: SecretStr | None = Field(
        default=None, description="The app's secret, for apps with 'Require App Secret' on: every request then "
        "carries appsecret_proof; prefer the Prefect Secret block `facebook-app-secret`. Never logged or stored.",
    )
    facebook_graph_url: str = Field(default="https://graph.facebook.com", description="Graph API base URL.")
    facebook_graph_version: str = Field(default="v25.0", description="Graph API version, e.g. v25.0.")
    civic_ideas_salt: SecretStr | None = Field(
        default=None, description="Salt for author pseudonyms; prefer the Prefect Secret block `civic-ideas-salt`."
    )
    http_timeout_seconds: float = Field(
        default=30.0, validation_alias="CIVIC_IDEAS_HTTP_TIMEOUT", description="Timeout of every Graph API request."
    )
    max_retries: int = Field(
        default=6, ge=0, validation_alias="CIVIC_IDEAS_MAX_RETRIES", description="Retries of one Graph API request."
    )
    max_wait_seconds: float = Field(
        default=900.0, validation_alias="CIVIC_IDEAS_MAX_WAIT", description="Upper bound of any single wait."
    )
    page_limit: int = Field(
        default=100, ge=1, le=100, validation_alias="CIVIC_IDEAS_PAGE_LIMIT",
        description="Comments asked for per page (the Graph API allows at most 100).",
    )
    fetch_threads: int = Field(
        default=2, ge=1, le=8, validation_alias="CIVIC_IDEAS_FETCH_THREADS",
        description="Posts read from the Graph API at once (same requests in total; pages of one post come one "
        "after the other).",
    )
    raw_retention_days: int = Field(
        default=90, ge=1, validation_alias="CIVIC_IDEAS_RAW_RETENTION_DAYS",
        description="Raw payloads older than this are purged.",
    )
    full_rescan_hours: float = Field(
        default=0.0, ge=0, validation_alias="CIVIC_IDEAS_FULL_RESCAN_HOURS",
        description="Hours between full rescans of a post; runs in between fetch only comments created since the "
        "newest stored one, so edits, likes and deletions wait for the next full rescan. 0 (default): every run "
        "rescans everything, and a comment deleted on Facebook leaves the exports at the next run.",
    )
    refit_hours: float = Field(
        default=0.0, ge=0, validation_alias="CIVIC_IDEAS_REFIT_HOURS",
        description="Hours a topic model is reused: analyses in between place new ideas in the existing topics "
        "when at most 5% of the ideas are new or gone, instead of clustering again. 0 (default): every analysis "
        "clusters from scratch (warm-started, ids kept).",
    )
    close_grace_days: int = Field(
        default=14, ge=0, validation_alias="CIVIC_IDEAS_CLOSE_GRACE_DAYS",
        description="Days a closed consultation is still polled.",
    )


class Theme(BaseModel):
    """A theme planners expect, with a few seed words."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1)
    seeds: list[str] = Field(min_length=1)


class LocalPlace(BaseModel):
    """A place the gazetteer lacks (a school, a street, "Papirfabrikken"), optionally with its coordinates."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2)
    lat: float | None = Field(default=None, ge=54.0, le=58.0, description="Latitude (Denmark: 54-58).")
    lon: float | None = Field(default=None, ge=7.5, le=15.5, description="Longitude (Denmark: 7.5-15.5).")


SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"  # a consultation's slug: lower-case letters, digits, - and _

_DEFAULT = backends.get(backends.DEFAULT)
FALLBACK_NOTICE = (f"the {_DEFAULT.name} topic backend is not installed (uv sync --extra {_DEFAULT.extra}); "
                   f"using {backends.FALLBACK}")
_fallback_noticed = False


def resolve_backend(backend: str | None) -> str:
    """The topic backend to use: ``backend`` when one is pinned (consultation, ``--backend``; an unknown name is a
    ``models.backends.UnknownBackend`` naming the choices), else the default: ``models.backends.DEFAULT`` where
    installed, else ``models.backends.FALLBACK``, with :data:`FALLBACK_NOTICE` on the progress log once per process."""
    global _fallback_noticed
    if backend:
        return backends.get(backend).name
    if _DEFAULT.installed():
        return _DEFAULT.name
    if not _fallback_noticed:
        _fallback_noticed = True
        logging.getLogger("civic_ideas.progress").warning(FALLBACK_NOTICE)
    return backends.FALLBACK


class Consultation(BaseModel):
    """One consultation: its posts and how to analyse them."""

    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=SLUG_PATTERN)
    title: str
    post_ids: list[str] = Field(min_length=1)
    # the consultation's media on the municipality's Instagram professional account (their comments: channel
    # `instagram`, read with the same Page token; flows.channels)
    instagram_media_ids: list[Annotated[str, Field(pattern=r"^\d{1,30}$")]] = Field(default_factory=list)
    language: str = "da"
    closes: dt.date | None = None
    themes: list[Theme] = Field(default_factory=list)
    # local names place tagging looks for beside the packaged gazetteer (transforms.places)
    places: list[str | LocalPlace] = Field(default_factory=list)
    # one of models.backends.NAMES (README, Quality and speed). Not set: the default, multilingual where the
    # `embeddings` extra is installed, else tfidf (:func:`resolve_backend`).
    backend: str | None = None
    embeddings_model_path: str | None = None

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        return None if value is None else backends.get(value).name

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("da", "en"):
            raise ValueError("language must be 'da' or 'en'")
        return value

    def is_open(self, today: dt.date, grace_days: int) -> bool:
        """Whether the consultation is still polled (open, or closed less than `grace_days` ago)."""
        return self.closes is None or today <= self.closes + dt.timedelta(days=grace_days)


class FacebookConfig(BaseModel):
    """The municipality's Page."""

    model_config = ConfigDict(extra="forbid")
    page_id: str = Field(pattern=r"^\d+$")


class ConsultationsFile(BaseModel):
    """The whole `consultations.toml`."""

    model_config = ConfigDict(extra="forbid")
    facebook: FacebookConfig
    consultations: list[Consultation] = Field(min_length=1)

    def select(self, slugs: list[str] | None) -> list[Consultation]:
        """The consultations named by `slugs` (all when empty); unknown slugs are a ConfigError."""
        if not slugs:
            return list(self.consultations)
        known = {c.slug: c for c in self.consultations}
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise ConfigError(
                f"unknown consultation {', '.join(unknown)}: choose one of {', '.join(known)} (see consultations.toml)"
            )
        return [known[s] for s in dict.fromkeys(slugs)]


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}"


def load_consultations(path: str | Path) -> ConsultationsFile:
    """Read and validate `consultations.toml`; any problem becomes one ConfigError line."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path} not found: pass --config with the path to your consultations.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}): fix the file and run again") from exc
    try:
        config = ConsultationsFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc)}: fix the file and run again") from exc
    slugs = [c.slug for c in config.consultations]
    if len(set(slugs)) != len(slugs):
        raise ConfigError(f"{path}: consultation slugs must be unique: fix the file and run again")
    return config


def load_themes(path: str | Path) -> list[Theme]:
    """Read a themes file (a top-level `[[themes]]` list) for `cluster-file --themes`."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path} not found: pass --themes with the path to a TOML file of [[themes]]")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return [Theme.model_validate(t) for t in data.get("themes", [])]
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}): fix the file and run again") from exc
    except ValidationError as exc:
        raise ConfigError(f"{path}: themes: {_first_error(exc)}: fix the file and run again") from exc


def _prefect_secret(name: str) -> str | None:
    """A Prefect Secret block's value, when a Prefect API is configured; None otherwise (and for the demo, whose
    token and salt are its own: CIVIC_IDEAS_SECRETS_FROM_ENV=1)."""
    if not os.environ.get("PREFECT_API_URL") or os.environ.get("CIVIC_IDEAS_SECRETS_FROM_ENV") == "1":
        return None
    try:
        from prefect.blocks.system import Secret

        return Secret.load(name).get()
    except (ValueError, RuntimeError, OSError) as exc:
        log.info("Prefect Secret block %s not available (%s); using the environment", name, type(exc).__name__)
        return None


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


def access_token(settings: Settings) -> str:
    """The Page access token: Prefect Secret block `facebook-access-token`, else FACEBOOK_ACCESS_TOKEN."""
    token = _prefect_secret("facebook-access-token") or _reveal(settings.facebook_access_token)
    if not token:
        raise ConfigError(
            "no Facebook access token: set FACEBOOK_ACCESS_TOKEN"
            " or create the Prefect Secret block facebook-access-token"
        )
    return token


def app_secret(settings: Settings) -> str | None:
    """The app secret for appsecret_proof, when the app requires one: Prefect Secret block `facebook-app-secret`,
    else FACEBOOK_APP_SECRET; None when neither is set."""
    return _prefect_secret("facebook-app-secret") or _reveal(settings.facebook_app_secret) or None


def salt_file() -> Path:
    """The local salt file (mode 600, outside the warehouse): CIVIC_IDEAS_SALT_FILE or ~/.config/civic-ideas/salt."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return Path(os.environ.get("CIVIC_IDEAS_SALT_FILE") or base / "civic-ideas" / "salt")


def ensure_salt_file(path: Path) -> str:
    """Read the local salt file, creating it with a new random salt (mode 600) on first use."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the salt's own folder: the owner's only
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def salt(settings: Settings) -> bytes:
    """The pseudonym salt: Prefect Secret block `civic-ideas-salt`, else CIVIC_IDEAS_SALT, else the salt file."""
    value = _prefect_secret("civic-ideas-salt") or _reveal(settings.civic_ideas_salt)
    if not value and salt_file().is_file():
        value = salt_file().read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigError(
            "no pseudonym salt: set CIVIC_IDEAS_SALT (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            " or create the Prefect Secret block civic-ideas-salt"
        )
    return value.encode("utf-8")
