"""`python app.py` hands what can wait to a work process of its own (bot.slack.deferral):
Slack gets its acknowledgement from the front at once, the work process does the work, and a
work process that dies is replaced without losing the bot."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db import make_engine
from bot.slack import ids
from bot.slack.deferral import WORK_NICENESS
from tests.conftest import SIGNING_SECRET, TEAM
from tests.factories import make_program
from tests.slack.test_join import fill
from tests.support import waiting
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SignedClient
from tests.test_cli import APP, free_port, serving_env, wait_until_healthy

STARTED = re.compile(r"work process (\d+) started")
T = TypeVar("T")


@dataclass
class Served:
    process: subprocess.Popen[str]
    slack: SignedClient
    log: Path

    def work_pids(self) -> list[int]:
        return [int(pid) for pid in STARTED.findall(self.log.read_text())]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


def eventually(check: Callable[[], T]) -> T:
    """A process starts in seconds, not milliseconds."""
    return waiting.eventually(check, timeout=20.0, what="the bot's processes")


@pytest.fixture
def served(db_url: str, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    env = serving_env(db_url, fake_slack, port, TICK_SECONDS="86400")
    log = tmp_path / "bot.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, APP], env=env, cwd=tmp_path, stderr=out, text=True
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process)
        slack = SignedClient(
            f"http://127.0.0.1:{port}/slack/events",
            SIGNING_SECRET,
            team_id=TEAM,
            response_url_factory=fake_slack.new_response_url,
            answer_shown=fake_slack.answer_shown,
        )
        yield Served(process, slack, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=20)


def home_opened(served: Served, user: str) -> None:
    response = served.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    assert (response.status, response.body) == (200, b"")


def published_for(fake: FakeSlack, user: str) -> list:
    return [c for c in fake.calls_to("views.publish") if c.params.get("user_id") == user]


def test_the_work_is_done_by_a_work_process_that_is_replaced_when_it_dies(
    served: Served, db_url: str, fake_slack: FakeSlack
) -> None:
    engine = make_engine(db_url)
    make_program(sessionmaker(engine), "Digital Pilot")
    engine.dispose()
    [first] = eventually(served.work_pids)
    assert first != served.process.pid and alive(first)
    # When the cores are busy, the front's acknowledgements come first.
    front_nice = os.getpriority(os.PRIO_PROCESS, served.process.pid)
    assert eventually(lambda: os.getpriority(os.PRIO_PROCESS, first) == front_nice + WORK_NICENESS)

    home_opened(served, "UANA")
    [home] = eventually(lambda: published_for(fake_slack, "UANA"))
    assert "Digital Pilot" in str(home.params["view"])  # open to join, on her Home tab
    joined = served.slack.command("join", user_id="UANA")
    assert (joined.status, joined.body) == (200, b"")  # acknowledged before the form is built
    [form] = fake_slack.wait_for("views.open", timeout=20)
    assert form.params["trigger_id"]
    assert "Digital Pilot" in str(form.params["view"])
    view = form.params["view"]
    saved = served.slack.view_submission(
        ids.JOIN_MODAL, fill(view), user_id="UANA", private_metadata=view["private_metadata"]
    )
    assert saved.status == 200 and b"Saving your answers" in saved.body  # answered by the front
    # What follows the answer is the work process's: saving, the outcome in place of
    # "Saving…", her welcome DM and her Home tab.
    outcome = fake_slack.shown_in_place_of(saved.json(), timeout=20)
    assert "Welcome to *Digital Pilot*" in str(outcome)
    [welcome] = fake_slack.wait_for("chat.postMessage", timeout=20)
    assert "Digital Pilot" in str(welcome.params)
    assert eventually(lambda: len(published_for(fake_slack, "UANA")) == 2)

    os.kill(first, signal.SIGKILL)
    second = eventually(lambda: served.work_pids()[1:])
    assert second and second[0] != first and alive(second[0]) and not alive(first)
    assert f"the work process {first} stopped" in served.log.read_text()
    home_opened(served, "UBEN")  # waits for the new process to be ready, if need be
    assert eventually(lambda: published_for(fake_slack, "UBEN"))

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    assert eventually(lambda: not alive(second[0]))
    assert "Traceback" not in served.log.read_text()
