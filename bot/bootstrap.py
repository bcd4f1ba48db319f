"""Wires the parts together in one place, so tests can swap any of them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import make_engine, make_session_factory
from bot.health import Rule
from bot.matching.proposals import record_channel
from bot.models import Delivery
from bot.outbox.pacing import Pacer
from bot.outbox.send_soon import SendSoon
from bot.outbox.sender import Sender
from bot.planner import Planner
from bot.scheduler import TickReport, run_tick
from bot.seen import Recorder
from bot.slack.client import answering_client, make_client

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    client: WebClient
    planners: Sequence[Planner] = ()
    rules: Sequence[Rule] = ()
    pacer: Pacer | None = None  # None: Slack's limits (see bot.outbox.pacing)
    outbox: Sender = field(init=False)  # this process's sender (the tick and send-soon share it)
    send_soon: SendSoon = field(init=False)
    background: ThreadPoolExecutor = field(init=False)
    seen: Recorder = field(init=False)  # request ids already handled (bot.seen)
    # For Slack calls a person watches a form wait on: fails fast (bot.slack.client).
    answering: WebClient = field(init=False)
    # Hands a follow-up to the work process (bot.slack.deferral); False: no room, do it here.
    hand_over: Callable[[str, tuple[Any, ...]], bool] | None = None

    def __post_init__(self) -> None:
        self.pacer = self.pacer or Pacer()
        self.outbox = self.sender()
        self.send_soon = SendSoon(self.outbox.send_due)
        # Work that cannot finish inside Slack's 3 s runs here after the ack.
        self.background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack")
        self.seen = Recorder(self.sessions)
        self.answering = answering_client(self.client)

    def later(self, work: Callable[[], object]) -> None:
        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("work after the acknowledgement failed")

        self.background.submit(run)

    def follow_up(self, name: str, *args: Any) -> None:
        """Work a listener leaves once it has answered (bot.slack.follow_ups): handed to the
        work process when there is one, else done here after the ack."""
        if self.hand_over is not None and self.hand_over(name, args):
            return
        from bot.slack.follow_ups import run_follow_up

        self.later(lambda: run_follow_up(self, name, args))

    def sender(self) -> Sender:
        return Sender(self.sessions, self.client, self.clock, on_sent=_on_sent, pacer=self.pacer)

    def tick(self) -> TickReport:
        """One scheduler pass at the clock's instant (the job, and `python app.py tick`)."""
        return run_tick(self.sessions, self.outbox, self.clock, self.planners, self.rules)


def _on_sent(session: Session, row: Delivery, channel: str, ts: str) -> None:
    """What a sent message means for the domain, recorded with it."""
    record_channel(session, row.key, channel)


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    client: WebClient | None = None,
    pacer: Pacer | None = None,
) -> Services:
    from bot.slack import planning  # the Slack layer renders what is planned

    engine = engine or make_engine(settings.database_url)
    client = client or make_client(settings.slack_bot_token, settings.slack_api_url)
    return Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        clock=clock or SystemClock(),
        client=client,
        planners=planning.planners(settings.organizers, client),
        rules=planning.rules(settings.organizers, client),
        pacer=pacer,
    )
