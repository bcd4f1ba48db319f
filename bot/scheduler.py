"""The tick: plan what is due, apply the health rules, send the outbox.

Every replica runs one APScheduler job with an in-memory store (the job is static); the
database coordinates the replicas, so the tick can run anywhere, twice, or late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from bot import health, planner
from bot.clock import Clock
from bot.db import unit_of_work
from bot.outbox.sender import Sender, SendReport

log = logging.getLogger(__name__)

TICK_JOB_ID = "tick"
T = TypeVar("T")


@dataclass
class TickReport:
    at: datetime
    planned: int = 0
    flags: int = 0
    send: SendReport = field(default_factory=SendReport)
    failures: list[str] = field(default_factory=list)  # steps that raised

    def summary(self) -> str:
        text = (
            f"tick at {self.at.isoformat()}: planned {self.planned}, flags {self.flags}, "
            f"sent {self.send.sent}, deferred {self.send.deferred}, failed {self.send.failed}"
        )
        if self.failures:
            text += f"; steps that failed: {', '.join(self.failures)}"
        return text


def run_tick(
    sessions: sessionmaker[Session],
    sender: Sender,
    clock: Clock,
    planners: Sequence[planner.Planner] = (),
    rules: Sequence[health.Rule] = (),
) -> TickReport:
    """One pass at the clock's instant. A failing step is logged, rolled back and skipped: the
    tick itself never dies."""
    now = clock.now()
    report = TickReport(at=now)

    def step(name: str, work: Callable[[], T], default: T) -> T:
        try:
            return work()
        except Exception:
            log.exception("%s failed at %s", name, now)
            report.failures.append(name)
            return default

    def in_transaction(work: Callable[[Session], int]) -> Callable[[], int]:
        def run() -> int:
            with unit_of_work(sessions) as session:
                return work(session)

        return run

    report.planned = step(
        "planner", in_transaction(lambda s: planner.plan_due(s, now, planners)), 0
    )
    report.flags = step("health", in_transaction(lambda s: health.evaluate(s, now, rules)), 0)
    report.send = step("sender", sender.send_due, SendReport())
    return report


def start_scheduler(tick: Callable[[], object], seconds: int) -> BackgroundScheduler:
    """One job, coalesced, never overlapping itself; a late run is still worth doing."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=seconds),
        id=TICK_JOB_ID,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=max(seconds, 30),
        replace_existing=True,
    )
    scheduler.start()
    return scheduler
