"""The tick plans, checks health and sends; one failing step never stops it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import Delivery, DeliveryStatus
from bot.outbox import store
from bot.scheduler import TICK_JOB_ID, run_tick, start_scheduler
from tests.conftest import TEAM


def weekly_hello(session: Session, now: datetime) -> int:
    week = now.isocalendar()
    planned = store.enqueue(
        session,
        team_id=TEAM,
        key=f"hello:{week.year}-W{week.week:02d}",
        message=store.Message("UANA", "Hello for this week"),
        not_before=now,
    )
    return int(planned)


def broken(session: Session, now: datetime) -> int:
    store.enqueue(
        session,
        team_id=TEAM,
        key="half-planned",
        message=store.Message("UANA", "never sent"),
        not_before=now,
    )
    raise RuntimeError("a bug in a rule")


def test_a_tick_plans_and_sends_once_even_when_run_twice_at_one_instant(
    services, fake_slack
) -> None:
    fake_slack.add_user("UANA", name="ana")
    sender = services.sender()

    first = run_tick(services.sessions, sender, services.clock, [weekly_hello])
    second = run_tick(services.sessions, sender, services.clock, [weekly_hello])

    assert (first.planned, first.send.sent) == (1, 1)
    assert (second.planned, second.send.sent) == (0, 0)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert "planned 1" in first.summary()


def test_a_failing_step_is_reported_and_the_rest_still_runs(services, fake_slack) -> None:
    fake_slack.add_user("UANA", name="ana")
    with services.sessions() as session:
        store.enqueue(
            session,
            team_id=TEAM,
            key="already-planned",
            message=store.Message("UANA", "hi"),
            not_before=services.clock.now(),
        )
        session.commit()

    report = run_tick(
        services.sessions, services.sender(), services.clock, [broken, weekly_hello], [broken]
    )

    assert report.failures == ["planner test_scheduler.broken", "health test_scheduler.broken"]
    assert report.planned == 1  # the planner after the broken one still planned
    assert report.send.sent == 2  # and the sender still ran
    with services.sessions() as session:
        # the broken planner rolled back its own work: nothing half-planned
        rows = session.execute(sa.select(Delivery.key, Delivery.status)).all()
    assert sorted(rows) == [
        ("already-planned", DeliveryStatus.SENT),
        ("hello:2026-W49", DeliveryStatus.SENT),
    ]


def test_the_scheduler_runs_one_coalesced_tick_job() -> None:
    scheduler = start_scheduler(lambda: None, 60)
    try:
        [job] = scheduler.get_jobs()
        assert job.id == TICK_JOB_ID
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.trigger.interval.total_seconds() == 60
    finally:
        scheduler.shutdown(wait=False)
