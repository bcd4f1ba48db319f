"""Shared fixtures: a database per backend, the fake Slack, and the bot served for real.

Every test that asks for `db_url` (directly or through `engine`, `sessions`, `services`,
`bot`) runs once on SQLite and once on PostgreSQL. `TEST_DATABASES` picks the backends
(default `sqlite,postgresql`); `TEST_DATABASE_URL` points at the PostgreSQL server (default the
local `test` database). Each PostgreSQL test gets a schema of its own, so tests never see each
other's rows, and bot processes started by a test can share it through `DATABASE_URL`.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.config import Settings, parse_settings
from bot.db import make_engine, make_session_factory
from bot.models import Base
from bot.outbox.pacing import Pacer
from bot.slack.app import build_app, build_work
from bot.slack.deferral import ThreadDeferral
from bot.slack.http import SlackWsgiApp, make_server
from bot.slack.listeners.join_form import SAVING
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import Response, SignedClient
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = [
    name.strip()
    for name in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",")
    if name.strip()
]
TEAM = "T0TEAM"
SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday morning


def pg_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if request.param != "postgresql":
        raise ValueError(f"unknown backend in TEST_DATABASES: {request.param}")
    admin = make_engine(pg_admin_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {pg_admin_url()} ({error.orig}); start it, point "
            "TEST_DATABASE_URL at one, or run with TEST_DATABASES=sqlite",
            pytrace=False,
        )
    separator = "&" if "?" in pg_admin_url() else "?"
    yield f"{pg_admin_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A database with the current schema."""
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM).start()
    # The organizer named in MENTORING_ORGANIZERS is a member of the workspace.
    fake.add_user("UORGANIZER", name="olivia", real_name="Olivia Organizer")
    yield fake
    fake.stop()
    assert not fake.violations, f"the bot sent blocks Slack would refuse: {fake.violations}"


def settings_for(db_url: str, fake: FakeSlack, **overrides: str) -> Settings:
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": db_url,
        "MENTORING_ORGANIZERS": "UORGANIZER",
    }
    values.update(overrides)
    return parse_settings(values)


@pytest.fixture
def settings(db_url: str, fake_slack: FakeSlack) -> Settings:
    return settings_for(db_url, fake_slack)


@pytest.fixture
def services(settings: Settings, engine: Engine, clock: FixedClock) -> Services:
    # Tests check pacing on its own (tests/outbox/test_pacing.py) instead of waiting for it.
    return build_services(settings, clock=clock, engine=engine, pacer=Pacer.unlimited())


class RunningBot:
    """The bot's real WSGI app behind waitress on a free port, and a client that signs."""

    def __init__(self, services: Services, fake: FakeSlack) -> None:
        self.services = services
        self.fake = fake
        # The work app on threads of this process, so tests can wait for it (hostile/settle).
        self.deferral = ThreadDeferral(build_work(services))
        self.app = build_app(services, deferral=self.deferral)
        self.server = make_server(
            SlackWsgiApp(self.app, services.engine, SIGNING_SECRET),
            "127.0.0.1",
            0,
            loop_timeout=0.05,  # stop promptly at teardown
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, name="bot-http", daemon=True)
        self.slack = SignedClient(
            f"{self.url}/slack/events",
            SIGNING_SECRET,
            team_id=TEAM,
            response_url_factory=fake.new_response_url,
            answer_shown=fake.answer_shown,
        )

    def start(self) -> RunningBot:
        self.thread.start()
        return self

    def _serve(self) -> None:
        try:
            self.server.run()
        except OSError:  # the listening socket closed under select() while stopping
            if not self.stopping:
                raise

    def answer(self, response: Response, timeout: float = 5.0) -> dict[str, Any]:
        """What the person sees for a command: the acknowledgement's message, or else what the
        bot posted to the command's response_url after a silent acknowledgement."""
        assert response.status == 200, response.text
        if response.body:
            return response.json()
        path = urlsplit(response.response_url).path
        late = eventually(
            lambda: [c for c in self.fake.calls_to("response_url") if c.path == path],
            timeout,
            what=f"an answer for the command at {response.response_url}",
        )
        return late[0].params

    def form_answer(self, response: Response, timeout: float = 5.0) -> dict[str, Any]:
        """What the person sees once a form is submitted: the acknowledgement's errors or view;
        or, where it answered "Saving…", the view the bot put in its place when saved."""
        assert response.status == 200, response.text
        answer = response.json() if response.body else {}
        if answer.get("view", {}).get("external_id", "").startswith(SAVING):
            return {**answer, "view": self.fake.shown_in_place_of(answer, timeout)}
        return answer

    def stop(self) -> None:
        """Close every channel, then the dispatcher, as waitress has no stop() of its own."""
        self.stopping = True
        for channel in list(self.server._map.values()):
            channel.handle_close()
        self.server.task_dispatcher.shutdown()
        self.thread.join(timeout=5)
        self.deferral.close()  # what the requests handed over, finished before the next test
        self.services.seen.close()  # the request ids noted, written while the database is up


@pytest.fixture
def bot(services: Services, fake_slack: FakeSlack) -> Iterator[RunningBot]:
    running = RunningBot(services, fake_slack).start()
    yield running
    running.stop()
