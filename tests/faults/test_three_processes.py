"""Three bot processes on one PostgreSQL database, ticking at the same instants for a whole
twelve-week program: every message is sent exactly once, and as many as one process sends."""

from __future__ import annotations

import time
from collections import Counter

import sqlalchemy as sa

from bot.bootstrap import build_services
from bot.clock import FixedClock
from bot.db import make_engine
from bot.migrate import upgrade
from bot.models import Delivery, DeliveryStatus
from bot.outbox.pacing import Pacer
from tests.conftest import BOT_TOKEN, TEAM, settings_for
from tests.factories import make_program
from tests.faults.conftest import drop_schema, new_schema
from tests.support import replicas
from tests.support.fake_slack import FakeSlack

# UTC: 10:00 in Berlin and in New York, when check-ins are due; every other message of the
# program is due by then too (more instants a day send the same messages, only slower).
HOURS = (9, 15)


def posted_keys(fake: FakeSlack) -> Counter[str]:
    """Each delivery key Slack accepted, with how many times."""
    return Counter(
        call.params["metadata"]["event_payload"]["key"]
        for call in fake.calls_to("chat.postMessage")
        if call.status == 200 and call.response.get("ok")
    )


def kinds(keys: Counter[str]) -> Counter[str]:
    """`checkin`, `weekly-prompt`...: keys carry database ids, which differ between runs."""
    found: Counter[str] = Counter()
    for key, times in keys.items():
        found[key.split(":")[0]] += times
    return found


def prepare(url: str, fake: FakeSlack) -> None:
    engine = make_engine(url)
    upgrade(engine)
    services = build_services(settings_for(url, fake), engine=engine)
    program = make_program(
        services.sessions,
        "Digital Pilot",
        start_date=replicas.START_DAY,
        length_weeks=replicas.WEEKS,
    )
    for user in replicas.seed_program(services.sessions, program.id):
        fake.add_user(user, name=user.lower())
    services.background.shutdown(wait=False)
    engine.dispose()


def statuses(url: str) -> Counter[DeliveryStatus]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = Counter(connection.scalars(sa.select(Delivery.status)))
    engine.dispose()
    return found


def single_process_run(ticks: list) -> Counter[str]:
    """The same program ticked by one process: the count to match."""
    schema, url = new_schema()
    fake = FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM).start()
    fake.add_user("UORGANIZER", name="olivia")
    try:
        prepare(url, fake)
        services = build_services(
            settings_for(url, fake), clock=FixedClock(ticks[0]), pacer=Pacer.unlimited()
        )
        for instant in ticks:
            services.clock.set(instant)
            report = services.tick()
            assert not report.failures, report.summary()
        services.background.shutdown(wait=False)
        services.engine.dispose()
        return posted_keys(fake)
    finally:
        fake.stop()
        drop_schema(schema)


def test_three_processes_ticking_together_send_every_message_once(
    pg_url: str, fake_slack: FakeSlack
) -> None:
    ticks = replicas.instants(hours=HOURS)
    prepare(pg_url, fake_slack)
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": pg_url,
        "MENTORING_ORGANIZERS": "UORGANIZER",
    }

    started = time.monotonic()
    reports = replicas.run_replicas(values, ticks, count=3)
    took = time.monotonic() - started

    for index, ran, _, failures in reports:
        assert not failures, f"replica {index}: {failures}"
        assert ran == len(ticks)
    sent = posted_keys(fake_slack)
    repeated = {key: times for key, times in sent.items() if times > 1}
    assert not repeated, f"sent more than once: {repeated}"
    assert sum(report[2] for report in reports) == sum(sent.values())  # no replica lied
    assert statuses(pg_url) == Counter({DeliveryStatus.SENT: sum(sent.values())})
    # A real program: every kind of message, and as many as a single process sends.
    alone = single_process_run(ticks)
    assert kinds(sent) == kinds(alone)
    assert {"weekly-prompt", "checkin", "checkin-reminder", "survey", "meeting-reminder"} <= set(
        kinds(sent)
    )
    assert {"did-you-meet", "nudge", "flag", "program-end", "wins-digest"} <= set(kinds(sent))
    print(
        f"\n3 processes x {len(ticks)} ticks: {sum(sent.values())} messages, "
        f"each once, in {took:.1f}s (one process alone: {sum(alone.values())})"
    )
