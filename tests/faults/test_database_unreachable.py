"""PostgreSQL briefly unreachable (a proxy between the bot and the server, cut and restored):
people get a friendly "try again" where they acted, the health check says 503, the tick logs
a warning and sends nothing twice, and once the database is back everything works again."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.bootstrap import build_services
from bot.clock import FixedClock
from bot.db import make_engine, make_session_factory
from bot.models import (
    Base,
    Delivery,
    DeliveryStatus,
    Meeting,
    MeetingStatus,
    Participant,
    Program,
)
from bot.outbox import store
from bot.outbox.pacing import Pacer
from bot.slack import ids
from bot.slack.commands.enrolment import join_view
from bot.slack.interaction import TRY_AGAIN
from tests.conftest import START, TEAM, RunningBot, settings_for
from tests.factories import make_program
from tests.slack.test_join import fill
from tests.support.fake_slack import FakeSlack
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import eventually
from tests.test_flags import add_meeting, make_pair

MINUTE = timedelta(minutes=1)


@dataclass
class Outage:
    bot: RunningBot
    proxy: TcpProxy
    direct: sessionmaker  # the test's own way in, never through the proxy


@pytest.fixture
def outage(pg_url: str, fake_slack: FakeSlack) -> Iterator[Outage]:
    """The bot served for real, its database behind a proxy the test can cut."""
    direct_engine = make_engine(pg_url)
    Base.metadata.create_all(direct_engine)
    proxy = TcpProxy.for_url(pg_url).start()
    services = build_services(
        settings_for(proxy.url(pg_url), fake_slack),
        clock=FixedClock(START),
        pacer=Pacer.unlimited(),
    )
    fake_slack.clock = lambda: services.clock.now().timestamp()
    bot = RunningBot(services, fake_slack).start()
    yield Outage(bot, proxy, make_session_factory(direct_engine))
    bot.stop()
    services.background.shutdown(wait=False)
    services.engine.dispose()
    proxy.stop()
    direct_engine.dispose()


def health(bot: RunningBot) -> int:
    try:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def plan(direct: sessionmaker, key: str, channel: str = "UANA") -> None:
    with direct() as session:
        store.enqueue(
            session,
            team_id=TEAM,
            key=key,
            message=store.Message(channel, f"hello {key}"),
            not_before=START,
        )
        session.commit()


def deliveries(direct: sessionmaker) -> dict[str, Delivery]:
    with direct() as session:
        return {row.key: row for row in session.scalars(sa.select(Delivery))}


def accepted(fake: FakeSlack) -> Counter[str]:
    return Counter(
        message["metadata"]["event_payload"]["key"]
        for messages in fake.messages.values()
        for message in messages
        if message.get("metadata")
    )


def minutes_submitted(bot: RunningBot, meeting_id: int, minutes: str):
    return bot.slack.view_submission(
        ids.MEETING_MINUTES_MODAL,
        {"minutes": {"minutes": {"type": "number_input", "value": minutes}}},
        user_id="UANA",
        private_metadata=json.dumps({"meeting_id": meeting_id}),
    )


def test_requests_get_a_friendly_try_again_and_work_once_the_database_is_back(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    bot, direct = outage.bot, outage.direct
    bot.fake.add_user("UANA", name="ana")
    bot.fake.add_user("UBEN", name="ben")
    program = make_program(direct, "Digital Pilot")
    pairing_id, _ = make_pair(direct, program)
    add_meeting(direct, pairing_id, MeetingStatus.CONFIRMED, START - timedelta(days=1))
    with direct() as session:
        meeting_id = session.scalars(sa.select(Meeting.id)).one()
    plan(direct, "due-during-the-outage")
    assert "/mentoring help" in bot.slack.command("help", user_id="UANA").json()["text"]
    assert health(bot) == 200

    outage.proxy.cut()

    click = bot.slack.block_action(ids.PROGRAM_EDIT, user_id="UORGANIZER", value=str(program.id))
    assert click.status == 200
    [reply] = eventually(
        lambda: [c for c in bot.fake.calls_to("response_url") if c.params.get("text")],
        what="the reply to the click",
    )
    assert reply.params["text"] == TRY_AGAIN
    assert reply.params["response_type"] == "ephemeral"
    assert not reply.params.get("replace_original")  # the clicked message stays as it was
    status = bot.answer(bot.slack.command("status", user_id="UORGANIZER"))
    assert (status["text"], status["response_type"]) == (TRY_AGAIN, "ephemeral")
    submitted = minutes_submitted(bot, meeting_id, "40")
    assert submitted.status == 200
    assert submitted.json() == {"response_action": "errors", "errors": {"minutes": TRY_AGAIN}}
    assert health(bot) == 503
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        report = bot.services.tick()
    assert report.failures and report.send.sent == 0
    [warning] = [r for r in caplog.records if r.name == "bot.scheduler"]
    assert warning.levelno == logging.WARNING and not warning.exc_info  # one line, no trace
    assert "the database did not answer" in warning.getMessage()
    assert not bot.fake.calls_to("chat.postMessage")
    assert outage.proxy.refused > 0  # the bot really could not get through
    for call in bot.fake.calls:  # no stack trace reached anyone
        assert "Traceback" not in json.dumps(call.params)

    outage.proxy.restore()

    assert health(bot) == 200
    bot.services.clock.advance(MINUTE)
    after = bot.services.tick()
    assert not after.failures
    sent = accepted(bot.fake)  # what was due, and what the planners plan for the pair now
    assert sent["due-during-the-outage"] == 1 and set(sent.values()) == {1}
    assert after.send.sent == len(sent)
    status = bot.answer(bot.slack.command("status", user_id="UORGANIZER"))
    assert "Digital Pilot" in json.dumps(status)
    with direct() as session:  # nothing was half-written by the failed submission
        meeting = session.get(Meeting, meeting_id)
        assert (meeting.status, meeting.minutes_held) == (MeetingStatus.CONFIRMED, None)
    again = minutes_submitted(bot, meeting_id, "40")
    assert again.status == 200 and not again.body  # accepted: the modal closes
    with direct() as session:
        meeting = session.get(Meeting, meeting_id)
        assert (meeting.status, meeting.minutes_held) == (MeetingStatus.HELD, 40)


def test_a_join_form_saved_during_an_outage_says_so_and_joins_once_it_is_back(
    outage: Outage,
) -> None:
    bot, direct = outage.bot, outage.direct
    bot.fake.add_user("UANA", name="ana")
    program = make_program(direct, "Digital Pilot")
    with direct() as session:
        form = join_view(session, session.get(Program, program.id), "UANA")

    def submitted() -> dict:
        response = bot.slack.view_submission(
            ids.JOIN_MODAL, fill(form), user_id="UANA", private_metadata=form["private_metadata"]
        )
        assert "Saving your answers" in response.text  # answered without the database
        return bot.form_answer(response, timeout=15)

    outage.proxy.cut()
    during = submitted()
    outage.proxy.restore()

    assert "my database is not answering" in json.dumps(during["view"])
    with direct() as session:  # nothing half-written
        assert session.scalars(sa.select(Participant)).all() == []
        assert session.scalars(sa.select(Delivery)).all() == []
    after = submitted()
    assert "Welcome to *Digital Pilot*" in json.dumps(after["view"])
    with direct() as session:
        assert [p.user_id for p in session.scalars(sa.select(Participant))] == ["UANA"]


def test_the_database_lost_mid_send_sends_nothing_twice_and_the_tick_resumes(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    bot, direct = outage.bot, outage.direct
    bot.fake.add_user("UANA", name="ana")
    bot.fake.add_user("UBEN", name="ben")
    keys = ["first", "second", "third", "fourth"]
    for key in keys:
        plan(direct, key, "UANA" if key != "third" else "UANA,UBEN")
    # The second post is answered slowly; the database goes away while Slack takes it.
    bot.fake.delay("chat.postMessage", 0, times=1)
    bot.fake.delay("chat.postMessage", 3.0, times=1)
    reports = []
    ticking = threading.Thread(target=lambda: reports.append(bot.services.tick()))

    with caplog.at_level(logging.WARNING):
        ticking.start()
        eventually(lambda: bot.fake.arrived["chat.postMessage"] >= 2, what="the second post")
        outage.proxy.cut()
        ticking.join(timeout=30)

    [report] = reports  # the tick returned: nothing escaped it
    assert report.failures == ["sender"] and report.send.sent == 0
    assert "the database did not answer during sender" in caplog.text
    assert accepted(bot.fake) == Counter({"first": 1, "second": 1})  # Slack has the second...
    outage.proxy.restore()
    rows = deliveries(direct)
    assert rows["second"].status is DeliveryStatus.SENDING  # ...but the database never heard

    bot.services.clock.advance(MINUTE)
    assert bot.services.tick().send.sent == 0  # back, but the lease of the lost pass holds
    bot.services.clock.advance(store.DEFAULT_LEASE)
    resumed = bot.services.tick()

    assert not resumed.failures
    assert (resumed.send.sent, resumed.send.recovered) == (3, 1)
    assert accepted(bot.fake) == Counter({key: 1 for key in keys})
    rows = deliveries(direct)
    assert {row.status for row in rows.values()} == {DeliveryStatus.SENT}
    [second] = [m for ms in bot.fake.messages.values() for m in ms if "second" in m["text"]]
    assert rows["second"].message_ts == second["ts"]
