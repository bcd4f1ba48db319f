"""manifest.yml asks Slack for what the code handles, and .env.example explains every setting.

The manifest is validated against Slack's JSON schema by .ci/run (the schema lives outside this
repository, in shared/slack/).
"""

from __future__ import annotations

import yaml

from bot.config import VARIABLES, parse_settings
from bot.slack.commands.router import COMMAND
from tests.conftest import ROOT


def load_manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_the_manifest_declares_the_command_events_and_home_the_bot_handles() -> None:
    manifest = load_manifest()
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["should_escape"] is True  # mentions arrive as <@U…>, which we parse
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_home_opened", "user_change"} <= set(events)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_the_manifest_asks_for_exactly_the_scopes_the_product_uses() -> None:
    scopes = load_manifest()["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == sorted(
        [
            "commands",
            "chat:write",
            "im:write",
            "mpim:write",
            "im:history",
            "mpim:history",
            "users:read",
            "users:read.email",
            "files:write",
        ]
    )


def test_env_example_explains_every_setting_and_parses() -> None:
    text = (ROOT / ".env.example").read_text()
    for name in VARIABLES:
        assert f"{name}=" in text, name
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    parse_settings(values)  # the example as shipped is valid (empty means unset)
