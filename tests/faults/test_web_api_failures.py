"""The Slack Web API failing under the tick: what can be retried is retried, what cannot is
recorded and flagged to organizers, a post whose answer was lost is never sent twice, and the
tick itself never dies (tests/outbox/test_sender.py covers the sender's own rules)."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.bootstrap import Services
from bot.models import Delivery, DeliveryStatus, Flag, FlagReason
from bot.outbox import store
from bot.outbox.sender import Sender
from bot.scheduler import run_tick
from tests.conftest import BOT_TOKEN, TEAM
from tests.factories import make_program
from tests.support.fake_slack import FakeSlack

MINUTE = timedelta(minutes=1)


def plan(
    services: Services, key: str, channel: str, program_id: int | None = None, **kw: object
) -> None:
    with services.sessions() as session:
        store.enqueue(
            session,
            team_id=TEAM,
            key=key,
            message=store.Message(channel, f"hello {key}"),
            not_before=kw.get("not_before", services.clock.now()),  # type: ignore[arg-type]
            program_id=program_id,
        )
        session.commit()


def rows(services: Services) -> dict[str, Delivery]:
    with services.sessions() as session:
        return {row.key: row for row in session.scalars(sa.select(Delivery))}


def posted(fake: FakeSlack, key: str) -> list[dict]:
    """Messages Slack holds for this delivery key (accepted, whether or not we heard)."""
    return [
        message
        for messages in fake.messages.values()
        for message in messages
        if (message.get("metadata") or {}).get("event_payload", {}).get("key") == key
    ]


def to_organizer(fake: FakeSlack) -> list:
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.params["channel"] == "UORGANIZER" and call.response.get("ok")
    ]


# -- errors no retry can fix -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "channel"),
    [
        ("channel_not_found", "UGHOST"),  # a user Slack does not know: no DM to post in
        ("user_not_found", "UANA,UGHOST"),  # a group DM with someone who does not exist
        ("account_inactive", "UANA"),  # Slack refuses (a deactivated workspace or user)
    ],
)
def test_a_message_slack_refuses_for_good_is_recorded_and_flagged_to_organizers_once(
    services: Services, fake_slack: FakeSlack, error: str, channel: str
) -> None:
    fake_slack.add_user("UANA", name="ana")
    program = make_program(services.sessions, "Digital Pilot")
    plan(services, "nudge:1:UANA", channel, program.id)
    plan(services, "fine", "UANA", program.id)
    if error == "account_inactive":
        fake_slack.fail("chat.postMessage", error)

    first = services.tick()

    assert not first.failures
    assert (first.send.sent, first.send.failed) == (1, 1)
    failed = rows(services)["nudge:1:UANA"]
    assert (failed.status, failed.last_error) == (DeliveryStatus.FAILED, error)
    assert posted(fake_slack, "fine")

    for _ in range(3):  # the next tick flags it; later ones neither retry nor flag again
        services.clock.advance(MINUTE)
        assert not services.tick().failures
    with services.sessions() as session:
        flags = session.scalars(sa.select(Flag)).all()
    assert [(f.reason, f.delivery_id) for f in flags] == [(FlagReason.DELIVERY_FAILED, failed.id)]
    [told] = to_organizer(fake_slack)
    shown = json.dumps(told.params["blocks"])
    assert error in shown and "A nudge" in shown
    assert not posted(fake_slack, "nudge:1:UANA")
    assert rows(services)["nudge:1:UANA"].attempts == 1  # never retried


# -- errors worth another try ------------------------------------------------------------------


def test_a_slack_outage_defers_the_whole_send_and_the_next_ticks_deliver_it_once(
    services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    fake_slack.add_user("UBEN", name="ben")
    for n in range(2):  # a DM, and a group DM to open first
        plan(services, f"prompt:{n}", "UANA" if n % 2 else "UANA,UBEN")
    # 503 from Slack's edge for a while: the client's own retries give up, the outbox waits.
    fake_slack.http_error("chat.postMessage", 503, times=40)
    fake_slack.http_error("conversations.open", 500, times=40)

    during = services.tick()

    assert not during.failures
    assert during.send.sent == 0 and during.send.deferred == 2
    assert {row.status for row in rows(services).values()} == {DeliveryStatus.PENDING}
    fake_slack.reset()
    for _ in range(3):
        services.clock.advance(MINUTE)
        services.tick()
    assert {row.status for row in rows(services).values()} == {DeliveryStatus.SENT}
    assert all(len(posted(fake_slack, f"prompt:{n}")) == 1 for n in range(2))


def test_a_post_whose_answer_timed_out_is_not_posted_again_when_slack_has_it(
    services: Services, fake_slack: FakeSlack
) -> None:
    """Slack took the message, the answer never came back: next time, history tells."""
    fake_slack.add_user("UANA", name="ana")
    fake_slack.clock = lambda: services.clock.now().timestamp()
    plan(services, "welcome:1", "UANA")
    plan(services, "welcome:2", "UANA")
    fake_slack.delay("chat.postMessage", 1.0, times=1)  # longer than the client waits
    impatient = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url, timeout=0.3)
    impatient.retry_handlers.clear()
    sender = Sender(services.sessions, impatient, services.clock)

    first = sender.send_due()
    fake_slack.wait_for("chat.postMessage", 2)  # the slow one landed after all

    assert (first.sent, first.deferred) == (1, 1)
    slow = rows(services)["welcome:1"]
    assert slow.status is DeliveryStatus.PENDING and slow.last_error.startswith("network")
    services.clock.advance(timedelta(seconds=30))
    again = sender.send_due()
    assert (again.sent, again.recovered) == (1, 1)
    [message] = posted(fake_slack, "welcome:1")
    recorded = rows(services)["welcome:1"]
    assert (recorded.status, recorded.message_ts) == (DeliveryStatus.SENT, message["ts"])
    assert recorded.message_channel == message_channel(fake_slack, "welcome:1")
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def message_channel(fake: FakeSlack, key: str) -> str:
    return next(
        channel
        for channel, messages in fake.messages.items()
        for message in messages
        if message["metadata"]["event_payload"]["key"] == key
    )


@pytest.mark.parametrize("history", ["missing_scope", "internal_error", "http_500"])
def test_when_history_cannot_be_read_an_interrupted_message_is_posted_not_lost(
    services: Services, fake_slack: FakeSlack, history: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.add_user("UANA", name="ana")
    fake_slack.add_user("UBEN", name="ben")
    plan(services, "intro:1", "UANA,UBEN")
    with services.sessions() as session:  # a sender claims it, then dies before posting
        store.claim(session, now=services.clock.now(), worker="dead", limit=10)
    if history == "http_500":
        fake_slack.http_error("conversations.history", 500, times=10)
    else:
        fake_slack.fail("conversations.history", history, times=10)
    services.clock.advance(store.DEFAULT_LEASE + MINUTE)

    with caplog.at_level(logging.WARNING, logger="bot.outbox.sender"):
        report = services.tick()

    assert report.send.sent == 1 and report.send.recovered == 0
    assert len(posted(fake_slack, "intro:1")) == 1
    assert rows(services)["intro:1"].status is DeliveryStatus.SENT
    assert "could not check whether delivery" in caplog.text


def test_an_interrupted_message_slack_never_got_is_posted_once(
    services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    fake_slack.clock = lambda: services.clock.now().timestamp()
    plan(services, "earlier", "UANA")
    services.tick()  # an older message in the same DM, found in history but not ours
    plan(services, "intro:1", "UANA")
    with services.sessions() as session:
        store.claim(session, now=services.clock.now(), worker="dead", limit=10)
    services.clock.advance(store.DEFAULT_LEASE + MINUTE)

    report = services.tick()

    assert (report.send.sent, report.send.recovered) == (1, 0)
    assert [len(posted(fake_slack, key)) for key in ("earlier", "intro:1")] == [1, 1]
    [history] = fake_slack.calls_to("conversations.history")
    assert history.params["include_all_metadata"] in (True, "true", "1")
    assert float(history.params["oldest"]) <= services.clock.now().timestamp()


# -- the tick never dies -----------------------------------------------------------------------


def hello(session: Session, now: datetime) -> int:
    return int(
        store.enqueue(
            session,
            team_id=TEAM,
            key=f"hello:{now.isoformat()}",
            message=store.Message("UANA", "Hello"),
            not_before=now,
        )
    )


def test_a_planner_or_rule_that_raises_or_a_failing_users_info_never_stops_the_tick(
    services: Services, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.add_user("UANA", name="ana")

    def asks_slack(session: Session, now: datetime) -> int:
        """A planner that needs a time zone from Slack (users.info) first."""
        zone = services.client.users_info(user="UANA")["user"]["tz"]
        return int(
            store.enqueue(
                session,
                team_id=TEAM,
                key=f"zone:{now.isoformat()}",
                message=store.Message("UANA", f"It is morning in {zone}"),
                not_before=now,
            )
        )

    def buggy(session: Session, now: datetime) -> int:
        hello(session, now.replace(year=2000))  # half-planned work, rolled back
        raise KeyError("a bug")

    fake_slack.fail("users.info", "fatal_error")

    def tick():
        return run_tick(
            services.sessions,
            services.outbox,
            services.clock,
            [asks_slack, buggy, hello],
            [buggy, services.rules[0]],
        )

    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        first = tick()

    assert first.failures == [
        "planner test_web_api_failures.asks_slack",
        "planner test_web_api_failures.buggy",
        "health test_web_api_failures.buggy",
    ]
    assert (first.planned, first.send.sent) == (1, 1)  # the healthy planner's message went out
    assert sorted(rows(services)) == [f"hello:{services.clock.now().isoformat()}"]
    assert "KeyError" in caplog.text
    services.clock.advance(MINUTE)
    second = tick()  # Slack answers users.info again: that planner plans as before
    assert second.failures == [
        "planner test_web_api_failures.buggy",
        "health test_web_api_failures.buggy",
    ]
    assert (second.planned, second.send.sent) == (2, 2)
    assert any(
        "It is morning in Europe/Berlin" in c.params["text"]
        for c in fake_slack.calls_to("chat.postMessage")
    )
