"""Talking to an organizer: a participant asks, the organizers are told, one of them takes it.

No Slack here. A request belongs to a program the person takes part in; it is read by the
organizers only (never the partner, never a channel). It stays open until one organizer takes
it, and taking is one conditional UPDATE (`... WHERE taken_by IS NULL`), so of two organizers
clicking at once exactly one wins and the other is told who did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import (
    Checkin,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
    TalkRequest,
    TalkTopic,
)

TEXT_LENGTH = 1000  # a few lines to start the conversation; the rest is said in person
TOPIC_WORDS = {
    TalkTopic.CAREER_GOALS: "career goals",
    TalkTopic.MY_PAIRING: "my pairing",
    TalkTopic.SOMETHING_ELSE: "something else",
}
TOPIC = "topic"  # field names, as the modal's block ids
TEXT = "text"


class TalkError(Exception):
    """Something the person should know; `field` names the modal field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TalkInvalid(TalkError):
    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = errors


@dataclass(frozen=True)
class Asker:
    """Who may ask, where: an active participant of a program that has not ended."""

    program_id: int
    program_name: str
    user_id: str
    role: ParticipantRole


@dataclass(frozen=True)
class Taken:
    """The outcome of a click on "I'll reach out": `won` says whether this click took it."""

    request: TalkRequest
    program_name: str
    won: bool


NOT_TAKING_PART = (
    "You're not taking part in that program any more (or it has ended), so I can't pass this "
    "on. You can still message an organizer directly."
)


def asker(session: Session, team_id: str, user_id: str, program_id: int) -> Asker:
    """Check that this person may ask in this program (button values can be stale or forged)."""
    row = session.execute(
        sa.select(Program.id, Program.name, Participant.role)
        .join(Participant, Participant.program_id == Program.id)
        .where(
            Program.team_id == team_id,
            Program.id == program_id,
            Program.status != ProgramStatus.ENDED,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
    ).first()
    if row is None:
        raise TalkError(NOT_TAKING_PART)
    return Asker(row[0], row[1], user_id, row[2])


def asker_for_checkin(session: Session, team_id: str, user_id: str, checkin_id: int) -> Asker:
    """The program behind a check-in's button, if the check-in is the clicker's own."""
    program_id = session.scalar(
        sa.select(Participant.program_id)
        .join(Checkin, Checkin.participant_id == Participant.id)
        .where(
            Checkin.team_id == team_id,
            Checkin.id == checkin_id,
            Participant.user_id == user_id,
        )
    )
    if program_id is None:
        raise TalkError("That button belongs to someone else's check-in, so I left it alone.")
    return asker(session, team_id, user_id, program_id)


def parse_topic(value: object) -> TalkTopic:
    """One of the three topics; anything else (a forged payload too) asks to choose."""
    try:
        return TalkTopic(value if isinstance(value, str) else "")
    except ValueError:
        raise TalkError("Choose what you'd like to talk about.", TOPIC) from None


def clean_text(text: str | None, topic: TalkTopic | None) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > TEXT_LENGTH:
        raise TalkError(
            f"Keep it to {TEXT_LENGTH:,} characters (this is {len(cleaned):,}); "
            "you can say the rest in person.",
            TEXT,
        )
    if not cleaned and topic is TalkTopic.SOMETHING_ELSE:
        raise TalkError("Say a few words about it, so the right organizer reaches out.", TEXT)
    return cleaned


def create_request(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    program_id: int,
    topic: object,
    text: str | None,
    now: datetime,
) -> TalkRequest:
    """Store a request after checking every field and that the person still takes part;
    raises TalkInvalid (a message per field) or TalkError, storing nothing."""
    errors: dict[str, str] = {}
    parsed: TalkTopic | None = None
    try:
        parsed = parse_topic(topic)
    except TalkError as error:
        errors[TOPIC] = str(error)
    try:
        cleaned = clean_text(text, parsed)
    except TalkError as error:
        errors[TEXT] = str(error)
    if errors:
        raise TalkInvalid(errors)
    assert parsed is not None
    asker(session, team_id, user_id, program_id)
    request = TalkRequest(
        team_id=team_id,
        program_id=program_id,
        user_id=user_id,
        topic=parsed,
        text=cleaned,
        requested_at=now,
    )
    session.add(request)
    session.flush()
    return request


def get(session: Session, team_id: str, request_id: int) -> TalkRequest | None:
    """A request of this workspace only, as stored now (another organizer may just have taken
    it)."""
    query = sa.select(TalkRequest).where(
        TalkRequest.team_id == team_id, TalkRequest.id == request_id
    )
    return session.scalar(query.execution_options(populate_existing=True))


def take(
    session: Session, *, team_id: str, request_id: int, organizer: str, now: datetime
) -> Taken:
    """Take a request for this organizer if nobody has: one conditional UPDATE, so two clicks
    at the same moment cannot both win. The caller checks that `organizer` is one."""
    claimed = session.execute(
        sa.update(TalkRequest)
        .where(
            TalkRequest.team_id == team_id,
            TalkRequest.id == request_id,
            TalkRequest.taken_by.is_(None),
        )
        .values(taken_by=organizer, taken_at=now)
        .execution_options(synchronize_session=False)
    )
    request = get(session, team_id, request_id)
    if request is None:
        raise TalkError("That request no longer exists.")
    name = session.scalar(sa.select(Program.name).where(Program.id == request.program_id)) or ""
    return Taken(request, name, won=claimed.rowcount == 1)


def role_of(session: Session, request: TalkRequest) -> ParticipantRole | None:
    """The asker's role in the program, for the organizers' DM (None once the row is gone)."""
    return session.scalar(
        sa.select(Participant.role).where(
            Participant.program_id == request.program_id, Participant.user_id == request.user_id
        )
    )


def open_requests(
    session: Session, team_id: str, program_id: int | None = None, *, limit: int = 20
) -> list[TalkRequest]:
    """Requests nobody has taken yet, oldest first (the longest waiting come first)."""
    query = sa.select(TalkRequest).where(
        TalkRequest.team_id == team_id, TalkRequest.taken_by.is_(None)
    )
    if program_id is not None:
        query = query.where(TalkRequest.program_id == program_id)
    return list(
        session.scalars(query.order_by(TalkRequest.requested_at, TalkRequest.id).limit(limit))
    )


def organizer_key(request_id: int, organizer: str) -> str:
    """The outbox key of one organizer's DM about a request."""
    return f"talk:{request_id}:{organizer}"


def organizer_keys_prefix(request_id: int) -> str:
    return f"talk:{request_id}:"


def taken_key(request_id: int) -> str:
    """The outbox key of the participant's "an organizer will reach out": told once."""
    return f"talk-taken:{request_id}"
