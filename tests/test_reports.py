"""The program report without Slack: hand-checked figures, the CSV and its private comments,
the chart, Run again, and a statement count that does not grow with the number of pairings."""

from __future__ import annotations

import csv
import io
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import reports
from bot.checkins import visible_comment
from bot.models import (
    Checkin,
    Delivery,
    DeliveryStatus,
    Flag,
    FlagReason,
    FlagStatus,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramFormat,
    ProgramStatus,
    SurveyKind,
    SurveyResponse,
    Win,
    WinSharing,
)
from bot.report_chart import render_chart
from bot.report_csv import CSV_COLUMNS
from tests.conftest import START, TEAM
from tests.factories import make_program

MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE
FIRST = START.date() - timedelta(weeks=4)  # Monday 2 November 2026: week 1
PRIVATE_A, PRIVATE_B, OPEN_C = "Great start", "Partner is always late", "Shared it with the team"


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def running(sessions: sessionmaker[Session], name: str = "Digital Pilot", **fields) -> Program:
    """A running program that started four weeks before START, with a 60-minute target."""
    program = make_program(sessions, name, start_date=START.date(), **fields)
    with sessions() as session:
        row = session.get(Program, program.id)
        row.status, row.start_date, row.length_weeks = ProgramStatus.RUNNING, FIRST, 6
        session.commit()
        return row


def person(session: Session, program: Program, user: str, role, dept="", offers=(), wants=(), **kw):
    row = Participant(
        team_id=program.team_id,
        program_id=program.id,
        user_id=user,
        display_name=user[1:].title(),
        role=role,
        department=dept,
        skills_offered=list(offers),
        skills_wanted=list(wants),
        consent=True,
        **kw,
    )
    session.add(row)
    session.flush()
    return row


def pairing(session: Session, program: Program, people, introduced, status=PairingStatus.ACTIVE):
    row = Pairing(
        team_id=program.team_id,
        program_id=program.id,
        status=status,
        introduced_at=introduced,
        created_at=introduced or START,
    )
    row.members = [PairingMember(team_id=program.team_id, participant_id=p.id) for p in people]
    session.add(row)
    session.flush()
    return row


def meeting(session: Session, pair: Pairing, starts_at: datetime, minutes: int, status=None):
    status = status or MeetingStatus.HELD
    session.add(
        Meeting(
            team_id=TEAM,
            pairing_id=pair.id,
            status=status,
            proposed_by="UANA",
            starts_at=starts_at,
            duration_minutes=minutes,
            minutes_held=minutes if status is MeetingStatus.HELD else None,
        )
    )


def checkin(session, who, pair, period, mood=None, comment="", private=True, answered=True):
    row = Checkin(
        team_id=TEAM,
        participant_id=who.id,
        pairing_id=pair.id,
        period_start=period,
        met=True if answered else None,
        mood=mood,
        comment=comment,
        comment_private=private,
        answered_at=at(period + timedelta(days=4)) if answered else None,
    )
    session.add(row)
    return row


@dataclass
class Pilot:
    program: Program
    a: int  # UANA + UBEN, from week 1
    b: int  # UCHO + UDAN, weeks 3 to 4


def small_program(sessions: sessionmaker[Session]) -> Pilot:
    """The hand-checked program of these tests (and of the Slack flow's)."""
    program = running(sessions)
    with sessions() as s:
        ana = person(s, program, "UANA", MENTOR, "Marketing", ["TikTok", "AI tools"], ["Strategy"])
        ben = person(s, program, "UBEN", MENTEE, "Finance", ["Strategy"], ["tiktok"])
        cho = person(s, program, "UCHO", MENTOR, "marketing ", ["AI tools"], ["Negotiation"])
        dan = person(
            s, program, "UDAN", MENTEE, "Finance", ["Negotiation", "Strategy"], ["AI tools"]
        )
        person(s, program, "UEVE", MENTEE, status=ParticipantStatus.LEFT)
        person(s, program, "UFAY", MENTOR, "Sales")
        a = pairing(s, program, [ana, ben], at(FIRST, 9))
        b = pairing(s, program, [cho, dan], at(FIRST + timedelta(weeks=2), 9), PairingStatus.ENDED)
        b.ended_at = at(date(2026, 11, 25))  # in week 4
        pairing(s, program, [], None, PairingStatus.PROPOSED)
        meeting(s, a, at(date(2026, 11, 3)), 45)  # week 1: 75 minutes, on target
        meeting(s, a, at(date(2026, 11, 5)), 30)
        meeting(s, a, at(date(2026, 11, 10)), 45)  # week 2: 45, below
        meeting(s, a, at(date(2026, 11, 12)), 60, MeetingStatus.MISSED)
        meeting(s, a, at(date(2026, 11, 19)), 60)  # week 3: both pairs on target
        meeting(s, b, at(date(2026, 11, 17)), 60)
        meeting(s, a, at(date(2026, 11, 29), 23, 30), 30)  # Sunday night: still week 4
        meeting(s, a, at(date(2026, 10, 30)), 30)  # logged before the start: totals only
        checkin(s, ana, a, FIRST, 4, PRIVATE_A)
        checkin(s, ben, a, FIRST, 2, PRIVATE_B)
        checkin(s, ana, a, FIRST + timedelta(weeks=1), 5, OPEN_C, private=False)
        checkin(s, ben, a, FIRST + timedelta(weeks=1), answered=False)
        checkin(s, cho, b, FIRST + timedelta(weeks=2), 3)
        for who in (ana, ben, cho, dan):
            survey_sent(s, program, who, SurveyKind.START)
        for who in (ana, ben):
            survey_sent(s, program, who, SurveyKind.END)
        answer(s, ana, SurveyKind.START, {"learn": "Strategy basics", "teach": "TikTok"})
        answer(s, ben, SurveyKind.START, {"learn": "Short videos", "teach": ""})
        answer(s, ana, SurveyKind.END, {"learned": "How budgets are set", "taught": "AI"}, 9)
        answer(s, ben, SurveyKind.END, {"learned": "Reels", "taught": "Negotiating"}, 6)
        win(s, program, "Ben posted his first reel", WinSharing.NAMED, published=True)
        win(s, program, "Our team uses AI notes now", WinSharing.ANONYMOUS)
        flag(s, program, b, FlagReason.NO_MEETING, FlagStatus.RESOLVED, raised=True)
        flag(s, program, a, FlagReason.LOW_MOOD, FlagStatus.ACTED, "nudged_again", raised=True)
        flag(s, program, a, FlagReason.UNANSWERED_CHECKINS, FlagStatus.NUDGED)
        s.commit()
        return Pilot(program, a.id, b.id)


def survey_sent(session: Session, program: Program, who: Participant, kind: SurveyKind) -> None:
    session.add(
        Delivery(
            team_id=TEAM,
            key=f"survey:{who.id}:{kind.value}",
            program_id=program.id,
            channel=who.user_id,
            text="survey",
            status=DeliveryStatus.SENT,
            not_before=START,
        )
    )


def answer(session: Session, who: Participant, kind: SurveyKind, answers, score=None) -> None:
    session.add(
        SurveyResponse(
            team_id=TEAM,
            program_id=who.program_id,
            participant_id=who.id,
            kind=kind,
            answers=answers,
            recommend_score=score,
            submitted_at=START - timedelta(days=1),
        )
    )


def win(session, program, text, sharing, published=False) -> None:
    session.add(
        Win(
            team_id=TEAM,
            program_id=program.id,
            text=text,
            sharing=sharing,
            published_ts="1.0" if published else None,
        )
    )
    session.flush()


def flag(session, program, pair, reason, status, action=None, raised=False) -> None:
    session.add(
        Flag(
            team_id=TEAM,
            program_id=program.id,
            pairing_id=pair.id,
            reason=reason,
            status=status,
            action=action,
            started_at=START - timedelta(days=9),
            raised_at=START - timedelta(days=7) if raised else None,
        )
    )


def report_of(sessions: sessionmaker[Session], program_id: int) -> reports.Report:
    with sessions() as session:
        return reports.build_report(session, session.get(Program, program_id), START)


# -- the figures -------------------------------------------------------------------------------


def test_the_figures_of_a_small_program(sessions) -> None:
    pilot = small_program(sessions)
    other = running(sessions, "Another program")  # its rows must not leak into the report
    with sessions() as s:
        zed = person(s, other, "UZED", MENTOR, "Legal", ["Golf"], ["Golf"])
        pair = pairing(s, other, [zed], at(FIRST, 9))
        meeting(s, pair, at(date(2026, 11, 3)), 90)
        checkin(s, zed, pair, FIRST, 1, "elsewhere")
        s.commit()

    report = report_of(sessions, pilot.program.id)

    assert report.by_role == {MENTOR: 3, MENTEE: 2}
    assert report.left == 1
    assert report.by_department == [("Finance", 2), ("Marketing", 2), ("Sales", 1)]
    assert report.pairings == {
        PairingStatus.ACTIVE: 1,
        PairingStatus.ENDED: 1,
        PairingStatus.PROPOSED: 1,
    }
    assert report.meetings == {MeetingStatus.HELD: 7, MeetingStatus.MISSED: 1}
    assert report.minutes_held == 300
    rows = [(w.number, w.meetings, w.minutes, w.live_pairings) for w in report.weeks]
    assert rows == [
        (1, 2, 75, 1),
        (2, 1, 45, 1),
        (3, 2, 120, 2),
        (4, 1, 30, 2),  # the pair that ended in week 4 still counts that week
        (5, 0, 0, 1),
    ]
    assert [w.starts for w in report.weeks][:2] == [FIRST, FIRST + timedelta(weeks=1)]
    assert [w.target_minutes for w in report.weeks] == [60, 60, 120, 120, 60]
    assert report.target_so_far == 420
    assert [(w.checkins_sent, w.checkins_answered, w.mood) for w in report.weeks] == [
        (2, 2, 3.0),
        (2, 1, 5.0),
        (1, 1, 3.0),
        (0, 0, None),
        (0, 0, None),
    ]
    assert report.response_rate == pytest.approx(0.8)
    assert (report.checkin_comments, report.private_comments) == (3, 2)

    start, middle, end = (report.surveys[k] for k in SurveyKind)
    assert (start.sent, start.answered, start.response_rate) == (4, 2, 0.5)
    assert start.quotes == {"learn": ["Short videos", "Strategy basics"], "teach": ["TikTok"]}
    assert (middle.sent, middle.answered, middle.response_rate) == (0, 0, None)
    assert (end.sent, end.answered, end.scores) == (2, 2, {6: 1, 9: 1})
    assert (end.average_score, end.net_promoter) == (7.5, 0)
    assert sorted(end.quotes["learned"]) == ["How budgets are set", "Reels"]

    assert report.skills_taught == [("AI tools", 1), ("TikTok", 1)]
    assert report.skills_taught_back == [("Negotiation", 1), ("Strategy", 1)]
    assert report.wins == {WinSharing.NAMED: 1, WinSharing.ANONYMOUS: 1}
    assert report.wins_published == 1
    assert report.recent_wins == ["Our team uses AI notes now", "Ben posted his first reel"]
    assert report.flags == {
        (FlagReason.NO_MEETING, "resolved"): 1,
        (FlagReason.LOW_MOOD, "nudged_again"): 1,
        (FlagReason.UNANSWERED_CHECKINS, "open"): 1,
    }
    assert report.flags_raised == 2


def test_a_program_that_has_not_started_reports_no_weeks(sessions) -> None:
    program = make_program(sessions, "Next year", start_date=START.date() + timedelta(weeks=3))
    report = report_of(sessions, program.id)
    assert report.weeks == [] and report.response_rate is None
    assert report.by_role == {MENTOR: 0, MENTEE: 0}
    assert all(s.sent == 0 and s.average_score is None for s in report.surveys.values())
    png = render_chart(report)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_flag_outcomes_in_words() -> None:
    assert reports.flag_outcome(FlagStatus.OPEN, None) == "open"
    assert reports.flag_outcome(FlagStatus.NUDGED, None) == "open"
    assert reports.flag_outcome(FlagStatus.DISMISSED, "dismissed") == "dismissed"
    assert reports.flag_outcome(FlagStatus.ACTED, "paused") == "paused"
    assert reports.flag_outcome(FlagStatus.RESOLVED, "paused") == "resolved_after_action"
    assert reports.flag_outcome(FlagStatus.RESOLVED, None) == "resolved"


# -- the CSV -----------------------------------------------------------------------------------


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_keeps_private_comments_for_organizers(sessions) -> None:
    pilot = small_program(sessions)
    with sessions() as session:
        program = session.get(Program, pilot.program.id)
        mine = reports.csv_export(session, program, include_private=True)
        shared = reports.csv_export(session, program, include_private=False)
        checkins = {c.id: c for c in session.scalars(sa.select(Checkin))}

    for text in (mine, shared):
        rows = parsed(text)
        assert tuple(rows[0]) == CSV_COLUMNS
        sections = [row["section"] for row in rows]
        assert sections.count("pairing") == 3
        assert sections.count("meeting") == 8
        assert sections.count("checkin") == 5
    assert PRIVATE_A in mine and PRIVATE_B in mine and OPEN_C in mine
    assert PRIVATE_A not in shared and PRIVATE_B not in shared
    assert OPEN_C in shared
    for organizer, text in ((True, mine), (False, shared)):
        for row in parsed(text):
            if row["section"] == "checkin":
                expected = visible_comment(checkins[int(row["id"])], organizer=organizer)
                assert row["comment"] == expected
                assert row["comment_private"] in (("yes", "no") if expected else ("",))

    pairing_a = next(
        r for r in parsed(mine) if r["section"] == "pairing" and r["status"] == "active"
    )
    assert (pairing_a["people"], pairing_a["meetings"], pairing_a["minutes"]) == (
        "UANA UBEN",
        "6",
        "240",
    )
    assert pairing_a["date"] == FIRST.isoformat()
    missed = next(r for r in parsed(mine) if r["status"] == "missed")
    assert (missed["section"], missed["minutes"]) == ("meeting", "")
    unanswered = next(r for r in parsed(mine) if r["status"] == "unanswered")
    assert (unanswered["mood"], unanswered["met"], unanswered["comment"]) == ("", "", "")


def test_a_comment_that_looks_like_a_formula_stays_text(sessions) -> None:
    pilot = small_program(sessions)
    with sessions() as session:
        row = session.scalars(sa.select(Checkin).where(Checkin.comment == OPEN_C)).one()
        row.comment = "=HYPERLINK(1)"
        session.commit()
        text = reports.csv_export(
            session, session.get(Program, pilot.program.id), include_private=False
        )
    assert "'=HYPERLINK(1)" in text


# -- the chart ---------------------------------------------------------------------------------


def test_the_chart_is_a_png_of_a_sensible_size(sessions) -> None:
    pilot = small_program(sessions)
    with sessions() as session:
        session.get(Program, pilot.program.id).name = "Save $5 on $ignals_{x}"  # no formula
        session.commit()
    png = render_chart(report_of(sessions, pilot.program.id))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1000, 650)
    assert 10_000 < len(png) < 1_000_000


# -- Run again ---------------------------------------------------------------------------------


def test_run_again_copies_the_settings_into_a_draft_with_a_unique_name(sessions) -> None:
    program = make_program(
        sessions,
        "Digital Pilot",
        format=ProgramFormat.GROUP.value,
        group_size=4,
        length_weeks=8,
        meeting_target_minutes=90,
        checkin_cadence_weeks=2,
        skills_catalogue=["TikTok", "Strategy"],
        is_pilot=True,
        start_date=START.date() + timedelta(days=7),
    )
    weights = {"matching_weights": {"teach": 3.0}, "allow_repeats": True}
    with sessions() as session:
        row = session.get(Program, program.id)
        row.settings, row.description = weights, "Seniors learn new tools"
        row.sponsor_user_id, row.sponsor_message = "USPONSOR", "This matters to all of us."
        row.guide_overrides = {"mentor": "Our own guide"}
        row.kickoff_at, row.kickoff_place = START + timedelta(days=3), "Room 4"
        session.commit()

    names = []
    with sessions() as session:
        source = session.get(Program, program.id)
        first = reports.run_again(session, source, "UOTHER", START)
        second = reports.run_again(session, source, "UORGANIZER", START)
        third = reports.run_again(session, first, "UORGANIZER", START)
        session.commit()
        names = [first.name, second.name, third.name]
        copied = session.get(Program, first.id)
        copied.settings["matching_weights"]["teach"] = 1.0  # the copy is its own
        session.commit()

    assert names == [
        "Digital Pilot (next cohort)",
        "Digital Pilot (next cohort) 2",
        "Digital Pilot (next cohort) 3",
    ]
    with sessions() as session:
        new = session.scalars(sa.select(Program).where(Program.id == first.id)).one()
        old = session.get(Program, program.id)
        assert (new.status, new.start_date, new.enrolment_open) == (
            ProgramStatus.DRAFT,
            None,
            False,
        )
        assert (new.created_by, new.created_at, new.is_pilot) == ("UOTHER", START, False)
        same = (
            "business_need",
            "description",
            "format",
            "group_size",
            "length_weeks",
            "meeting_target_minutes",
            "checkin_cadence_weeks",
            "skills_catalogue",
            "sponsor_user_id",
            "sponsor_message",
            "guide_overrides",
        )
        assert {k: getattr(new, k) for k in same} == {k: getattr(old, k) for k in same}
        assert (new.kickoff_at, new.kickoff_place) == (None, "")  # the new cohort plans its own
        assert new.settings["allow_repeats"] is True
        assert old.settings == weights


def test_a_long_name_stays_within_the_limit(sessions) -> None:
    program = make_program(sessions, "L" * 80)
    with sessions() as session:
        source = session.get(Program, program.id)
        made = [reports.run_again(session, source, "UORGANIZER", START).name for _ in range(2)]
    assert made[0] == "L" * 66 + " (next cohort)"
    assert made[1] == "L" * 64 + " (next cohort) 2"
    assert all(len(name) <= 80 for name in made)


# -- the cost does not grow with the program ---------------------------------------------------


def bulk_program(sessions: sessionmaker[Session], name: str, pairs: int, weeks: int = 5) -> int:
    """`pairs` pairings with a meeting and two check-ins each week, and skills to exchange."""
    program = running(sessions, name)
    with sessions() as s:
        people = []
        for n in range(pairs):
            people.append(
                (
                    person(s, program, f"UM{name[0]}{n}", MENTOR, f"D{n % 4}", ["AI"], ["Sales"]),
                    person(s, program, f"UE{name[0]}{n}", MENTEE, "Ops", ["Sales"], ["AI"]),
                )
            )
        pairs_made = [pairing(s, program, list(duo), at(FIRST, 9)) for duo in people]
        for week in range(weeks):
            monday = FIRST + timedelta(weeks=week)
            for pair, (mentor, mentee) in zip(pairs_made, people, strict=True):
                meeting(s, pair, at(monday + timedelta(days=2)), 45 + 15 * (week % 2))
                checkin(s, mentor, pair, monday, 1 + (week % 5), "ok")
                checkin(s, mentee, pair, monday, answered=False)
        s.commit()
        return program.id


def count_statements(engine: Engine, sessions, program_id: int) -> tuple[int, reports.Report]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    postgresql = engine.dialect.name == "postgresql"
    with sessions() as session:
        program = session.get(Program, program_id)
        if postgresql:  # the report turns JIT off for one statement, and only for that one
            session.execute(sa.text("SET LOCAL jit = on"))
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            report = reports.build_report(session, program, START)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        if postgresql:
            assert session.execute(sa.text("SHOW jit")).scalar() == "on"
    return len(statements), report


def test_the_statement_count_does_not_grow_with_the_pairings(engine, sessions) -> None:
    small = bulk_program(sessions, "Small", 3)
    large = bulk_program(sessions, "Large", 30)

    small_count, small_report = count_statements(engine, sessions, small)
    large_count, large_report = count_statements(engine, sessions, large)

    assert small_count == large_count
    assert small_count <= 15, small_count
    assert [w.meetings for w in large_report.weeks] == [30] * 5
    assert [w.minutes for w in large_report.weeks] == [1350, 1800, 1350, 1800, 1350]
    assert large_report.skills_taught == [("AI", 30)]
    assert small_report.skills_taught_back == [("Sales", 3)]
    assert small_report.response_rate == 0.5
