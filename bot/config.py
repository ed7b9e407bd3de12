"""Settings: environment (``BOT_*``) over ``.env`` over ``config/defaults.toml`` over code defaults.

One :class:`Settings` object is built at start-up by :func:`load_settings` and passed down
explicitly; nothing deep in the code reads the environment. Errors name the variable and what
is wrong with it, never its value, so the token cannot leak into a terminal or a log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = PROJECT_ROOT / "config" / "defaults.toml"
ENV_PREFIX = "BOT_"

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE = re.compile(
    r"^(?P<kind>off|daily|weekly)(?:\s+(?P<day>mon|tue|wed|thu|fri|sat|sun))?(?:\s+(?P<hh>\d{1,2}):(?P<mm>\d{2}))?$"
)


class SettingsError(Exception):
    """Settings cannot be used; the message names each variable and the problem, never a value."""


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When scheduled digests go out (UTC). ``kind == "off"`` disables them."""

    kind: Literal["off", "daily", "weekly"]
    weekday: int  # 0 = Monday; ignored for daily
    at: time

    @classmethod
    def parse(cls, text: str) -> DigestSchedule:
        """Parse ``off``, ``daily [HH:MM]`` or ``weekly [mon..sun] [HH:MM]`` (UTC)."""
        m = _SCHEDULE.match(" ".join(text.lower().split()))
        if not m:
            raise ValueError("expected 'off', 'daily [HH:MM]' or 'weekly [mon..sun] [HH:MM]' (UTC)")
        if m["kind"] != "weekly" and m["day"]:
            raise ValueError("a weekday only goes with 'weekly'")
        hh, mm = int(m["hh"] or 9), int(m["mm"] or 0)
        if hh > 23 or mm > 59:
            raise ValueError("time must be HH:MM between 00:00 and 23:59")
        kind = cast(Literal["off", "daily", "weekly"], m["kind"])  # the regex allows only these
        return cls(kind=kind, weekday=_WEEKDAYS.index(m["day"] or "mon"), at=time(hh, mm))


class Settings(BaseSettings):
    """Everything the bot can be told from outside. ``config/.env.example`` documents each field."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        toml_file=DEFAULTS_FILE,
        validate_default=True,
    )

    token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    data_dir: Path = Path("data")
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)

    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    debug: bool = False

    # Every number has finite bounds: ``inf`` or ``1e-300`` would pass a bare ``gt=0`` and then
    # hang the rate limiter at start-up (an infinite rate) or stall every send for ages.
    max_question_chars: int = Field(default=1000, ge=10, le=4096)
    flood_max_messages: int = Field(default=12, ge=1, le=10_000)
    flood_window_seconds: float = Field(default=30.0, ge=0.1, le=86_400, allow_inf_nan=False)
    flood_cooldown_seconds: float = Field(default=60.0, ge=0.1, le=86_400, allow_inf_nan=False)
    inline_cache_seconds: int = Field(default=300, ge=0, le=86_400)

    digest_schedule: str = "weekly mon 09:00"
    rate_global_per_second: float = Field(default=30.0, ge=0.1, le=1_000_000, allow_inf_nan=False)
    rate_chat_per_second: float = Field(default=1.0, ge=0.01, le=1_000_000, allow_inf_nan=False)
    rate_group_per_minute: float = Field(default=20.0, ge=0.1, le=60_000_000, allow_inf_nan=False)
    request_timeout_seconds: float = Field(default=5.0, gt=0, le=300, allow_inf_nan=False)

    # The optional semantic reranker (bot/search/semantic.py, the '.[semantic]' extra): off unless asked for.
    semantic: bool = False

    database_url: SecretStr | None = None
    replicas: int = Field(default=1, ge=1, le=64)
    delivery_lease_seconds: float = Field(default=60.0, ge=1, le=3600, allow_inf_nan=False)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings, TomlConfigSettingsSource(settings_cls))

    @field_validator("token", "webhook_secret", "webhook_url", "database_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: Any) -> Any:
        """``BOT_TOKEN=`` left empty in a copied ``.env`` means "not set", not "invalid"."""
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("token")
    @classmethod
    def _token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        """Stripped here, once, so a stray space after ``BOT_TOKEN=`` in ``.env`` reaches no user of the token."""
        if v is None:
            return None
        token = v.get_secret_value().strip()
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token):
            raise ValueError("does not look like a token from @BotFather (digits, a colon, then 20+ letters)")
        return SecretStr(token)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_ids(cls, v: Any) -> Any:
        """Accept ``42,43``, ``[42, 43]`` and a plain number, as people write them in env files."""
        if isinstance(v, int):
            return (v,)
        if isinstance(v, str):
            text = v.strip().removeprefix("[").removesuffix("]")
            parts = [p.strip() for p in text.split(",") if p.strip()]
            for p in parts:
                if not re.fullmatch(r"-?\d+", p):
                    raise ValueError("expected Telegram user ids separated by commas, e.g. 42,43 or [42,43]")
            return tuple(int(p) for p in parts)
        return v

    @field_validator("semantic", mode="before")
    @classmethod
    def _on_off(cls, v: Any) -> Any:
        """``on``/``off`` as the docs write it; true/false, yes/no and 1/0 too. Anything else is named."""
        if isinstance(v, str):
            word = v.strip().lower()
            if word in ("on", "true", "yes", "1"):
                return True
            if word in ("off", "false", "no", "0", ""):
                return False
            raise ValueError("expected on or off")
        return v

    @field_validator("api_base_url", "webhook_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is None:
            return None
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return v.strip()

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, v: SecretStr | None) -> SecretStr | None:
        """Only PostgreSQL is shared; SQLite needs no URL (it lives in ``BOT_DATA_DIR``)."""
        if v is not None and urlsplit(v.get_secret_value().strip()).scheme not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql:// URL (leave it unset for SQLite in BOT_DATA_DIR)")
        return SecretStr(v.get_secret_value().strip()) if v is not None else None

    @field_validator("digest_schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        DigestSchedule.parse(v)
        return v

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", v.get_secret_value()):
            raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return v

    @model_validator(mode="after")
    def _webhook_needs_https_and_secret(self) -> Settings:
        if self.webhook_url:
            if not self.webhook_url.startswith("https://"):
                raise ValueError("BOT_WEBHOOK_URL: Telegram only delivers webhooks to https:// URLs")
            if self.webhook_secret is None:
                raise ValueError("BOT_WEBHOOK_SECRET: required when BOT_WEBHOOK_URL is set")
        return self

    @property
    def schedule(self) -> DigestSchedule:
        return DigestSchedule.parse(self.digest_schedule)

    @property
    def mode(self) -> Literal["webhook", "polling"]:
        return "webhook" if self.webhook_url else "polling"

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to, taken from ``BOT_WEBHOOK_URL`` so the two never disagree."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    @property
    def rate_per_replica(self) -> float:
        """This replica's share of ``BOT_RATE_GLOBAL_PER_SECOND``: Telegram counts per bot, not per process."""
        return self.rate_global_per_second / self.replicas

    @property
    def database_path(self) -> Path:
        return self.data_dir / "bayan.sqlite3"


def _format(error: ValidationError) -> str:
    lines = []
    for err in error.errors():
        field = ".".join(str(x) for x in err["loc"] if not isinstance(x, int))
        msg = err["msg"].removeprefix("Value error, ")
        if field:
            lines.append(f"{ENV_PREFIX}{field.upper()}: {msg}")
        else:
            lines.append(msg)
    return "\n".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment; raise :class:`SettingsError` with a readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_format(exc)) from None
