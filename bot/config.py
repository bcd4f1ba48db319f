"""Settings from the environment and `.env`, validated once at start (DESIGN.md section 4).

A bad setting must stop the bot with one line that names the variable and says how to fix it,
so every check raises `ConfigError` with that line rather than letting a traceback escape later.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///mentoring.db"
DEFAULT_PORT = 3000
DEFAULT_TICK_SECONDS = 60

# Every variable the bot reads (DESIGN.md section 4).
VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "MENTORING_ORGANIZERS",
    "TICK_SECONDS",
)

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is the one line shown to the admin."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_app_token: str | None
    slack_api_url: str
    database_url: str
    port: int
    organizers: frozenset[str]
    tick_seconds: int

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def require_slack(self) -> None:
        """Check what serving Slack (or sending from a tick) needs beyond the defaults."""
        if not self.slack_bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: copy the bot token (xoxb-...) from your Slack app's "
                "'OAuth & Permissions' page into .env or the environment"
            )
        if not self.socket_mode and not self.slack_signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (Slack app > 'Basic "
                "Information' > Signing Secret), or set SLACK_APP_TOKEN to use Socket Mode"
            )


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | None = ".env"
) -> Settings:
    """Read the process environment, then `.env` for what the environment leaves unset."""
    values: dict[str, str] = {}
    if env_file and os.path.exists(env_file):
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return parse_settings(values)


def parse_settings(values: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        value = values.get(name)
        return value.strip() if value and value.strip() else None

    return Settings(
        slack_bot_token=_token(get("SLACK_BOT_TOKEN"), "SLACK_BOT_TOKEN", "xoxb-"),
        slack_signing_secret=_secret(get("SLACK_SIGNING_SECRET")),
        slack_app_token=_token(get("SLACK_APP_TOKEN"), "SLACK_APP_TOKEN", "xapp-"),
        slack_api_url=_api_url(get("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
        database_url=_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        port=_int_in_range(get("PORT"), "PORT", DEFAULT_PORT, 1, 65535),
        organizers=_organizers(get("MENTORING_ORGANIZERS")),
        tick_seconds=_int_in_range(
            get("TICK_SECONDS"), "TICK_SECONDS", DEFAULT_TICK_SECONDS, 1, 86400
        ),
    )


def _token(value: str | None, name: str, prefix: str) -> str | None:
    if value is not None and not value.startswith(prefix):
        raise ConfigError(
            f"{name} must start with '{prefix}' (got '{value[:5]}...'): copy the right token "
            "from your Slack app's settings"
        )
    return value


def _secret(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[0-9A-Za-z]+", value):
        raise ConfigError(
            "SLACK_SIGNING_SECRET must be the hexadecimal signing secret from your Slack app's "
            "'Basic Information' page (it has unexpected characters)"
        )
    return value


def _api_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL} (got "
            f"'{value}'); unset it to use Slack's own"
        )
    return value if value.endswith("/") else value + "/"


def _database_url(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL is not a database URL (got '{value}'): use e.g. "
            "sqlite:///mentoring.db or postgresql+psycopg://user:password@host:5432/dbname"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL must point to SQLite or PostgreSQL (got '{url.get_backend_name()}')"
        )
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _int_in_range(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ConfigError(
            f"{name} must be a whole number from {low} to {high} (got '{value}'); "
            f"fix it in .env or the environment, or unset it for the default {default}"
        )
    return number


def _organizers(value: str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    ids = [part.strip() for part in value.split(",") if part.strip()]
    bad = [user_id for user_id in ids if not USER_ID.match(user_id)]
    if bad:
        raise ConfigError(
            f"MENTORING_ORGANIZERS must be Slack user ids separated by commas, like "
            f"U012AB3CD,U045EF6GH (not '{bad[0]}'); find an id in Slack under the person's "
            "profile > More > Copy member ID"
        )
    return frozenset(ids)
