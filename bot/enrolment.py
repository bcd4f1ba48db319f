"""Participants joining a program, changing their answers and leaving it.

Pure domain over a `Session`, no Slack. The answers and their rules live in
`bot.join_answers`, and erasing what someone typed in `bot.free_text`; both are re-exported
here, so callers need only this module.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot.db import starts_with
from bot.free_text import erase_free_text
from bot.join_answers import (
    CAREER_STAGE,
    CONSENT,
    DEPARTMENT,
    DEPARTMENT_LENGTH,
    GOALS,
    GOALS_LENGTH,
    MAX_FREE_SKILLS,
    MEETING_FORMATS,
    MEETING_FORMATS_FIELD,
    ROLE,
    SKILLS_OFFERED,
    SKILLS_OFFERED_OTHER,
    SKILLS_WANTED,
    SKILLS_WANTED_OTHER,
    AnswersInvalid,
    JoinAnswers,
    ValidAnswers,
    form_errors,
    split_skills,
    validate,
)
from bot.models import (
    Delivery,
    Invitation,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
)

__all__ = [
    "CAREER_STAGE",
    "CONSENT",
    "DEPARTMENT",
    "DEPARTMENT_LENGTH",
    "GOALS",
    "GOALS_LENGTH",
    "MAX_FREE_SKILLS",
    "MEETING_FORMATS",
    "MEETING_FORMATS_FIELD",
    "ROLE",
    "SKILLS_OFFERED",
    "SKILLS_OFFERED_OTHER",
    "SKILLS_WANTED",
    "SKILLS_WANTED_OTHER",
    "AnswersInvalid",
    "JoinAnswers",
    "JoinRefused",
    "LeaveOutcome",
    "NotActive",
    "Refusal",
    "ValidAnswers",
    "answers_of",
    "enrolments_for_user",
    "erase_free_text",
    "form_errors",
    "get_participant",
    "join",
    "join_refusal",
    "joins_welcomed",
    "leave",
    "own_participant",
    "partners_of",
    "prefill",
    "split_skills",
    "update_answers",
    "validate",
    "welcome_key",
]

LIVE_PAIRINGS = (PairingStatus.ACTIVE, PairingStatus.PAUSED)
END_REASON_LEFT = "a member left"


class Refusal(enum.Enum):
    """Why someone cannot join; a program of another workspace is simply unknown to them."""

    UNKNOWN_PROGRAM = "unknown_program"
    ENDED = "ended"
    CLOSED = "closed"
    ALREADY_JOINED = "already_joined"


class JoinRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


class NotActive(Exception):
    """The participant left (or was deactivated); their answers can no longer be edited."""


@dataclass(frozen=True)
class LeaveOutcome:
    already_left: bool
    erased: bool
    pairing_id: int | None = None
    partner_user_ids: tuple[str, ...] = ()
    channel_id: str | None = None


# -- answers -----------------------------------------------------------------------------------


def answers_of(participant: Participant) -> JoinAnswers:
    """A participant's stored answers, to pre-fill the modal they edit them in."""
    catalogue = participant.program.skills_catalogue or []
    offered, offered_other = split_skills(participant.skills_offered or [], catalogue)
    wanted, wanted_other = split_skills(participant.skills_wanted or [], catalogue)
    return JoinAnswers(
        role=participant.role.value,
        skills_offered=offered,
        skills_offered_other="\n".join(offered_other),
        skills_wanted=wanted,
        skills_wanted_other="\n".join(wanted_other),
        department=participant.department,
        career_stage=participant.career_stage.value if participant.career_stage else None,
        goals=participant.goals,
        meeting_formats=list(participant.meeting_formats or []),
        consent=participant.consent,
    )


def prefill(session: Session, program: Program, user_id: str) -> JoinAnswers:
    """What the join modal starts with: the answers of someone rejoining, else what their
    invitation says (role and department from an HR export), else nothing."""
    existing = _participant(session, program.id, user_id)
    if existing is not None and existing.consent:
        return answers_of(existing)
    invitation = session.scalar(
        sa.select(Invitation).where(
            Invitation.program_id == program.id, Invitation.user_id == user_id
        )
    )
    answers = JoinAnswers()
    if invitation is not None:
        if invitation.role_hint in {role.value for role in ParticipantRole}:
            answers.role = invitation.role_hint
        answers.department = invitation.department_hint or ""
    return answers


# -- joining and editing -----------------------------------------------------------------------


def join_refusal(
    session: Session, team_id: str, program: Program | None, user_id: str, *, lock: bool = False
) -> Refusal | None:
    """Why this person cannot join this program now, or None when they can.

    With `lock`, their earlier enrolment (if any) stays locked until the transaction ends, so
    two submissions at once cannot both take someone back.
    """
    if program is None or program.team_id != team_id:
        return Refusal.UNKNOWN_PROGRAM
    if program.status is ProgramStatus.ENDED:
        return Refusal.ENDED
    if not program.enrolment_open:
        return Refusal.CLOSED
    existing = _participant(session, program.id, user_id, lock=lock)
    if existing is not None and existing.status is ParticipantStatus.ACTIVE:
        return Refusal.ALREADY_JOINED
    return None


def join(
    session: Session,
    program: Program | None,
    user_id: str,
    answers: JoinAnswers,
    *,
    team_id: str,
    display_name: str,
    timezone: str,
    now: datetime,
) -> Participant:
    """Enrol someone, or take back someone who left (the same row: one per program and user).

    Raises `JoinRefused` before looking at the answers, then `AnswersInvalid`.
    """
    refusal = join_refusal(session, team_id, program, user_id, lock=True)
    if refusal is not None:
        raise JoinRefused(refusal)
    assert program is not None
    valid = validate(answers, program.skills_catalogue or [])
    participant = _participant(session, program.id, user_id)
    if participant is None:
        participant = Participant(
            team_id=team_id, program_id=program.id, user_id=user_id, created_at=now
        )
        participant.program = program
        session.add(participant)
    _apply(participant, valid)
    participant.display_name = display_name[:120]
    participant.timezone = timezone[:64]
    participant.status = ParticipantStatus.ACTIVE
    participant.left_at = None
    session.flush()
    return participant


def update_answers(
    session: Session,
    participant: Participant,
    answers: JoinAnswers,
    *,
    display_name: str | None = None,
    timezone: str | None = None,
) -> Participant:
    """Change an active participant's answers (and refresh name and time zone from Slack)."""
    if participant.status is not ParticipantStatus.ACTIVE:
        raise NotActive(participant.id)
    valid = validate(answers, participant.program.skills_catalogue or [])
    _apply(participant, valid)
    if display_name:
        participant.display_name = display_name[:120]
    if timezone:
        participant.timezone = timezone[:64]
    session.flush()
    return participant


def _apply(participant: Participant, valid: ValidAnswers) -> None:
    for key, value in valid.__dict__.items():
        setattr(participant, key, value)


def welcome_key(participant: Participant, number: int) -> str:
    """The outbox key of someone's welcome for their `number`th join: each join is told once."""
    return f"{_welcomes(participant)}{number}"


def _welcomes(participant: Participant) -> str:
    return f"welcome:{participant.id}:"


def joins_welcomed(session: Session, participant: Participant) -> int:
    """How many times this person was welcomed (their joins so far, rejoins included)."""
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(
                Delivery.team_id == participant.team_id,
                starts_with(Delivery.key, _welcomes(participant)),
            )
        )
        or 0
    )


# -- leaving and erasing -----------------------------------------------------------------------


def leave(
    session: Session, participant: Participant, *, erase: bool, now: datetime
) -> LeaveOutcome:
    """Leave the program: the live pairing ends (its other members are returned so they can be
    told), and on request everything the person typed is erased.

    Leaving twice changes nothing, except that a later request to erase is still honoured.
    """
    session.refresh(participant, with_for_update=True)  # two clicks at once leave once
    if participant.status is not ParticipantStatus.ACTIVE:
        if erase:
            erase_free_text(session, participant)
        return LeaveOutcome(already_left=True, erased=erase)
    participant.status = ParticipantStatus.LEFT
    participant.left_at = now
    pairing = _live_pairing(session, participant)
    partners: tuple[str, ...] = ()
    if pairing is not None:
        pairing.status = PairingStatus.ENDED
        pairing.ended_at = now
        pairing.end_reason = END_REASON_LEFT
        partners = tuple(
            member.participant.user_id
            for member in pairing.members
            if member.participant_id != participant.id
        )
    if erase:
        erase_free_text(session, participant)
    session.flush()
    return LeaveOutcome(
        already_left=False,
        erased=erase,
        pairing_id=pairing.id if pairing else None,
        partner_user_ids=partners,
        channel_id=pairing.channel_id if pairing else None,
    )


# -- lookups -----------------------------------------------------------------------------------


def enrolments_for_user(
    session: Session, team_id: str, user_id: str, *, include_left: bool = False
) -> list[Participant]:
    """This person's enrolments in the workspace (active ones unless asked), oldest program
    first, with their programs loaded."""
    query = (
        sa.select(Participant)
        .join(Program, Program.id == Participant.program_id)
        .where(Participant.team_id == team_id, Participant.user_id == user_id)
        .options(selectinload(Participant.program))
        .order_by(Program.created_at, Program.id)
    )
    if not include_left:
        query = query.where(Participant.status == ParticipantStatus.ACTIVE)
    return list(session.scalars(query))


def get_participant(session: Session, team_id: str, participant_id: int) -> Participant | None:
    """A participant of this workspace only: ids from buttons can be tampered with."""
    return session.scalar(
        sa.select(Participant).where(
            Participant.team_id == team_id, Participant.id == participant_id
        )
    )


def own_participant(
    session: Session, team_id: str, user_id: str, participant_id: int | None
) -> Participant | None:
    """The participant a button or form names, only if it is the acting person's own."""
    if participant_id is None:
        return None
    participant = get_participant(session, team_id, participant_id)
    return participant if participant is not None and participant.user_id == user_id else None


def partners_of(session: Session, participant: Participant) -> list[Participant]:
    """The other members of this person's live (active or paused) pairing."""
    pairing = _live_pairing(session, participant)
    if pairing is None:
        return []
    return [m.participant for m in pairing.members if m.participant_id != participant.id]


def _live_pairing(session: Session, participant: Participant) -> Pairing | None:
    return session.scalar(
        sa.select(Pairing)
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .where(
            PairingMember.participant_id == participant.id,
            Pairing.team_id == participant.team_id,
            Pairing.status.in_(LIVE_PAIRINGS),
        )
        .options(selectinload(Pairing.members).selectinload(PairingMember.participant))
        .order_by(Pairing.created_at.desc(), Pairing.id.desc())
        .limit(1)
    )


def _participant(
    session: Session, program_id: int, user_id: str, *, lock: bool = False
) -> Participant | None:
    query = sa.select(Participant).where(
        Participant.program_id == program_id, Participant.user_id == user_id
    )
    if lock:  # and read the row afresh, whatever this session saw of it before
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def mark_deactivated(session: Session, team_id: str, user_id: str, now: datetime) -> int:
    """Slack says this person's account was deactivated: their enrolments stop being active,
    so the health rules tell organizers that the pair needs them. Returns how many changed."""
    result = session.execute(
        sa.update(Participant)
        .where(
            Participant.team_id == team_id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .values(status=ParticipantStatus.DEACTIVATED, left_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
