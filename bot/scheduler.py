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

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from bot import health, planner
from bot.clock import Clock
from bot.db import DatabaseUnavailable, unit_of_work
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
        if self.send.recovered:
            text += f" ({self.send.recovered} found already in Slack, not sent again)"
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
    """One pass at the clock's instant. Each planner and each rule runs in a transaction of its
    own: one that fails is logged, rolled back and skipped, and the others still plan, check
    and send; the tick itself never dies. When the database does not answer at all, the rest
    of the pass is skipped with a warning and the next tick starts afresh."""
    now = clock.now()
    report = TickReport(at=now)
    down: list[str] = []

    def step(name: str, work: Callable[[], T], default: T) -> T:
        if down:
            return default
        try:
            return work()
        except Exception as error:
            report.failures.append(name)
            if _database_down(error):
                down.append(name)
                log.warning(
                    "the database did not answer during %s at %s (%s); the rest of this tick "
                    "is skipped and the next one tries again",
                    name,
                    now,
                    _first_line(error),
                )
            else:
                log.exception("%s failed at %s", name, now)
            return default

    def in_transaction(work: Callable[[Session], int]) -> Callable[[], int]:
        def run() -> int:
            with unit_of_work(sessions) as session:
                return work(session)

        return run

    for plan in planners:
        report.planned += step(
            f"planner {_name(plan)}",
            in_transaction(lambda s, plan=plan: planner.plan_due(s, now, [plan])),
            0,
        )
    for rule in rules:
        report.flags += step(
            f"health {_name(rule)}",
            in_transaction(lambda s, rule=rule: health.evaluate(s, now, [rule])),
            0,
        )
    report.send = step("sender", sender.send_due, SendReport())
    return report


def _name(work: Callable[..., object]) -> str:
    """`prompts.plan`, `health.rule`: enough to find the code from a log line."""
    module = str(getattr(work, "__module__", "") or "").rsplit(".", 1)[-1]
    name = str(getattr(work, "__name__", "") or type(work).__name__)
    return f"{module}.{name}" if module else name


def _database_down(error: BaseException) -> bool:
    """No connection at all (not a deadlock or a constraint): later steps would fail too."""
    if isinstance(error, (DatabaseUnavailable, sa.exc.InterfaceError)):
        return True
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, sa.exc.OperationalError) and not getattr(error.orig, "sqlstate", None)


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0]}" if lines else type(original).__name__


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
