"""The outbox sends every planned message once, whatever Slack or a second replica does."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FixedClock
from bot.db import make_engine, make_session_factory
from bot.models import Delivery, DeliveryStatus
from bot.outbox import store
from bot.outbox.sender import MAX_ATTEMPTS, Sender, SendReport
from bot.slack.client import make_client
from tests.conftest import BOT_TOKEN, TEAM
from tests.support.fake_slack import FakeSlack


def plan(sessions: sessionmaker[Session], clock: FixedClock, key: str, **kwargs: object) -> bool:
    with sessions() as session:
        planned = store.enqueue(
            session,
            team_id=TEAM,
            key=key,
            message=store.Message(channel=str(kwargs.get("channel", "UANA")), text=f"hi {key}"),
            not_before=kwargs.get("not_before", clock.now()),  # type: ignore[arg-type]
        )
        session.commit()
        return planned


def rows(sessions: sessionmaker[Session]) -> dict[str, Delivery]:
    with sessions() as session:
        return {row.key: row for row in session.scalars(sa.select(Delivery))}


def bare_client(fake: FakeSlack) -> WebClient:
    """A client without retry handlers: the sender itself must handle what Slack answers."""
    return WebClient(token=BOT_TOKEN, base_url=fake.base_url, timeout=2)


def sent_keys(fake: FakeSlack) -> list[str]:
    return [
        call.params["metadata"]["event_payload"]["key"]
        for call in fake.calls_to("chat.postMessage")
        if call.response.get("ok")
    ]


def test_a_message_planned_twice_is_sent_once(sessions, clock, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    assert plan(sessions, clock, "welcome:1")
    assert not plan(sessions, clock, "welcome:1")
    sender = Sender(sessions, make_client(BOT_TOKEN, fake_slack.base_url), clock)

    first = sender.send_due()
    second = sender.send_due()

    assert (first.sent, second.sent) == (1, 0)
    assert sent_keys(fake_slack) == ["welcome:1"]
    row = rows(sessions)["welcome:1"]
    assert row.status == DeliveryStatus.SENT
    assert row.message_ts == fake_slack.calls_to("chat.postMessage")[0].response["ts"]
    assert row.message_channel.startswith("D")  # the DM Slack opened for the user
    assert row.sent_at == clock.now()


def test_a_message_waits_for_its_time(sessions, clock, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    plan(sessions, clock, "later", not_before=clock.now() + timedelta(hours=1))
    sender = Sender(sessions, bare_client(fake_slack), clock)

    assert sender.send_due().sent == 0
    clock.advance(timedelta(minutes=59))
    assert sender.send_due().sent == 0
    clock.advance(timedelta(minutes=1))
    assert sender.send_due().sent == 1
    assert sent_keys(fake_slack) == ["later"]


def test_two_senders_racing_send_each_message_once(db_url, engine, clock, fake_slack) -> None:
    """Two replicas (own engines, own sessions) drain one outbox at the same moment."""
    fake_slack.add_user("UANA", name="ana")
    keys = [f"prompt:{n}" for n in range(60)]
    setup = make_session_factory(engine)
    for key in keys:
        plan(setup, clock, key)
    replicas = [make_engine(db_url) for _ in range(2)]
    senders = [
        Sender(make_session_factory(e), bare_client(fake_slack), clock, batch_size=5)
        for e in replicas
    ]
    barrier = threading.Barrier(len(senders))
    reports = []

    def run(sender: Sender) -> None:
        barrier.wait()
        reports.append(sender.send_due())

    threads = [threading.Thread(target=run, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for replica in replicas:
        replica.dispose()

    assert sorted(sent_keys(fake_slack)) == sorted(keys)  # each exactly once
    assert sum(report.sent for report in reports) == len(keys)
    assert all(row.status == DeliveryStatus.SENT for row in rows(setup).values())


def test_a_429_with_retry_after_is_waited_out_by_the_client(sessions, clock, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    plan(sessions, clock, "k")
    fake_slack.rate_limit("chat.postMessage", retry_after=1, times=1)
    sender = Sender(sessions, make_client(BOT_TOKEN, fake_slack.base_url), clock)

    report = sender.send_due()

    calls = fake_slack.calls_to("chat.postMessage")
    assert [call.status for call in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0  # Retry-After was honoured
    assert report.sent == 1
    assert rows(sessions)["k"].status == DeliveryStatus.SENT


def test_a_lasting_429_defers_by_retry_after_without_spending_a_try(
    sessions, clock, fake_slack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    plan(sessions, clock, "k")
    fake_slack.rate_limit("chat.postMessage", retry_after=7, times=1)
    sender = Sender(sessions, bare_client(fake_slack), clock)

    report = sender.send_due()

    assert (report.sent, report.deferred, report.failed) == (0, 1, 0)
    row = rows(sessions)["k"]
    assert row.status == DeliveryStatus.PENDING
    assert row.not_before == clock.now() + timedelta(seconds=7)
    assert row.attempts == 0
    clock.advance(timedelta(seconds=6))
    assert sender.send_due().sent == 0
    clock.advance(timedelta(seconds=1))
    assert sender.send_due().sent == 1
    assert sent_keys(fake_slack) == ["k"]


def test_a_terminal_error_is_recorded_and_never_retried(sessions, clock, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    plan(sessions, clock, "gone")
    plan(sessions, clock, "fine")
    fake_slack.fail("chat.postMessage", "account_inactive", times=1)
    sender = Sender(sessions, bare_client(fake_slack), clock)

    report = sender.send_due()
    clock.advance(timedelta(days=2))
    later = sender.send_due()

    assert (report.sent, report.failed) == (1, 1)
    assert later.sent == later.failed == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    gone = rows(sessions)["gone"]
    assert gone.status == DeliveryStatus.FAILED
    assert gone.last_error == "account_inactive"
    assert rows(sessions)["fine"].status == DeliveryStatus.SENT


def test_server_errors_are_retried_with_backoff_then_given_up(sessions, clock, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    plan(sessions, clock, "k")
    fake_slack.http_error("chat.postMessage", 503, times=1)
    sender = Sender(sessions, bare_client(fake_slack), clock)

    assert sender.send_due().deferred == 1
    row = rows(sessions)["k"]
    assert row.status == DeliveryStatus.PENDING
    assert row.not_before == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=30))
    assert sender.send_due().sent == 1

    plan(sessions, clock, "doomed")
    fake_slack.http_error("chat.postMessage", 500, times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        sender.send_due()
        clock.advance(timedelta(hours=1))
    doomed = rows(sessions)["doomed"]
    assert doomed.status == DeliveryStatus.FAILED
    assert doomed.attempts == MAX_ATTEMPTS
    assert doomed.last_error.startswith(f"gave up after {MAX_ATTEMPTS} tries")


def test_a_refused_token_pauses_sending_and_keeps_every_message(
    sessions, clock, fake_slack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    for n in range(3):
        plan(sessions, clock, f"k{n}")
    fake_slack.fail("chat.postMessage", "invalid_auth", times=1)
    sender = Sender(sessions, bare_client(fake_slack), clock)

    report = sender.send_due()

    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # stopped at the first refusal
    assert (report.sent, report.deferred, report.failed) == (0, 3, 0)
    assert {row.status for row in rows(sessions).values()} == {DeliveryStatus.PENDING}
    assert {row.attempts for row in rows(sessions).values()} == {0}
    clock.advance(timedelta(minutes=1))
    assert sender.send_due().sent == 3


def test_a_sender_that_died_mid_send_leaves_rows_for_another_after_the_lease(
    sessions, clock, fake_slack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    plan(sessions, clock, "k")
    with sessions() as session:  # a replica claims the row, then is killed before sending
        claimed = store.claim(session, now=clock.now(), worker="dead", limit=10)
    assert [row.key for row in claimed] == ["k"]
    survivor = Sender(sessions, bare_client(fake_slack), clock)

    assert survivor.send_due().sent == 0  # the lease still holds
    clock.advance(store.DEFAULT_LEASE + timedelta(seconds=1))
    assert survivor.send_due().sent == 1
    assert survivor.send_due().sent == 0
    assert sent_keys(fake_slack) == ["k"]


def test_a_slack_timeout_defers_the_message(sessions, clock, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    plan(sessions, clock, "k")
    fake_slack.delay("chat.postMessage", 1.5, times=3)
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url, timeout=0.5)
    client.retry_handlers.clear()
    sender = Sender(sessions, client, clock)

    report = sender.send_due()

    assert report.deferred == 1
    row = rows(sessions)["k"]
    assert row.status == DeliveryStatus.PENDING
    assert row.last_error.startswith("network")


@pytest.mark.parametrize("key", ["", "x" * 201])
def test_a_key_that_does_not_fit_is_refused_before_anything_is_stored(sessions, clock, key) -> None:
    with sessions() as session, pytest.raises(ValueError, match="delivery key"):
        store.enqueue(
            session,
            team_id=TEAM,
            key=key,
            message=store.Message("UANA", "x"),
            not_before=clock.now(),
        )
    assert rows(sessions) == {}


def test_a_sender_killed_mid_batch_loses_nothing_and_repeats_nothing(
    sessions, clock, fake_slack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    keys = [f"prompt:{n}" for n in range(10)]
    for key in keys:
        plan(sessions, clock, key)
    doomed = Sender(sessions, bare_client(fake_slack), clock, worker="doomed")
    with sessions() as session:
        batch = store.claim(session, now=clock.now(), worker="doomed", limit=10)
        for row in batch[:3]:  # sends three, then the process is killed
            doomed._send_one(session, row, SendReport())
    survivor = Sender(sessions, bare_client(fake_slack), clock, worker="survivor")

    assert survivor.send_due().sent == 0  # the dead sender's lease still holds
    clock.advance(store.DEFAULT_LEASE + timedelta(seconds=1))
    assert survivor.send_due().sent == 7

    assert sorted(sent_keys(fake_slack)) == sorted(keys)
    assert {row.status for row in rows(sessions).values()} == {DeliveryStatus.SENT}


def test_a_429_storm_delays_but_never_loses_or_repeats(sessions, clock, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    keys = [f"storm:{n}" for n in range(30)]
    for key in keys:
        plan(sessions, clock, key)
    fake_slack.rate_limit("chat.postMessage", retry_after=3, times=25)
    sender = Sender(sessions, bare_client(fake_slack), clock, batch_size=10)

    passes = 0
    while rows(sessions) and any(r.status != DeliveryStatus.SENT for r in rows(sessions).values()):
        sender.send_due()
        clock.advance(timedelta(seconds=3))
        passes += 1
        assert passes < 40, "the storm never ended"

    assert sorted(sent_keys(fake_slack)) == sorted(keys)
    assert all(r.attempts <= 1 for r in rows(sessions).values())  # 429s spend no tries


def test_a_file_is_uploaded_once_to_the_persons_dm_after_a_failed_try(
    sessions, clock, fake_slack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    calendar = {"filename": "kickoff.ics", "title": "Kickoff", "content": "BEGIN:VCALENDAR"}
    with sessions() as session:
        store.enqueue(
            session,
            team_id=TEAM,
            key="kickoff-ics:1",
            message=store.Message("UANA", "Add it to your calendar:", file=calendar),
            not_before=clock.now(),
        )
        session.commit()
    fake_slack.fail("files.completeUploadExternal", "internal_error", status=500, times=1)
    sender = Sender(sessions, bare_client(fake_slack), clock)

    assert sender.send_due().sent == 0  # Slack failed: put back for later
    clock.advance(timedelta(minutes=10))
    assert sender.send_due().sent == 1
    assert sender.send_due().sent == 0

    [uploaded] = fake_slack.files.values()
    assert uploaded["filename"] == "kickoff.ics" and uploaded["content"] == b"BEGIN:VCALENDAR"
    assert uploaded["channel_id"].startswith("D")  # shared in Ana's DM, not to a user id
    assert fake_slack.calls_to("chat.postMessage") == []
    assert rows(sessions)["kickoff-ics:1"].status == DeliveryStatus.SENT
