"""Settings: defaults, and one clear line for each bad value."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings, parse_settings


def test_defaults_match_the_design_contract() -> None:
    settings = parse_settings({})
    assert settings.database_url == "sqlite:///mentoring.db"
    assert settings.port == 3000
    assert settings.tick_seconds == 60
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.organizers == frozenset()
    assert not settings.socket_mode


def test_values_are_read_and_normalised() -> None:
    settings = parse_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "DATABASE_URL": "postgresql://u:p@db/mentoring",
            "PORT": "8080",
            "MENTORING_ORGANIZERS": " U012AB3CD, W045EF6GH ,",
            "TICK_SECONDS": "15",
        }
    )
    assert settings.socket_mode
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    # plain postgresql:// would need psycopg2; we ship psycopg 3
    assert settings.database_url == "postgresql+psycopg://u:p@db/mentoring"
    assert settings.port == 8080
    assert settings.organizers == {"U012AB3CD", "W045EF6GH"}
    assert settings.tick_seconds == 15


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("PORT", "http", "PORT must be a whole number from 1 to 65535"),
        ("PORT", "70000", "PORT must be a whole number"),
        ("TICK_SECONDS", "0", "TICK_SECONDS must be a whole number"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must start with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "xoxb-1", "SLACK_APP_TOKEN must start with 'xapp-'"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL must point to SQLite or PostgreSQL"),
        ("MENTORING_ORGANIZERS", "U012AB3CD,@ana", "MENTORING_ORGANIZERS must be Slack user ids"),
        ("SLACK_SIGNING_SECRET", "has spaces!", "SLACK_SIGNING_SECRET must be"),
    ],
)
def test_a_bad_value_names_the_variable_in_one_line(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_settings({name: value})
    message = str(error.value)
    assert words in message
    assert "\n" not in message


def test_serving_needs_a_bot_token_and_in_http_mode_a_signing_secret() -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        parse_settings({}).require_slack()
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        parse_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).require_slack()
    # Socket Mode needs no signing secret.
    parse_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).require_slack()


def test_the_environment_wins_over_dotenv(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nTICK_SECONDS=30\n# a comment\n")
    settings = load_settings({"PORT": "5000"}, env_file=str(env_file))
    assert settings.port == 5000
    assert settings.tick_seconds == 30
