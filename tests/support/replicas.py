"""A realistic program run by several real bot processes ticking together.

`seed_program` writes a twelve-week program with pairs in two time zones, meetings booked,
held and missed, a pair that never meets (so it stalls and organizers are told) and a win.
`run_replicas` starts N OS processes (multiprocessing, spawn: nothing is shared but the
database and the fake Slack); each builds its own Services with its own clock and, at every
instant, waits at a barrier for the others, then ticks.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.models import (
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
    ProgramStatus,
    Win,
    WinSharing,
)

START_DAY = date(2026, 11, 30)  # a Monday
WEEKS = 12
# UTC hours: Berlin mornings (prompts, reminders), 10:00 in Berlin and in New York (check-ins),
# midday (meetings over, "did you meet?") and the evening.
TICK_HOURS = (8, 9, 12, 15, 18)
TEAM = "T0TEAM"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


@dataclass(frozen=True)
class Person:
    user_id: str
    timezone: str


def pairs(count: int) -> list[tuple[Person, Person]]:
    return [
        (
            Person(f"UMENTOR{n}", BERLIN if n % 2 else NEW_YORK),
            Person(f"UMENTEE{n}", BERLIN if n % 3 else NEW_YORK),
        )
        for n in range(count)
    ]


def instants(
    first: date = START_DAY, weeks: int = WEEKS, hours: tuple[int, ...] = TICK_HOURS
) -> list[datetime]:
    """Every tick of the program, and of the two days after it (the closing messages)."""
    days = weeks * 7 + 2
    return [
        datetime.combine(first + timedelta(days=d), time(h), tzinfo=UTC)
        for d in range(days)
        for h in hours
    ]


def seed_program(sessions: sessionmaker[Session], program_id: int, count: int = 6) -> list[str]:
    """`count` pairs, meetings and a win for a program made by the factory; returns every
    user id. Pair 0 never meets; pair 5 has no group DM of its own."""
    with sessions() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.status = ProgramStatus.RUNNING
        introduced = datetime(2026, 11, 27, 12, tzinfo=UTC)
        users: list[str] = []
        for n, pair in enumerate(pairs(count)):
            people = [
                Participant(
                    team_id=TEAM,
                    program_id=program_id,
                    user_id=person.user_id,
                    display_name=person.user_id.title(),
                    role=role,
                    timezone=person.timezone,
                    consent=True,
                    skills_offered=["slack" if role is ParticipantRole.MENTOR else "strategy"],
                    skills_wanted=["strategy" if role is ParticipantRole.MENTOR else "slack"],
                )
                for person, role in zip(
                    pair, (ParticipantRole.MENTOR, ParticipantRole.MENTEE), strict=True
                )
            ]
            users += [person.user_id for person in pair]
            session.add_all(people)
            session.flush()
            pairing = Pairing(
                team_id=TEAM,
                program_id=program_id,
                status=PairingStatus.ACTIVE,
                channel_id=f"GPAIR{n:04d}" if n != 5 else None,  # one pair has no group DM
                introduced_at=introduced,
                created_at=introduced,
            )
            pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
            session.add(pairing)
            session.flush()
            if n == 0:
                continue  # never meets: nudged, then flagged to organizers
            for week in range(0, WEEKS, 1 + n % 3):
                starts = datetime.combine(
                    START_DAY + timedelta(weeks=week, days=1 + n % 4), time(11), tzinfo=UTC
                )
                held = week < 2
                session.add(
                    Meeting(
                        team_id=TEAM,
                        pairing_id=pairing.id,
                        status=MeetingStatus.HELD if held else MeetingStatus.CONFIRMED,
                        proposed_by=people[0].user_id,
                        starts_at=starts,
                        duration_minutes=45,
                        minutes_held=45 if held else None,
                        created_at=introduced,
                        updated_at=introduced,
                    )
                )
            if n == 1:
                session.add(
                    Win(
                        team_id=TEAM,
                        program_id=program_id,
                        participant_id=people[0].id,
                        pairing_id=pairing.id,
                        text="We automated the weekly report together",
                        sharing=WinSharing.ORGANIZERS,
                        created_at=datetime(2026, 12, 2, 12, tzinfo=UTC),
                    )
                )
        session.commit()
        return users


# -- the replicas ------------------------------------------------------------------------------


def replica_main(
    index: int,
    values: dict[str, str],
    ticks: list[datetime],
    barrier: Any,
    results: Any,
) -> None:
    """One bot process: its own engine, client and clock; ticks at each instant with the
    others. Puts (index, ticks run, messages sent, failures) on `results`."""
    from bot.bootstrap import build_services
    from bot.clock import FixedClock
    from bot.config import parse_settings
    from bot.outbox.pacing import Pacer

    logging.basicConfig(level=logging.WARNING)
    services = None
    try:
        clock = FixedClock(ticks[0])
        services = build_services(parse_settings(values), clock=clock, pacer=Pacer.unlimited())
        sent, failures = 0, []
        for instant in ticks:
            clock.set(instant)
            barrier.wait(timeout=120)
            report = services.tick()
            sent += report.send.sent
            failures += [f"{instant.isoformat()}: {name}" for name in report.failures]
        results.put((index, len(ticks), sent, failures))
    except BaseException:
        barrier.abort()
        results.put((index, 0, 0, [traceback.format_exc()]))
    finally:
        if services is not None:
            services.background.shutdown(wait=False)
            services.engine.dispose()


def run_replicas(
    values: dict[str, str], ticks: list[datetime], count: int = 3, timeout: float = 300
) -> list[tuple[int, int, int, list[str]]]:
    """Run `count` replica processes over `ticks`; their reports, by index."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(count)
    results = context.Queue()
    processes = [
        context.Process(
            target=replica_main,
            args=(index, values, ticks, barrier, results),
            name=f"replica-{index}",
        )
        for index in range(count)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=timeout) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
    return sorted(reports)
