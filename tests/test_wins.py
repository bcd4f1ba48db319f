"""Wins in the domain: recording, who is credited, what is shareable, publishing once, and
which wins go into which Monday's digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import wins
from bot.models import (
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Win,
    WinSharing,
)
from bot.wins import AlreadyPublished, Person, WinError, WinInvalid, credit_line
from tests.conftest import START, TEAM
from tests.factories import make_program

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def enrol(
    session: Session, program_id: int, user: str, name: str, role: ParticipantRole
) -> Participant:
    person = Participant(
        team_id=TEAM, program_id=program_id, user_id=user, display_name=name, role=role
    )
    session.add(person)
    session.flush()
    return person


def pair_up(session: Session, program_id: int, *people: Participant) -> Pairing:
    pairing = Pairing(team_id=TEAM, program_id=program_id, status=PairingStatus.ACTIVE)
    pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
    session.add(pairing)
    session.flush()
    return pairing


@pytest.fixture
def pilot(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Digital Pilot: Ana (reverse mentor) paired with Ben; Cy enrolled, not paired yet."""
    program = make_program(sessions, "Digital Pilot")
    with sessions() as session:
        ana = enrol(session, program.id, "UANA", "Ana", ParticipantRole.MENTOR)
        ben = enrol(session, program.id, "UBEN", "Ben", ParticipantRole.MENTEE)
        cy = enrol(session, program.id, "UCY", "Cy", ParticipantRole.MENTEE)
        pairing = pair_up(session, program.id, ben, ana)
        session.commit()
        return {"program": program.id, "pairing": pairing.id, "ana": ana.id, "cy": cy.id}


def share(
    session: Session,
    program_id: int,
    user: str = "UANA",
    text: str = "Ben now edits videos on his phone",
    sharing: str = "named",
    at: datetime = START,
    pairing_id: int | None = None,
) -> Win:
    return wins.record(
        session,
        team_id=TEAM,
        user_id=user,
        program_id=program_id,
        pairing_id=pairing_id,
        text=text,
        sharing=sharing,
        now=at,
    )


def test_the_credit_line_names_people_only_when_the_sharing_allows() -> None:
    pair = [Person("Ben", ParticipantRole.MENTEE), Person("Ana", ParticipantRole.MENTOR)]
    assert credit_line(WinSharing.NAMED, "Pilot", pair) == "Ana (reverse mentor) and Ben"
    assert credit_line(WinSharing.ORGANIZERS, "Pilot", pair) == "Ana (reverse mentor) and Ben"
    assert credit_line(WinSharing.ANONYMOUS, "Pilot", pair) == "a pair in Pilot"
    assert (
        credit_line(WinSharing.ANONYMOUS, "Pilot", pair, paired=False) == "a participant in Pilot"
    )
    assert credit_line(WinSharing.NAMED, "Pilot", []) == "a pair in Pilot"  # nobody left to name
    trio = [*pair, Person("", ParticipantRole.MENTEE)]
    assert credit_line(WinSharing.NAMED, "Pilot", trio) == (
        "Ana (reverse mentor), Ben and a colleague"
    )


def test_a_win_is_recorded_with_the_live_pairing(
    sessions: sessionmaker[Session], pilot: dict[str, int]
) -> None:
    with sessions() as session:
        win = share(session, pilot["program"], text="  Learned to read a P&L  ")
        session.commit()
        assert (win.pairing_id, win.participant_id) == (pilot["pairing"], pilot["ana"])
        assert win.text == "Learned to read a P&L" and win.sharing is WinSharing.NAMED
        unpaired = share(session, pilot["program"], user="UCY", sharing="anonymous")
        assert unpaired.pairing_id is None


def test_what_is_checked_before_a_win_is_stored(
    sessions: sessionmaker[Session], pilot: dict[str, int]
) -> None:
    program = pilot["program"]
    with sessions() as session:
        with pytest.raises(WinInvalid) as both:
            share(session, program, text="x" * (wins.TEXT_LENGTH + 1), sharing="")
        assert set(both.value.errors) == {"text", "sharing"}
        assert "2,000 characters" in both.value.errors["text"]
        with pytest.raises(WinInvalid, match="Choose how"):
            share(session, program, sharing="everyone")
        with pytest.raises(WinInvalid, match="Tell us"):
            share(session, program, text="   ")
        share(session, program, text="x" * wins.TEXT_LENGTH)  # exactly the limit is fine
        with pytest.raises(WinError, match="don't take part"):
            share(session, program, user="UEVE")
        with pytest.raises(WinError, match="Only the people in this pairing"):
            share(session, program, user="UCY", pairing_id=pilot["pairing"])
        with pytest.raises(WinInvalid, match="program"):
            wins.record(
                session,
                team_id=TEAM,
                user_id="UANA",
                program_id=None,
                pairing_id=None,
                text="ok",
                sharing="named",
                now=START,
            )


def test_anonymous_wins_carry_no_name_and_leavers_are_not_named(
    sessions: sessionmaker[Session], pilot: dict[str, int]
) -> None:
    with sessions() as session:
        named = share(session, pilot["program"])
        anonymous = share(session, pilot["program"], sharing="anonymous")
        solo = share(session, pilot["program"], user="UCY")
        found = {w.id: w for w in wins.credited(session, [named, anonymous, solo])}
        assert found[named.id].credit == "Ana (reverse mentor) and Ben"
        assert found[anonymous.id].credit == "a pair in Digital Pilot"
        assert found[solo.id].credit == "Cy"
        session.get(Participant, pilot["ana"]).status = ParticipantStatus.LEFT
        session.flush()
        # The person who agreed to be named left: nobody is named for them.
        assert wins.get(session, TEAM, named.id).credit == "a pair in Digital Pilot"


def test_only_named_and_anonymous_wins_are_shareable_newest_first(
    sessions: sessionmaker[Session], pilot: dict[str, int]
) -> None:
    program = pilot["program"]
    other = make_program(sessions, "Other Team Pilot", team_id="T0OTHER")
    with sessions() as session:
        for day, sharing in enumerate(["named", "organizers", "anonymous", "named", "named"]):
            share(
                session, program, text=f"win {day}", sharing=sharing, at=START + timedelta(days=day)
            )
        erased = share(session, program, text="erased later", at=START + timedelta(days=9))
        erased.text = ""
        session.add(
            Win(team_id="T0OTHER", program_id=other.id, text="elsewhere", sharing=WinSharing.NAMED)
        )
        session.flush()
        found, total = wins.shareable(session, TEAM, program, limit=3)
        assert [w.text for w in found] == ["win 4", "win 3", "win 2"]
        assert total == 4
        everywhere, _ = wins.shareable(session, TEAM)
        assert "win 1" not in {w.text for w in everywhere}  # organizers only
        assert "elsewhere" not in {w.text for w in everywhere}


def test_a_win_is_published_once_and_organizers_only_never(
    sessions: sessionmaker[Session], pilot: dict[str, int]
) -> None:
    with sessions() as session:
        named = share(session, pilot["program"])
        private = share(session, pilot["program"], sharing="organizers")
        session.commit()
        with pytest.raises(WinError, match="organizers only"):
            wins.check_publishable(wins.get(session, TEAM, private.id))
        with pytest.raises(WinError, match="no longer exists"):
            wins.check_publishable(wins.get(session, "T0OTHER", named.id))

        first = wins.get(session, TEAM, named.id)
        wins.claim_publication(session, first, "C0NEWS", "UORGANIZER")
        with pytest.raises(AlreadyPublished) as again:
            wins.claim_publication(session, first, "C0OTHER", "UORG2")  # a stale copy
        assert (again.value.channel, again.value.by) == ("C0NEWS", "UORGANIZER")
        wins.finish_publication(session, named.id, "UORGANIZER", None)  # Slack refused
        assert not wins.get(session, TEAM, named.id).published
        wins.claim_publication(session, first, "C0NEWS", "UORGANIZER")
        wins.finish_publication(session, named.id, "UORGANIZER", "1700000000.000100")
        session.commit()
        stored = session.get(Win, named.id)
        session.refresh(stored)
        assert (stored.published_channel, stored.published_ts, stored.published_by) == (
            "C0NEWS",
            "1700000000.000100",
            "UORGANIZER",
        )


def test_the_digest_covers_the_seven_days_before_monday_nine(
    sessions: sessionmaker[Session], pilot: dict[str, int]
) -> None:
    program = pilot["program"]
    assert wins.digest_week(MONDAY_9 - timedelta(minutes=1)) is None  # Monday 08:59
    assert wins.digest_week(MONDAY_9 - timedelta(days=1)) == "2026-W49"  # Sunday: last week's
    assert (
        wins.digest_week(MONDAY_9) == wins.digest_week(MONDAY_9 + timedelta(days=6)) == ("2026-W50")
    )
    with sessions() as session:
        for minutes, sharing in ((-1, "organizers"), (0, "named"), (-7 * 24 * 60, "anonymous")):
            share(
                session,
                program,
                text=f"{minutes}",
                sharing=sharing,
                at=MONDAY_9 + timedelta(minutes=minutes),
            )
        share(session, program, text="too early", at=MONDAY_9 - timedelta(days=7, minutes=1))
        session.flush()
        assert wins.digest_programs(session, MONDAY_9 - timedelta(minutes=1)) == []
        assert wins.digest_programs(session, MONDAY_9 - timedelta(days=1)) == [(TEAM, program)]
        assert wins.digest_programs(session, MONDAY_9) == [(TEAM, program)]
        digest = wins.digest_for(session, program, MONDAY_9 + timedelta(hours=5))
        assert digest is not None
        assert [w.text for w in digest.wins] == ["-1", "-10080"]  # newest first, both kinds
        assert digest.wins[0].sharing is WinSharing.ORGANIZERS
        assert digest.since.isoformat() == "2026-11-30"
        assert wins.digest_key(program, "UORGANIZER", "2026-W50") == (
            f"wins-digest:{program}:UORGANIZER:2026-W50"
        )
