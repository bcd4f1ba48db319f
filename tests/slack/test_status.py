"""`/mentoring status`: organizers see a program's health with working flag buttons; others see
their own pairing; the figures cost the same few queries at any size."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from bot import status
from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Flag,
    FlagReason,
    FlagSeverity,
    FlagStatus,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
)
from bot.slack import ids
from bot.slack.commands.status import send_full_lists
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def build(sessions, pairs: int, *, flags: int = 0, name: str = "Digital Pilot") -> Program:
    """A program three weeks in: `pairs` active pairs meeting weekly, answering check-ins."""
    program = make_program(sessions, name, start_date=date(2026, 11, 30), length_weeks=8)
    with sessions() as session:
        program = session.get(Program, program.id)
        program.start_date = date(2026, 11, 9)  # started three weeks ago
        for n in range(pairs):
            people = [
                Participant(
                    team_id=TEAM,
                    program_id=program.id,
                    user_id=f"U{name[:1]}{n:03d}{r.value.upper()}",
                    role=r,
                    consent=True,
                )
                for r in (ParticipantRole.MENTOR, ParticipantRole.MENTEE)
            ]
            session.add_all(people)
            session.flush()
            pairing = Pairing(
                team_id=TEAM,
                program_id=program.id,
                status=PairingStatus.ACTIVE,
                introduced_at=NOW - timedelta(weeks=3),
            )
            pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
            session.add(pairing)
            session.flush()
            for week in range(3):
                session.add(
                    Meeting(
                        team_id=TEAM,
                        pairing_id=pairing.id,
                        proposed_by=people[0].user_id,
                        starts_at=NOW - timedelta(weeks=3 - week, hours=-2),
                        duration_minutes=60,
                        status=MeetingStatus.HELD,
                        minutes_held=60,
                    )
                )
                for k, person in enumerate(people):
                    session.add(
                        Checkin(
                            team_id=TEAM,
                            participant_id=person.id,
                            pairing_id=pairing.id,
                            period_start=date(2026, 11, 9) + timedelta(weeks=week),
                            mood=3 + (week if k == 0 else 0) % 3,
                            met=True,
                            answered_at=NOW if (n + k) % 4 else None,
                        )
                    )
            if n < flags:
                session.add(
                    Flag(
                        team_id=TEAM,
                        program_id=program.id,
                        pairing_id=pairing.id,
                        reason=FlagReason.NO_MEETING,
                        severity=FlagSeverity.STALLED if n % 2 == 0 else FlagSeverity.AT_RISK,
                        status=FlagStatus.OPEN,
                        detail="No meeting for 3 weeks",
                        started_at=NOW - timedelta(weeks=2),
                        raised_at=NOW - timedelta(weeks=1),
                    )
                )
        session.commit()
        return program


def test_an_organizer_sees_the_programs_health_with_working_buttons(bot: RunningBot) -> None:
    program = build(bot.services.sessions, 5, flags=2)
    with bot.services.sessions() as session:
        paused = session.scalars(sa.select(Pairing).order_by(Pairing.id.desc())).first()
        paused.status = PairingStatus.PAUSED
        session.add(
            Delivery(
                team_id=TEAM,
                key="welcome:9:1",
                program_id=program.id,
                channel="UGONE",
                text="hi",
                status=DeliveryStatus.FAILED,
                not_before=NOW,
                last_error="account_inactive",
            )
        )
        session.commit()

    reply = bot.answer(bot.slack.command("status digital pilot", user_id="UORGANIZER"))

    assert block_kit_problems(reply, "message") == []
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "2 on track · 1 at risk · 1 stalled · 1 paused · 0 ended" in shown
    assert "15 meetings, 15 h" in shown  # 5 pairs x 3 weeks x 60 minutes
    assert "answered (" in shown and "Mood" in shown
    assert "<@UGONE>: account_inactive" in shown
    assert "No meetings" in shown and "stalled" in shown
    flag_buttons = [
        e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert ids.FLAG_PAUSE in flag_buttons and ids.FLAG_DISMISS in flag_buttons

    with bot.services.sessions() as session:
        flag = session.scalars(sa.select(Flag).order_by(Flag.id)).first()
    bot.slack.block_action(ids.FLAG_PAUSE, user_id="UORGANIZER", value=str(flag.id))

    def paused_now() -> bool:
        with bot.services.sessions() as session:
            return session.get(Pairing, flag.pairing_id).status is PairingStatus.PAUSED

    from tests.support.waiting import eventually

    eventually(paused_now, what="the pairing to be paused from the status view")


def test_participants_see_their_own_pairing(bot: RunningBot) -> None:
    build(bot.services.sessions, 2)
    with bot.services.sessions() as session:
        pairing = session.scalars(sa.select(Pairing).order_by(Pairing.id)).first()
        session.add(
            Meeting(
                team_id=TEAM,
                pairing_id=pairing.id,
                proposed_by="UD000MENTOR",
                starts_at=NOW + timedelta(days=2),
                duration_minutes=45,
                status=MeetingStatus.CONFIRMED,
            )
        )
        session.commit()
    reply = bot.answer(bot.slack.command("status", user_id="UD000MENTEE"))
    text = json.dumps(reply["blocks"])
    assert "with <@UD000MENTOR>" in text  # the mentee's partner is the mentor
    assert "3 meetings, 180 minutes" in text
    assert f"<!date^{int((NOW + timedelta(days=2)).timestamp())}^" in text
    assert "on track" not in text  # no organizer figures for participants
    nobody = bot.answer(bot.slack.command("status", user_id="UNOBODY"))
    assert "not in a pairing right now" in nobody["text"]


def test_several_programs_at_a_glance(bot: RunningBot) -> None:
    build(bot.services.sessions, 1, name="Alpha")
    build(bot.services.sessions, 1, name="Beta")
    reply = bot.answer(bot.slack.command("status", user_id="UORGANIZER"))
    text = json.dumps(reply["blocks"])
    assert "*Alpha*" in text and "*Beta*" in text
    assert block_kit_problems(reply, "message") == []


def test_a_big_program_stays_within_limits_and_sends_every_flag_as_csv(bot) -> None:
    build(bot.services.sessions, 30, flags=24)
    reply = bot.answer(bot.slack.command("status", user_id="UORGANIZER"))
    assert len(reply["blocks"]) <= 50
    assert "…and 14 more open flags" in json.dumps(reply["blocks"], ensure_ascii=False)
    bot.fake.wait_for("files.completeUploadExternal")
    [upload] = bot.fake.files.values()
    rows = list(csv.reader(io.StringIO(upload["content"].decode())))
    assert len([r for r in rows if r[0] == "flag"]) == 24


def test_the_full_list_goes_again_only_when_it_changed_or_on_another_day(bot) -> None:
    program = build(bot.services.sessions, 30, flags=24)
    bot.answer(bot.slack.command("status", user_id="UORGANIZER"))
    bot.fake.wait_for("files.completeUploadExternal", 1)

    def files_planned() -> int:
        with bot.services.sessions() as session:
            return session.scalar(
                sa.select(sa.func.count()).where(Delivery.key.like("status-csv:%"))
            )

    # Asking again the same day, with nothing changed, sends no second copy.
    send_full_lists(bot.services, TEAM, "UORGANIZER", program.id)
    assert files_planned() == 1
    # Another organizer gets their own.
    bot.fake.add_user("UOTHERORG", name="other")
    send_full_lists(bot.services, TEAM, "UOTHERORG", program.id)
    assert files_planned() == 2
    # A flag handled since: the list changed, so it goes again.
    with bot.services.sessions() as session:
        flag = session.scalars(sa.select(Flag).order_by(Flag.id)).first()
        flag.status = FlagStatus.DISMISSED
        session.commit()
    send_full_lists(bot.services, TEAM, "UORGANIZER", program.id)
    assert files_planned() == 3
    # The next day the same list goes again, for the organizer who asks.
    bot.services.clock.advance(timedelta(days=1))
    send_full_lists(bot.services, TEAM, "UORGANIZER", program.id)
    assert files_planned() == 4
    uploads = bot.fake.wait_for("files.completeUploadExternal", 4)
    assert len(uploads) == 4
    latest = list(bot.fake.files.values())[-1]
    rows = list(csv.reader(io.StringIO(latest["content"].decode())))
    assert len([r for r in rows if r[0] == "flag"]) == 23


def count_queries(engine, work) -> int:
    seen = []

    def record(*_args) -> None:
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def test_the_status_costs_the_same_queries_for_3_or_40_pairings(engine, sessions) -> None:
    small = build(sessions, 3, flags=1, name="Small")
    large = build(sessions, 40, flags=12, name="Large")
    counts = []
    for program in (small, large):
        with sessions() as session:
            program = session.get(Program, program.id)
            counts.append(
                count_queries(engine, lambda p=program: status.program_health(session, p, NOW))
            )
    assert counts[0] == counts[1]
    assert counts[0] <= 10
