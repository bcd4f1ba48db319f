"""Several bot processes on one database: every message planned and sent exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from bot.bootstrap import build_services
from bot.clock import FixedClock
from bot.db import make_engine
from bot.models import Pairing, PairingMember, PairingStatus, Participant, ParticipantRole
from bot.outbox.pacing import Pacer
from tests.conftest import TEAM
from tests.factories import make_program
from tests.support.fake_slack import FakeSlack


def test_three_replicas_ticking_together_send_each_weekly_prompt_once(
    db_url, engine, settings, fake_slack: FakeSlack
) -> None:
    program = make_program(
        build_services(settings, engine=engine).sessions,
        "Digital Pilot",
        start_date=date(2026, 11, 30),
        length_weeks=4,
    )
    with build_services(settings, engine=engine).sessions() as session:
        for n in range(30):
            people = [
                Participant(
                    team_id=TEAM,
                    program_id=program.id,
                    user_id=f"U{n:03d}{role.value.upper()}",
                    role=role,
                    timezone="Europe/Berlin",
                    consent=True,
                )
                for role in (ParticipantRole.MENTOR, ParticipantRole.MENTEE)
            ]
            session.add_all(people)
            session.flush()
            pairing = Pairing(
                team_id=TEAM,
                program_id=program.id,
                status=PairingStatus.ACTIVE,
                channel_id=f"G{n:04d}",
                introduced_at=datetime(2026, 11, 29, tzinfo=UTC),
            )
            pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
            session.add(pairing)
        session.commit()

    engines = [make_engine(db_url) for _ in range(3)]
    clocks = [FixedClock(datetime(2026, 11, 30, 8, 30, tzinfo=UTC)) for _ in engines]
    replicas = [
        build_services(settings, engine=e, clock=c, pacer=Pacer.unlimited())
        for e, c in zip(engines, clocks, strict=True)
    ]
    for week in range(3):  # three weeks of the program, all replicas ticking at each instant
        for clock in clocks:
            clock.set(datetime(2026, 11, 30, 8, 30, tzinfo=UTC) + timedelta(weeks=week))
        barrier = threading.Barrier(len(replicas))

        def tick(replica, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            replica.tick()

        threads = [threading.Thread(target=tick, args=(r,)) for r in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    for e in engines:
        e.dispose()

    sent = Counter(
        call.params["metadata"]["event_payload"]["key"]
        for call in fake_slack.calls_to("chat.postMessage")
        if call.status == 200
    )
    prompts = {k: v for k, v in sent.items() if k.startswith("weekly-prompt:")}
    assert len(prompts) == 30 * 3
    assert set(prompts.values()) == {1}
