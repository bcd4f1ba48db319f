"""Proposals in the database: what the organizer reviews, edits and approves."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.matching import proposals
from bot.models import (
    CareerStage,
    MatchProposal,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
    ProgramStatus,
    ProposalStatus,
)
from tests.conftest import START, TEAM
from tests.factories import make_program

NOW = START


def person(session, program, user, role, offers=(), wants=(), **kw) -> Participant:
    participant = Participant(
        team_id=TEAM,
        program_id=program.id,
        user_id=user,
        display_name=user.title(),
        role=role,
        skills_offered=list(offers),
        skills_wanted=list(wants),
        consent=True,
        **kw,
    )
    session.add(participant)
    session.flush()
    return participant


MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE


@pytest.fixture
def pilot(sessions):
    return make_program(sessions, "Digital Pilot")


def test_a_proposal_pairs_the_best_two_way_exchanges_and_explains_them(sessions, pilot) -> None:
    with sessions() as session:
        program = session.get(Program, pilot.id)
        ana = person(
            session,
            program,
            "ana",
            MENTOR,
            ["TikTok"],
            ["Budgeting"],
            career_stage=CareerStage.EARLY,
        )
        kim = person(session, program, "kim", MENTOR, ["Excel"], ["Golf"])
        ben = person(
            session,
            program,
            "ben",
            MENTEE,
            ["Budgeting"],
            ["TikTok"],
            career_stage=CareerStage.EXECUTIVE,
        )
        cho = person(session, program, "cho", MENTEE, ["Golf"], ["Excel"])
        proposal = proposals.propose(session, program, created_by="UORGANIZER", now=NOW)
        session.commit()

        pairs = {tuple(p["members"]): p for p in proposal.pairs}
        assert set(pairs) == {(ana.id, ben.id), (kim.id, cho.id)}
        assert pairs[(ana.id, ben.id)]["reason"].startswith(
            "Ana can teach TikTok, which Ben wants; Ben can teach Budgeting, which Ana wants"
        )
        assert proposal.unmatched == []
        assert program.status is ProgramStatus.MATCHING
        assert session.scalar(sa.select(sa.func.count()).select_from(Pairing)) == 0  # not yet


def test_too_few_people_is_a_clear_message(sessions, pilot) -> None:
    with sessions() as session:
        program = session.get(Program, pilot.id)
        person(session, program, "ana", MENTOR)
        with pytest.raises(proposals.MatchingError, match="not enough people to match"):
            proposals.propose(session, program, created_by="UORGANIZER", now=NOW)


def test_approval_creates_pairings_once_and_refuses_a_stale_proposal(sessions, pilot) -> None:
    with sessions() as session:
        program = session.get(Program, pilot.id)
        person(session, program, "ana", MENTOR)
        person(session, program, "ben", MENTEE)
        proposal = proposals.propose(session, program, created_by="UORGANIZER", now=NOW)
        session.commit()
        person(session, program, "late", MENTEE)  # joins after the proposal was computed
        with pytest.raises(proposals.StaleProposal, match="joined or left"):
            proposals.approve(session, proposal, approved_by="UORGANIZER", now=NOW)
        session.rollback()  # the late joiner never happened

        proposal = session.get(MatchProposal, proposal.id)
        pairings = proposals.approve(session, proposal, approved_by="UORGANIZER", now=NOW)
        session.commit()
        assert [p.status for p in pairings] == [PairingStatus.ACTIVE]
        assert proposal.status is ProposalStatus.APPROVED
        assert session.get(Program, pilot.id).status is ProgramStatus.RUNNING
        with pytest.raises(proposals.MatchingError, match="already approved"):
            proposals.open_proposal(session, TEAM, proposal.id)
        with pytest.raises(proposals.MatchingError, match="already approved"):
            proposals.approve(session, proposal, approved_by="UORGANIZER", now=NOW)
        assert session.scalar(sa.select(sa.func.count()).select_from(Pairing)) == 1


def test_late_joiners_are_matched_without_touching_live_pairings(sessions, pilot) -> None:
    with sessions() as session:
        program = session.get(Program, pilot.id)
        ana = person(session, program, "ana", MENTOR)
        ben = person(session, program, "ben", MENTEE)
        first = proposals.propose(session, program, created_by="UORGANIZER", now=NOW)
        proposals.approve(session, first, approved_by="UORGANIZER", now=NOW)
        cat = person(session, program, "cat", MENTOR)
        dan = person(session, program, "dan", MENTEE)
        second = proposals.propose(session, program, created_by="UORGANIZER", now=NOW)
        assert [p["members"] for p in second.pairs] == [[cat.id, dan.id]]
        assert second.unmatched == []  # ana and ben stay paired, out of the pool
        assert {ana.id, ben.id}.isdisjoint(m for p in second.pairs for m in p["members"])


def test_re_pairing_never_puts_old_partners_back_together(sessions, pilot) -> None:
    with sessions() as session:
        program = session.get(Program, pilot.id)
        ana = person(session, program, "ana", MENTOR, ["TikTok"], ["Budgeting"])
        ben = person(session, program, "ben", MENTEE, ["Budgeting"], ["TikTok"])
        proposals.approve(
            session,
            proposals.propose(session, program, created_by="UORGANIZER", now=NOW),
            approved_by="UORGANIZER",
            now=NOW,
        )
        pairing = proposals.end_for_repairing(session, TEAM, "ben", program, why="a clash", now=NOW)
        assert pairing.status is PairingStatus.REPAIRED

        again = proposals.propose(session, program, created_by="UORGANIZER", now=NOW)
        assert again.pairs == []  # the only possible pair was the old one
        reasons = {u["participant"]: u["reason"] for u in again.unmatched}
        assert "ruled out" in reasons[ana.id] and "ruled out" in reasons[ben.id]


def test_swap_drop_and_placing_the_unmatched(sessions, pilot) -> None:
    with sessions() as session:
        program = session.get(Program, pilot.id)
        ana = person(session, program, "ana", MENTOR, ["TikTok"], ["Golf"])
        kim = person(session, program, "kim", MENTOR, ["Excel"], ["Budgeting"])
        ben = person(session, program, "ben", MENTEE, ["Budgeting"], ["Excel"])
        cho = person(session, program, "cho", MENTEE, ["Golf"], ["TikTok"])
        eve = person(session, program, "eve", MENTEE, [], ["TikTok"])
        proposal = proposals.propose(session, program, created_by="UORGANIZER", now=NOW)
        members = sorted(tuple(p["members"]) for p in proposal.pairs)
        assert members == [(ana.id, cho.id), (kim.id, ben.id)]
        [left] = proposal.unmatched
        assert left["participant"] == eve.id

        with pytest.raises(proposals.MatchingError, match="two different people"):
            proposals.swap(session, proposal, "ben", "ben", NOW)
        with pytest.raises(
            proposals.MatchingError, match="Swap two reverse mentors or two mentees"
        ):
            proposals.swap(session, proposal, "ana", "ben", NOW)
        proposals.swap(session, proposal, "ben", "cho", NOW)
        assert sorted(tuple(p["members"]) for p in proposal.pairs) == [
            (ana.id, ben.id),
            (kim.id, cho.id),
        ]

        outcome = proposals.place_unmatched(session, proposal, eve.id, "second", NOW)
        assert "mentors two" in outcome
        assert len(proposal.pairs) == 3 and proposal.unmatched == []

        dropped_mentor = proposal.pairs[2]["members"][0]  # eve's mentor, who took two
        proposals.drop_pair(session, proposal, 2)
        assert [u["reason"] for u in proposal.unmatched] == [proposals.DROPPED] * 2
        proposals.place_unmatched(session, proposal, eve.id, "trio", NOW)
        assert any(len(p["members"]) == 3 and eve.id in p["members"] for p in proposal.pairs)
        [waiting] = proposal.unmatched
        assert waiting["participant"] == dropped_mentor
        assert "wait-list" in proposals.place_unmatched(
            session, proposal, dropped_mentor, proposals.WAITLIST, NOW
        )
        assert proposal.unmatched == [{**waiting, "choice": proposals.WAITLIST}]
