"""Match proposals in the database: compute, edit (swap, drop, place the unmatched), approve.

The pool is every active participant of a program who is not in a live pairing, so late
joiners and re-paired people are matched among themselves without disturbing anyone already
introduced. Previous partners, from any program of the workspace, are never matched again
unless the program allows repeats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot.matching.assign import match_pool
from bot.matching.explain import reason
from bot.matching.scoring import Candidate, Context, Weights, context_for, score_pair
from bot.models import (
    MatchProposal,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramFormat,
    ProgramStatus,
    ProposalStatus,
)

LIVE = (PairingStatus.PROPOSED, PairingStatus.ACTIVE, PairingStatus.PAUSED)
DROPPED = "dropped by the organizer"
WAITLIST = "waitlist"


class MatchingError(Exception):
    """A request the organizer can fix; the message says how."""


class StaleProposal(MatchingError):
    pass


@dataclass(frozen=True)
class Pool:
    mentors: list[Candidate]
    mentees: list[Candidate]
    fingerprint: str

    @property
    def by_id(self) -> dict[int, Candidate]:
        return {c.id: c for c in [*self.mentors, *self.mentees]}


def weights_for(program: Program) -> Weights:
    return Weights.from_settings((program.settings or {}).get("matching_weights"))


def allow_repeats(program: Program) -> bool:
    return bool((program.settings or {}).get("allow_repeats", False))


def load_pool(session: Session, program: Program, now: datetime) -> Pool:
    paired = (
        sa.select(PairingMember.participant_id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .where(Pairing.program_id == program.id, Pairing.status.in_(LIVE))
    )
    people = list(
        session.scalars(
            sa.select(Participant)
            .where(
                Participant.program_id == program.id,
                Participant.status == ParticipantStatus.ACTIVE,
                Participant.id.not_in(paired),
            )
            .order_by(Participant.id)
        )
    )
    history = previous_partners(session, program.team_id, [p.user_id for p in people])
    candidates = [candidate(p, history.get(p.user_id, frozenset()), now) for p in people]
    digest = hashlib.sha256(",".join(str(p.id) for p in people).encode()).hexdigest()
    return Pool(
        mentors=[c for c in candidates if c.role == ParticipantRole.MENTOR.value],
        mentees=[c for c in candidates if c.role == ParticipantRole.MENTEE.value],
        fingerprint=digest,
    )


def previous_partners(
    session: Session, team_id: str, user_ids: Sequence[str]
) -> dict[str, frozenset[str]]:
    """Everyone each person was ever paired with in this workspace, in one query."""
    if not user_ids:
        return {}
    me, them = aliased(PairingMember), aliased(PairingMember)
    mine, theirs = aliased(Participant), aliased(Participant)
    rows = session.execute(
        sa.select(mine.user_id, theirs.user_id)
        .join(me, me.participant_id == mine.id)
        .join(them, sa.and_(them.pairing_id == me.pairing_id, them.id != me.id))
        .join(theirs, theirs.id == them.participant_id)
        .where(mine.team_id == team_id, mine.user_id.in_(user_ids))
    )
    found: dict[str, set[str]] = {}
    for user, partner in rows:
        found.setdefault(user, set()).add(partner)
    return {user: frozenset(partners) for user, partners in found.items()}


def candidate(participant: Participant, previous: frozenset[str], now: datetime) -> Candidate:
    return Candidate(
        id=participant.id,
        user_id=participant.user_id,
        name=participant.display_name or participant.user_id,
        role=participant.role.value,
        career_stage=participant.career_stage.value if participant.career_stage else None,
        department=participant.department or "",
        manager_user_id=participant.manager_user_id,
        skills_offered=tuple(participant.skills_offered or ()),
        skills_wanted=tuple(participant.skills_wanted or ()),
        goals=participant.goals or "",
        meeting_formats=tuple(participant.meeting_formats or ()),
        utc_offset_minutes=utc_offset_minutes(participant.timezone, now),
        not_with=frozenset(participant.not_with or ()),
        previous_partners=previous,
    )


def utc_offset_minutes(timezone: str | None, now: datetime) -> int:
    try:
        offset = now.astimezone(ZoneInfo(timezone or "UTC")).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset else 0


def propose(session: Session, program: Program, *, created_by: str, now: datetime) -> MatchProposal:
    """Compute the best matching of the pool and keep it as the program's open proposal."""
    if program.status is ProgramStatus.ENDED:
        raise MatchingError(f"{program.name} has ended; there is nobody left to match.")
    pool = load_pool(session, program, now)
    if not pool.mentors or not pool.mentees:
        waiting = len(pool.mentors) + len(pool.mentees)
        raise MatchingError(
            f"There are not enough people to match in {program.name} yet: {waiting} waiting, "
            f"and matching needs at least one reverse mentor and one mentee."
        )
    group_size = program.group_size if program.format is ProgramFormat.GROUP else 2
    weights = weights_for(program)
    result = match_pool(
        pool.mentors,
        pool.mentees,
        weights,
        group_size=group_size,
        allow_repeats=allow_repeats(program),
    )
    people = pool.by_id
    context = context_for(people.values(), allow_repeats=allow_repeats(program))
    pairs = [
        _pair_entry([people[match.mentor], *(people[m] for m in match.mentees)], weights, context)
        for match in result.matches
    ]
    session.execute(
        sa.update(MatchProposal)
        .where(MatchProposal.program_id == program.id, MatchProposal.status == ProposalStatus.OPEN)
        .values(status=ProposalStatus.REPLACED)
    )
    proposal = MatchProposal(
        team_id=program.team_id,
        program_id=program.id,
        created_by=created_by,
        pool_fingerprint=pool.fingerprint,
        pairs=pairs,
        unmatched=[{"participant": u.candidate, "reason": u.reason} for u in result.unmatched],
        created_at=now,
    )
    if program.status in (ProgramStatus.DRAFT, ProgramStatus.ENROLLING):
        program.status = ProgramStatus.MATCHING
    session.add(proposal)
    session.flush()
    return proposal


def _pair_entry(members: list[Candidate], weights: Weights, context: Context) -> dict:
    mentor, mentees = members[0], members[1:]
    scores = [score_pair(mentor, mentee, weights, context) for mentee in mentees]
    reasons = [reason(mentor, mentee, s) for mentee, s in zip(mentees, scores, strict=True)]
    return {
        "members": [c.id for c in members],
        "score": round(sum(s.total for s in scores), 3),
        "two_way": all(s.two_way for s in scores),
        "reason": " / ".join(reasons),
    }


def open_proposal(session: Session, team_id: str, proposal_id: int) -> MatchProposal:
    proposal = session.scalar(
        sa.select(MatchProposal).where(
            MatchProposal.team_id == team_id, MatchProposal.id == proposal_id
        )
    )
    if proposal is None:
        raise MatchingError("That proposal no longer exists.")
    if proposal.status is ProposalStatus.APPROVED:
        raise MatchingError("That matching was already approved; nothing changed.")
    if proposal.status is not ProposalStatus.OPEN:
        raise MatchingError("That proposal was replaced by a newer one; use the newest.")
    return proposal


def _context(
    session: Session, proposal: MatchProposal, now: datetime
) -> tuple[Program, dict[int, Candidate], Weights, Context]:
    program = session.get(Program, proposal.program_id)
    assert program is not None
    pool = load_pool(session, program, now)
    if pool.fingerprint != proposal.pool_fingerprint:
        raise StaleProposal(
            "Someone joined or left since this matching was computed. Re-run it to include "
            "everyone as they are now."
        )
    people = pool.by_id
    return (
        program,
        people,
        weights_for(program),
        context_for(people.values(), allow_repeats=allow_repeats(program)),
    )


def drop_pair(session: Session, proposal: MatchProposal, index: int) -> None:
    pairs = list(proposal.pairs)
    if not 0 <= index < len(pairs):
        raise MatchingError("That pair is no longer in the proposal.")
    dropped = pairs.pop(index)
    proposal.pairs = pairs
    proposal.unmatched = [
        *proposal.unmatched,
        *({"participant": member, "reason": DROPPED} for member in dropped["members"]),
    ]


def swap(
    session: Session, proposal: MatchProposal, user_a: str, user_b: str, now: datetime
) -> None:
    """Exchange the partners of two people with the same role in different pairs."""
    if user_a == user_b:
        raise MatchingError("Pick two different people to swap.")
    _, people, weights, context = _context(session, proposal, now)
    by_user = {c.user_id: c for c in people.values()}
    a, b = by_user.get(user_a), by_user.get(user_b)
    if a is None or b is None:
        raise MatchingError("Both people must be in this proposal.")
    if a.role != b.role:
        raise MatchingError(
            "Swap two reverse mentors or two mentees: each then takes the other's partner."
        )
    where = {m: i for i, pair in enumerate(proposal.pairs) for m in pair["members"]}
    if a.id not in where or b.id not in where:
        raise MatchingError("Both people must be in a proposed pair (not unmatched).")
    i, j = where[a.id], where[b.id]
    if i == j:
        raise MatchingError("They are in the same pair already.")
    pairs = [dict(p) for p in proposal.pairs]
    for k, (old, new) in ((i, (a.id, b.id)), (j, (b.id, a.id))):
        pairs[k]["members"] = [new if m == old else m for m in pairs[k]["members"]]
    for k in (i, j):
        members = [people[m] for m in pairs[k]["members"]]
        for mentee in members[1:]:
            excluded = score_pair(members[0], mentee, weights, context).excluded
            if excluded:
                raise MatchingError(
                    f"That swap would pair {members[0].name} with {mentee.name}, who are "
                    f"{excluded}."
                )
        pairs[k] = _pair_entry(members, weights, context)
    proposal.pairs = pairs


def place_unmatched(
    session: Session, proposal: MatchProposal, participant_id: int, choice: str, now: datetime
) -> str:
    """The organizer's choice for someone left over: a trio, a mentor taking two, or waiting."""
    entries = [u for u in proposal.unmatched if u["participant"] == participant_id]
    if not entries:
        raise MatchingError("That person is no longer waiting in this proposal.")
    if choice == WAITLIST:
        proposal.unmatched = [
            {**u, "choice": WAITLIST} if u["participant"] == participant_id else u
            for u in proposal.unmatched
        ]
        return "stays on the wait-list and will be matched with the next people who join"
    _, people, weights, context = _context(session, proposal, now)
    person = people[participant_id]
    if not proposal.pairs:
        raise MatchingError("There is no pair yet to add them to.")
    options = []
    for index, pair in enumerate(proposal.pairs):
        mentor = people[pair["members"][0]]
        if choice == "trio":
            mates = [people[m] for m in pair["members"]]
            others = [m for m in mates if m.role != person.role]
            scores = [
                score_pair(o, person, weights, context)
                if person.role == ParticipantRole.MENTEE.value
                else score_pair(person, o, weights, context)
                for o in others
            ]
            if scores and all(s.excluded is None for s in scores):
                options.append((sum(s.total for s in scores), index))
        elif choice == "second" and person.role == ParticipantRole.MENTEE.value:
            score = score_pair(mentor, person, weights, context)
            if score.excluded is None:
                options.append((score.total, index))
    if not options:
        raise MatchingError("There is no pair they could join without breaking a rule.")
    _, best = max(options)
    pairs = [dict(p) for p in proposal.pairs]
    if choice == "trio":
        members = [people[m] for m in pairs[best]["members"]]
        if person.role == ParticipantRole.MENTOR.value:
            entry = _pair_entry([members[0], *members[1:]], weights, context)
            entry["members"] = [*entry["members"], person.id]
            entry["reason"] += f" / joined by {person.name} as a second reverse mentor"
        else:
            entry = _pair_entry([*members, person], weights, context)
        pairs[best] = entry
        outcome = "joins a trio"
    else:
        mentor = people[pairs[best]["members"][0]]
        pairs.append(_pair_entry([mentor, person], weights, context))
        outcome = f"is matched with {mentor.name}, who mentors two"
    proposal.pairs = pairs
    proposal.unmatched = [u for u in proposal.unmatched if u["participant"] != participant_id]
    return outcome


def approve(
    session: Session, proposal: MatchProposal, *, approved_by: str, now: datetime
) -> list[Pairing]:
    """Create the pairings, once: a second approval (or a retried click) changes nothing."""
    session.refresh(proposal)
    if proposal.status is not ProposalStatus.OPEN:
        raise MatchingError(
            "That matching was already approved; nothing changed."
            if proposal.status is ProposalStatus.APPROVED
            else "That proposal was replaced by a newer one; use the newest."
        )
    program, _, _, _ = _context(session, proposal, now)
    claimed = session.execute(
        sa.update(MatchProposal)
        .where(MatchProposal.id == proposal.id, MatchProposal.status == ProposalStatus.OPEN)
        .values(status=ProposalStatus.APPROVED, approved_by=approved_by, approved_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:
        raise MatchingError("That matching was already approved; nothing changed.")
    pairings = []
    for pair in proposal.pairs:
        pairing = Pairing(
            team_id=proposal.team_id,
            program_id=proposal.program_id,
            status=PairingStatus.ACTIVE,
            score=pair["score"],
            reason=pair["reason"],
            introduced_at=now,
            created_at=now,
        )
        pairing.members = [
            PairingMember(team_id=proposal.team_id, participant_id=member)
            for member in pair["members"]
        ]
        session.add(pairing)
        pairings.append(pairing)
    if program.status is not ProgramStatus.ENDED:
        program.status = ProgramStatus.RUNNING
    session.flush()
    session.refresh(proposal)
    return pairings


def end_for_repairing(
    session: Session, team_id: str, user_id: str, program: Program, *, why: str, now: datetime
) -> Pairing:
    """End a person's live pairing so both can be matched again (never with each other)."""
    pairing = session.scalar(
        sa.select(Pairing)
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .where(
            Pairing.team_id == team_id,
            Pairing.program_id == program.id,
            Pairing.status.in_((PairingStatus.ACTIVE, PairingStatus.PAUSED)),
            Participant.user_id == user_id,
        )
    )
    if pairing is None:
        raise MatchingError("They are not in an active pairing in that program.")
    pairing.status = PairingStatus.REPAIRED
    pairing.ended_at = now
    pairing.end_reason = why
    return pairing


def member_users(session: Session, pairing_ids: Sequence[int]) -> dict[int, list[Participant]]:
    """The participants of each pairing, mentor first, in one query."""
    rows = session.execute(
        sa.select(PairingMember.pairing_id, Participant)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .where(PairingMember.pairing_id.in_(pairing_ids))
        .order_by(PairingMember.pairing_id, PairingMember.id)
    )
    found: dict[int, list[Participant]] = {}
    for pairing_id, participant in rows:
        found.setdefault(pairing_id, []).append(participant)
    return found


def record_channel(session: Session, key: str, channel: str) -> None:
    """After an introduction is sent, remember the pair's conversation."""
    if key.startswith("intro:"):
        pairing_id = int(key.split(":")[1])
        session.execute(
            sa.update(Pairing).where(Pairing.id == pairing_id).values(channel_id=channel)
        )
