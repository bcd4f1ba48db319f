"""`python app.py erase --user ID`: an admin erases someone who cannot leave by themselves."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from bot.models import (
    Checkin,
    Invitation,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    SurveyKind,
    SurveyResponse,
    TalkRequest,
    TalkTopic,
    Win,
    WinSharing,
)
from tests.conftest import BOT_TOKEN, TEAM
from tests.factories import make_program
from tests.support.fake_slack import FakeSlack
from tests.test_cli import clean_env, run_app

SECRET = "ana-wrote-this-about-her-boss"
WHEN = datetime(2026, 11, 20, 9, tzinfo=UTC)


def seed(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    program = make_program(sessions, "Digital Pilot")
    with sessions() as s:
        ana, ben = (
            Participant(
                team_id=TEAM, program_id=program.id, user_id=u, role=r, consent=True, goals=g
            )
            for u, r, g in (
                ("UANA", ParticipantRole.MENTOR, f"goals {SECRET}"),
                ("UBEN", ParticipantRole.MENTEE, "ben's own goals"),
            )
        )
        s.add_all([ana, ben])
        s.flush()
        pairing = Pairing(
            team_id=TEAM, program_id=program.id, status=PairingStatus.ACTIVE, channel_id="G0PAIR"
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in (ana, ben)]
        s.add(pairing)
        s.flush()
        s.add_all(
            [
                Checkin(
                    team_id=TEAM,
                    participant_id=ana.id,
                    pairing_id=pairing.id,
                    period_start=date(2026, 11, 16),
                    mood=2,
                    comment=f"comment {SECRET}",
                ),
                SurveyResponse(
                    team_id=TEAM,
                    program_id=program.id,
                    participant_id=ana.id,
                    kind=SurveyKind.START,
                    answers={"hopes": f"survey {SECRET}"},
                ),
                Win(
                    team_id=TEAM,
                    program_id=program.id,
                    participant_id=ana.id,
                    pairing_id=pairing.id,
                    text=f"win {SECRET}",
                    sharing=WinSharing.NAMED,
                ),
                Meeting(
                    team_id=TEAM,
                    pairing_id=pairing.id,
                    status=MeetingStatus.HELD,
                    proposed_by="UANA",
                    starts_at=WHEN,
                    location=f"place {SECRET}",
                    topic=f"topic {SECRET}",
                    minutes_held=45,
                ),
                TalkRequest(
                    team_id=TEAM,
                    program_id=program.id,
                    user_id="UANA",
                    topic=TalkTopic.MY_PAIRING,
                    text=f"talk {SECRET}",
                    requested_at=WHEN,
                ),
                Invitation(
                    team_id=TEAM,
                    program_id=program.id,
                    user_id="UANA",
                    email="ana@example.com",
                    invited_by="UORGANIZER",
                ),
            ]
        )
        s.commit()
    engine.dispose()


def everything(db_url: str) -> str:
    """Every row of every table, as text, to search for what Ana typed."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            tables = sa.MetaData()
            tables.reflect(connection)
            return "\n".join(
                repr(row)
                for table in tables.sorted_tables
                for row in connection.execute(sa.select(table))
            )
    finally:
        engine.dispose()


def erase(tmp_path: Path, fake: FakeSlack, db_url: str, user: str):
    env = clean_env(
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.base_url,
        MENTORING_ORGANIZERS="UORGANIZER",
    )
    return run_app(["erase", "--user", user], env, tmp_path)


def test_erase_leaves_every_program_blanks_what_they_typed_and_tells_the_partner(
    tmp_path: Path, fake_slack: FakeSlack, db_url: str
) -> None:
    seed(db_url)
    assert SECRET in everything(db_url) and "ana@example.com" in everything(db_url)

    result = erase(tmp_path, fake_slack, db_url, "UANA")

    assert result.returncode == 0, result.stderr
    assert "Digital Pilot: left and erased" in result.stdout
    dump = everything(db_url)
    assert SECRET not in dump
    assert "ana@example.com" not in dump
    assert "ben's own goals" in dump  # only Ana is erased
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        ana = s.scalar(sa.select(Participant).where(Participant.user_id == "UANA"))
        assert ana is not None and ana.status is ParticipantStatus.LEFT
        assert s.scalar(sa.select(Pairing.status)) is PairingStatus.ENDED
        assert s.scalar(sa.select(Meeting.minutes_held)) == 45  # numbers stay
        assert s.scalar(sa.select(Checkin.mood)) == 2
    engine.dispose()
    told = [c.params for c in fake_slack.calls_to("chat.postMessage")]
    assert any(p["channel"] == "G0PAIR" for p in told)  # the partner, kindly
    assert any(p["channel"] == "UORGANIZER" for p in told)
    assert all(SECRET not in str(p) for p in told)

    again = erase(tmp_path, fake_slack, db_url, "UANA")
    assert again.returncode == 0
    assert "Digital Pilot: erased (had already left)" in again.stdout
    assert len(fake_slack.calls_to("chat.postMessage")) == len(told)  # nobody told twice


def test_erase_refuses_something_that_is_not_a_member_id(
    tmp_path: Path, fake_slack: FakeSlack, db_url: str
) -> None:
    seed(db_url)
    result = erase(tmp_path, fake_slack, db_url, "ana@example.com")
    assert result.returncode == 2
    assert "--user must be a Slack member id" in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET in everything(db_url)
