"""`python app.py tick` killed (SIGKILL) in the middle of a weekly send on PostgreSQL, then run
again once its lease expired: every message reaches Slack exactly once, including the one
Slack had accepted when the process died, before the database could record it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.bootstrap import build_services
from bot.db import make_engine
from bot.migrate import upgrade
from bot.models import Delivery, DeliveryStatus
from bot.outbox import store
from tests.conftest import BOT_TOKEN, settings_for
from tests.factories import make_program
from tests.support import replicas
from tests.support.fake_slack import FakeSlack
from tests.support.waiting import eventually
from tests.test_cli import APP, clean_env

WEEKLY_SEND = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday of week 2, 10:00 in New York
PAIRS = 30
SENT_BEFORE_KILL = 17


def rows(url: str) -> dict[str, Delivery]:
    engine = make_engine(url)
    with sa.orm.Session(engine) as session:
        found = {row.key: row for row in session.scalars(sa.select(Delivery))}
    engine.dispose()
    return found


def accepted(fake: FakeSlack) -> Counter[str]:
    """Each delivery key Slack accepted (whether or not the bot heard the answer)."""
    return Counter(
        message["metadata"]["event_payload"]["key"]
        for messages in fake.messages.values()
        for message in messages
        if (message.get("metadata") or {}).get("event_type") == "mentoring_delivery"
    )


def tick(url: str, fake: FakeSlack, at: datetime, log: Path) -> subprocess.Popen[bytes]:
    env = clean_env(
        DATABASE_URL=url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.base_url,
        MENTORING_ORGANIZERS="UORGANIZER",
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, APP, "tick", "--now", at.isoformat()],
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_a_tick_killed_mid_send_then_restarted_sends_every_message_exactly_once(
    pg_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    services = build_services(settings_for(pg_url, fake_slack), engine=engine)
    program = make_program(
        services.sessions, "Digital Pilot", start_date=replicas.START_DAY, length_weeks=12
    )
    for user in replicas.seed_program(services.sessions, program.id, count=PAIRS):
        fake_slack.add_user(user, name=user.lower())
    services.background.shutdown(wait=False)
    engine.dispose()
    log = tmp_path / "ticks.log"
    # Slack's clock reads the bot's; the post after SENT_BEFORE_KILL is answered slowly, and the
    # process is killed while it waits: Slack keeps the message, the bot never hears of it.
    fake_slack.clock = WEEKLY_SEND.timestamp
    fake_slack.delay("chat.postMessage", 0, times=SENT_BEFORE_KILL)
    fake_slack.delay("chat.postMessage", 5.0, times=1)

    started = time.monotonic()
    first = tick(pg_url, fake_slack, WEEKLY_SEND, log)
    eventually(
        lambda: fake_slack.arrived["chat.postMessage"] > SENT_BEFORE_KILL,
        timeout=60,
        what=f"post number {SENT_BEFORE_KILL + 1} ({log.read_text()[-2000:]})",
    )
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    fake_slack.wait_for("chat.postMessage", SENT_BEFORE_KILL + 1, timeout=15)
    killed = rows(pg_url)
    in_flight = [
        key
        for key, times in accepted(fake_slack).items()
        if killed[key].status is not DeliveryStatus.SENT
    ]
    assert len(in_flight) == 1  # Slack has it; the database does not know
    by_status = Counter(row.status for row in killed.values())
    assert by_status[DeliveryStatus.SENT] == SENT_BEFORE_KILL
    assert by_status[DeliveryStatus.SENDING] > 1  # the rest of the batch, under a dead lease
    planned = set(killed)
    prompts = [key for key in planned if key.startswith("weekly-prompt:")]
    assert len(prompts) == PAIRS  # the weekly send: one prompt per pair

    # Run again once the dead process's lease has expired.
    later = WEEKLY_SEND + store.DEFAULT_LEASE + timedelta(minutes=1)
    fake_slack.clock = later.timestamp
    second = tick(pg_url, fake_slack, later, log)
    assert second.wait(timeout=120) == 0, log.read_text()[-3000:]
    assert "(1 found already in Slack, not sent again)" in log.read_text()
    took = time.monotonic() - started

    final = rows(pg_url)
    sent = accepted(fake_slack)
    assert set(sent) == set(final)  # everything planned reached Slack...
    assert set(sent.values()) == {1}  # ...exactly once
    assert {row.status for row in final.values()} == {DeliveryStatus.SENT}
    [recovered] = in_flight
    [message] = [
        m
        for messages in fake_slack.messages.values()
        for m in messages
        if m["metadata"]["event_payload"]["key"] == recovered
    ]
    assert final[recovered].message_ts == message["ts"]  # recorded from Slack's history
    assert len(fake_slack.calls_to("conversations.history")) >= 1
    print(
        f"\nSIGKILL after {SENT_BEFORE_KILL} of {len(planned)} messages, one more in flight; "
        f"after the restart each of the {len(planned)} was in Slack once ({took:.1f}s)"
    )
