"""`python app.py` as an admin runs it: real processes, the fake Slack, a real database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.clock import parse_instant
from bot.config import VARIABLES
from bot.db import make_engine
from bot.migrate import upgrade
from bot.models import Delivery, DeliveryStatus
from bot.outbox import store
from tests.conftest import BOT_TOKEN, ROOT, SIGNING_SECRET, TEAM
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SignedClient

APP = str(ROOT / "app.py")


def clean_env(**values: str) -> dict[str, str]:
    """The machine's environment without any bot setting, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update(values)
    return env


def run_app(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, APP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("args", [["--help"], ["migrate", "--help"], ["tick", "--help"]])
def test_every_command_has_help(args: list[str], tmp_path: Path) -> None:
    result = run_app(args, clean_env(), tmp_path)
    assert result.returncode == 0
    assert "usage: python app.py" in result.stdout


def test_a_missing_setting_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    result = run_app([], clean_env(SLACK_BOT_TOKEN=BOT_TOKEN), tmp_path)
    assert_one_clear_line(result, "SLACK_SIGNING_SECRET")
    assert result.returncode == 2


def test_a_malformed_setting_from_dotenv_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=eighty\n")
    result = run_app(["migrate"], clean_env(), tmp_path)
    assert_one_clear_line(result, "PORT")


def test_an_unreachable_database_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL="postgresql://bot:secret@127.0.0.1:1/mentoring")
    result = run_app(["migrate"], env, tmp_path)
    assert_one_clear_line(result, "cannot reach the database", "DATABASE_URL")
    assert "secret" not in result.stderr  # the password is never printed


def test_migrate_creates_the_schema_and_is_idempotent(db_url: str, tmp_path: Path) -> None:
    for _ in range(2):
        result = run_app(["migrate"], clean_env(DATABASE_URL=db_url), tmp_path)
        assert result.returncode == 0, result.stderr
        assert "(newest)" in result.stdout
    engine = make_engine(db_url)
    assert "deliveries" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_the_default_database_is_sqlite_in_the_working_directory(tmp_path: Path) -> None:
    result = run_app(["migrate"], clean_env(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mentoring.db").exists()


def test_tick_at_a_given_instant_sends_what_is_due_then(
    db_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.add_user("UANA", name="ana")
    engine = make_engine(db_url)
    upgrade(engine)
    with Session(engine) as session:
        for key, when in [("monday", "2026-12-07T08:30:00+00:00"), ("friday", "2026-12-11")]:
            store.enqueue(
                session,
                team_id=TEAM,
                key=key,
                message=store.Message("UANA", f"due {key}"),
                not_before=parse_instant(when),
            )
        session.commit()
    env = clean_env(
        DATABASE_URL=db_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake_slack.base_url
    )

    result = run_app(["tick", "--now", "2026-12-07T09:30:00+01:00"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "sent 1" in result.stdout
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["text"] == "due monday"
    with engine.connect() as connection:
        statuses = dict(connection.execute(sa.select(Delivery.key, Delivery.status)).all())
    engine.dispose()
    assert statuses == {"monday": DeliveryStatus.SENT, "friday": DeliveryStatus.PENDING}


def test_tick_refuses_a_malformed_instant(tmp_path: Path) -> None:
    env = clean_env(SLACK_BOT_TOKEN=BOT_TOKEN)
    result = run_app(["tick", "--now", "next monday"], env, tmp_path)
    assert_one_clear_line(result, "--now must be an ISO-8601 instant")


def test_a_token_slack_refuses_stops_the_bot_with_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.fail("auth.test", "invalid_auth")
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        PORT=str(free_port()),
    )
    result = run_app([], env, tmp_path)
    assert_one_clear_line(result, "SLACK_BOT_TOKEN")


def serving_env(db_url: str, fake: FakeSlack, port: int, **extra: str) -> dict[str, str]:
    """What `python app.py` needs to serve HTTP against the fake Slack."""
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=db_url,
        PORT=str(port),
        **extra,
    )


def wait_until_healthy(url: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the bot exited early: {process.communicate()[1]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the bot did not become healthy in time")


def test_the_bot_serves_http_answers_help_and_stops_cleanly(
    db_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    env = serving_env(db_url, fake_slack, port)
    process = subprocess.Popen(
        [sys.executable, APP], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process)
        slack = SignedClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        reply = slack.command("help", user_id="UANA")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)

    assert reply.status == 200
    assert "/mentoring help" in json.loads(reply.body)["text"]
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    engine = make_engine(db_url)
    assert "deliveries" in sa.inspect(engine).get_table_names()  # it migrated first
    engine.dispose()


def test_with_an_app_token_the_bot_uses_socket_mode(fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=fake_slack.app_token,
        SLACK_API_URL=fake_slack.base_url,
    )
    process = subprocess.Popen(
        [sys.executable, APP], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    try:
        [call] = fake_slack.wait_for("apps.connections.open", timeout=30)[:1]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert call.headers.get("authorization") == f"Bearer {fake_slack.app_token}"
