"""A member deactivated in Slack: their enrolment stops, and organizers hear about the pair."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bot.models import (
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
)
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.support.waiting import eventually


def test_a_deactivated_member_is_flagged_to_organizers(bot: RunningBot) -> None:
    for user in ("UANA", "UBEN"):
        bot.fake.add_user(user, name=user.lower())
    program = make_program(
        bot.services.sessions, "Digital Pilot", start_date=date(2026, 11, 30), length_weeks=8
    )
    with bot.services.sessions() as session:
        people = [
            Participant(team_id=TEAM, program_id=program.id, user_id=u, role=r, consent=True)
            for u, r in (("UANA", ParticipantRole.MENTOR), ("UBEN", ParticipantRole.MENTEE))
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(
            team_id=TEAM,
            program_id=program.id,
            status=PairingStatus.ACTIVE,
            channel_id="G0PAIR",
            introduced_at=datetime(2026, 11, 29, tzinfo=UTC),
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.commit()

    still_here = bot.slack.event({"type": "user_change", "user": {"id": "UBEN", "deleted": False}})
    gone = bot.slack.event({"type": "user_change", "user": {"id": "UANA", "deleted": True}})
    assert still_here.status == gone.status == 200

    def status_of(user: str) -> ParticipantStatus:
        with bot.services.sessions() as session:
            return session.scalar(sa.select(Participant.status).where(Participant.user_id == user))

    eventually(lambda: status_of("UANA") is ParticipantStatus.DEACTIVATED, what="deactivation")
    assert status_of("UBEN") is ParticipantStatus.ACTIVE

    bot.services.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC) + timedelta(hours=1))
    bot.services.tick()
    to_organizer = [
        c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "UORGANIZER"
    ]
    assert to_organizer, "organizers should hear that the pair needs them"
    assert "<@UANA> was deactivated in Slack" in json.dumps(to_organizer[-1].params)
