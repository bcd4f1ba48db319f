"""The kickoff meet-and-greet: when and where it is, who comes, and who is told what.

Pure domain over a `Session`, no Slack. An organizer enters the kickoff as a local day and time
in their own zone; it is stored in UTC (`Program.kickoff_at`), and the zone it was entered in is
remembered in the program's settings so the form shows it back the same way.

Invitations, replies and reminders belong to one kickoff *time*: a token `<program>:<epoch>`
rides on the buttons, so a click on the invitation to a kickoff that has since moved is refused
kindly instead of answering for the new time. Moving the kickoff clears the replies (people
said yes to another time) and invites everyone again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db import insert_or_ignore
from bot.models import (
    Delivery,
    KickoffAnswer,
    KickoffReply,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantStatus,
    Program,
    ProgramStatus,
)
from bot.rhythm import local_instant, zone

PLACE_LENGTH = 500  # the column's size
AGENDA_LENGTH = 2000
FOLLOWUP_LENGTH = 1000
KICKOFF_MINUTES = 60  # how long the calendar file blocks
REMINDER_TIME = time(10, 0)  # local, on the last working day before the kickoff
LIVE = (PairingStatus.ACTIVE, PairingStatus.PAUSED)
TIMEZONE_SETTING = "kickoff_timezone"

# Modal fields (block ids), shared by the program modal and the kickoff modal.
DATE = "kickoff_date"
TIME = "kickoff_time"
PLACE = "kickoff_place"
AGENDA = "kickoff_agenda"
FOLLOWUP = "kickoff_followup"


class KickoffInvalid(Exception):
    """Errors by modal field; nothing is stored while there is one."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class KickoffError(Exception):
    """A reply that cannot be taken; the message says why, kindly."""


@dataclass(frozen=True)
class KickoffInput:
    """What the organizer typed: a local day and "HH:MM" (Slack's timepicker) in `timezone`."""

    day: date | None
    at: str | None
    timezone: str
    place: str = ""
    agenda: str = ""
    followup: str = ""


@dataclass(frozen=True)
class ValidKickoff:
    starts_at: datetime | None  # aware UTC; None: no kickoff planned
    place: str
    agenda: str
    followup: str
    timezone: str


def validate(data: KickoffInput, *, now: datetime, current: Program | None = None) -> ValidKickoff:
    """Check every kickoff field at once. A kickoff in the past is refused, unless it is the one
    already stored (editing a program after its kickoff must still save)."""
    errors: dict[str, str] = {}
    starts_at: datetime | None = None
    if data.day is not None and not data.at:
        errors[TIME] = "Pick the kickoff's time too."
    elif data.at and data.day is None:
        errors[DATE] = "Pick the kickoff's day too."
    elif data.day is not None and data.at:
        try:
            hour, minute = (int(part) for part in str(data.at).split(":"))
            local = datetime.combine(data.day, time(hour, minute), tzinfo=zone(data.timezone))
        except (ValueError, TypeError):
            errors[TIME] = "Pick a time from the list."
        else:
            starts_at = local.astimezone(UTC)
            unchanged = current is not None and current.kickoff_at == starts_at
            if starts_at <= now and not unchanged:
                errors[DATE] = "That kickoff time is in the past; pick a later day or time."
    place = data.place.strip()
    agenda = data.agenda.strip()
    followup = data.followup.strip()
    if starts_at is not None and not place:
        errors[PLACE] = "Say where people meet: a room, or a video link."
    for name, value, limit in (
        (PLACE, place, PLACE_LENGTH),
        (AGENDA, agenda, AGENDA_LENGTH),
        (FOLLOWUP, followup, FOLLOWUP_LENGTH),
    ):
        if len(value) > limit:
            errors[name] = f"Keep it to {limit:,} characters (it has {len(value):,})."
    if errors:
        raise KickoffInvalid(errors)
    return ValidKickoff(starts_at, place, agenda, followup, data.timezone)


def apply(session: Session, program: Program, valid: ValidKickoff) -> bool:
    """Store a checked kickoff; True when its time changed (replies to the old time are
    cleared, so the new invitations ask everyone again)."""
    moved = program.kickoff_at != valid.starts_at
    if moved and program.id is not None:
        session.execute(
            sa.delete(KickoffReply).where(
                KickoffReply.team_id == program.team_id, KickoffReply.program_id == program.id
            )
        )
    program.kickoff_at = valid.starts_at
    program.kickoff_place = valid.place
    program.kickoff_agenda = valid.agenda
    program.kickoff_followup = valid.followup
    if valid.starts_at is not None:
        program.settings = {**(program.settings or {}), TIMEZONE_SETTING: valid.timezone}
    return moved


def timezone_of(program: Program | None, default: str = "UTC") -> str:
    """The zone the kickoff was entered in (the form shows it back in the same zone)."""
    if program is None:
        return default
    value = (program.settings or {}).get(TIMEZONE_SETTING)
    return value if isinstance(value, str) and value else default


# -- tokens and keys -----------------------------------------------------------------------------


def epoch(starts_at: datetime) -> int:
    return int(starts_at.timestamp())


def token(program: Program) -> str:
    """What the reply buttons carry: the program and the kickoff time they answer for."""
    assert program.kickoff_at is not None
    return f"{program.id}:{epoch(program.kickoff_at)}"


def parse_token(value: str | None) -> tuple[int, int] | None:
    try:
        program_id, stamp = str(value or "").split(":")
        return int(program_id), int(stamp)
    except ValueError:
        return None


def invitation_key(program_id: int, user_id: str, stamp: int) -> str:
    return f"kickoff-invite:{program_id}:{user_id}:{stamp}"


def calendar_key(program_id: int, user_id: str, stamp: int) -> str:
    return f"kickoff-ics:{program_id}:{user_id}:{stamp}"


def reminder_key(program_id: int, user_id: str, stamp: int) -> str:
    return f"kickoff-reminder:{program_id}:{user_id}:{stamp}"


def followup_key(program_id: int, pairing_id: int, *, with_notes: bool) -> str:
    return f"kickoff-followup:{program_id}:{pairing_id}:{'notes' if with_notes else 'told'}"


# -- replies -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyOutcome:
    previous: KickoffAnswer | None
    answer: KickoffAnswer

    @property
    def changed(self) -> bool:
        return self.previous is not self.answer


def record_reply(
    session: Session,
    program: Program | None,
    user_id: str,
    answer: KickoffAnswer,
    *,
    stamp: int,
    now: datetime,
) -> ReplyOutcome:
    """One answer per person and kickoff; a second click changes it (a repeat changes nothing).

    Only people enrolled in the program answer, and only for the kickoff time they were invited
    to, before it starts.
    """
    if program is None or program.kickoff_at is None:
        raise KickoffError("That kickoff is no longer planned.")
    if epoch(program.kickoff_at) != stamp:
        raise KickoffError(
            "The kickoff has moved since this invitation; answer the newer one I sent you."
        )
    if program.kickoff_at <= now:
        raise KickoffError("The kickoff has already started, so replies are closed.")
    enrolled = session.scalar(
        sa.select(Participant.id).where(
            Participant.team_id == program.team_id,
            Participant.program_id == program.id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
    )
    if enrolled is None:
        raise KickoffError("Only people enrolled in the program can answer this invitation.")
    values = {
        "team_id": program.team_id,
        "program_id": program.id,
        "user_id": user_id,
        "answer": answer,
        "answered_at": now,
        "created_at": now,
    }
    if insert_or_ignore(session, KickoffReply, values, conflict=["program_id", "user_id"]):
        return ReplyOutcome(None, answer)
    reply = session.scalar(
        sa.select(KickoffReply)
        .where(KickoffReply.program_id == program.id, KickoffReply.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert reply is not None
    previous = reply.answer
    if previous is not answer:
        reply.answer = answer
        reply.answered_at = now
    return ReplyOutcome(previous, answer)


@dataclass
class KickoffReplies:
    """Who of the people enrolled now said what (people who left are not counted)."""

    starts_at: datetime
    going: list[str] = field(default_factory=list)
    not_going: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


def replies(session: Session, program: Program) -> KickoffReplies | None:
    """The replies to the program's kickoff, in one query; None when no kickoff is planned."""
    if program.kickoff_at is None:
        return None
    rows = session.execute(
        sa.select(Participant.user_id, KickoffReply.answer)
        .outerjoin(
            KickoffReply,
            sa.and_(
                KickoffReply.program_id == Participant.program_id,
                KickoffReply.user_id == Participant.user_id,
            ),
        )
        .where(
            Participant.team_id == program.team_id,
            Participant.program_id == program.id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .order_by(Participant.id)
    )
    found = KickoffReplies(program.kickoff_at)
    for user_id, answer in rows:
        if answer is KickoffAnswer.GOING:
            found.going.append(user_id)
        elif answer is KickoffAnswer.NOT_GOING:
            found.not_going.append(user_id)
        else:
            found.waiting.append(user_id)
    return found


# -- who is told what, and when ------------------------------------------------------------------


def upcoming(session: Session, now: datetime) -> list[Program]:
    """Programs (not ended) whose kickoff is still ahead: they invite and remind."""
    return list(
        session.scalars(
            sa.select(Program)
            .where(
                Program.kickoff_at.is_not(None),
                Program.kickoff_at > now,
                Program.status != ProgramStatus.ENDED,
            )
            .order_by(Program.id)
        )
    )


def held(session: Session, now: datetime) -> list[Program]:
    """Programs (not ended) whose kickoff is over: pairs introduced since are told about it."""
    return list(
        session.scalars(
            sa.select(Program)
            .where(
                Program.kickoff_at.is_not(None),
                Program.kickoff_at <= now,
                Program.status != ProgramStatus.ENDED,
            )
            .order_by(Program.id)
        )
    )


@dataclass(frozen=True)
class Invitee:
    user_id: str
    timezone: str
    answer: KickoffAnswer | None


def invitees(session: Session, program: Program) -> list[Invitee]:
    """Everyone enrolled now, with their zone and their reply so far (one query)."""
    rows = session.execute(
        sa.select(Participant.user_id, Participant.timezone, KickoffReply.answer)
        .outerjoin(
            KickoffReply,
            sa.and_(
                KickoffReply.program_id == Participant.program_id,
                KickoffReply.user_id == Participant.user_id,
            ),
        )
        .where(
            Participant.team_id == program.team_id,
            Participant.program_id == program.id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .order_by(Participant.id)
    )
    return [Invitee(user, timezone or "UTC", answer) for user, timezone, answer in rows]


def reminder_at(starts_at: datetime, timezone: str | None) -> datetime:
    """10:00 on the last working day (Monday to Friday) before the kickoff, both in the
    invitee's own zone: a Monday kickoff is recalled on Friday, not in someone's Sunday."""
    day = starts_at.astimezone(zone(timezone)).date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return local_instant(day, REMINDER_TIME, timezone).astimezone(UTC)


def invited_at(session: Session, team_id: str, keys: list[str]) -> dict[str, datetime]:
    """When each of these invitations was planned (its `not_before`), by key."""
    if not keys:
        return {}
    return {
        key: at
        for key, at in session.execute(
            sa.select(Delivery.key, Delivery.not_before).where(
                Delivery.team_id == team_id, Delivery.key.in_(keys)
            )
        )
    }


@dataclass(frozen=True)
class LatePairing:
    pairing_id: int
    channel_id: str
    members: tuple[str, ...]


def late_pairings(session: Session, program: Program) -> list[LatePairing]:
    """Live pairings introduced after the kickoff whose conversation exists (so the
    introduction went out first), each with its members' user ids."""
    if program.kickoff_at is None:
        return []
    rows = session.execute(
        sa.select(Pairing.id, Pairing.channel_id, Participant.user_id)
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .where(
            Pairing.team_id == program.team_id,
            Pairing.program_id == program.id,
            Pairing.status.in_(LIVE),
            Pairing.introduced_at > program.kickoff_at,
            Pairing.channel_id.is_not(None),
        )
        .order_by(Pairing.id, PairingMember.id)
    )
    found: dict[int, tuple[str, list[str]]] = {}
    for pairing_id, channel_id, user_id in rows:
        found.setdefault(pairing_id, (channel_id, []))[1].append(user_id)
    return [LatePairing(pid, channel, tuple(users)) for pid, (channel, users) in found.items()]
