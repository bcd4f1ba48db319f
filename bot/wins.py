"""Wins: short stories participants agree to share, and who may be credited for them.

No Slack here. `credit_line` is the single place that decides what name, if any, goes with a
win: a named win carries the names of its people, an anonymous one only "a pair in <program>",
and an "organizers only" win is read by the organizers alone: it is never listed as shareable
and never published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import (
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    Win,
    WinSharing,
)

TEXT_LENGTH = 2000
SHAREABLE = (WinSharing.NAMED, WinSharing.ANONYMOUS)
LIVE = (PairingStatus.ACTIVE, PairingStatus.PAUSED)
DIGEST_TIME = time(9, 0)  # Mondays, UTC: simple and predictable for every organizer
DIGEST_WINDOW = timedelta(days=7)
UNNAMED = "a colleague"  # a named person whose name Slack never gave us


class WinError(Exception):
    """Something the person can fix or should know; `field` names the modal field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WinInvalid(WinError):
    """Several fields may be wrong at once: a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = errors


class AlreadyPublished(WinError):
    def __init__(self, win: Credited) -> None:
        super().__init__("This win was already published.")
        self.channel = win.published_channel or ""
        self.by = win.published_by or ""


@dataclass(frozen=True)
class Place:
    """Where a win can be recorded for someone: their enrolment and pairing, if any."""

    participant_id: int
    program_id: int
    program_name: str
    pairing_id: int | None


@dataclass(frozen=True)
class Person:
    name: str
    role: ParticipantRole


@dataclass(frozen=True)
class Credited:
    """A win as it may be shown: its text and the credit its sharing choice allows."""

    id: int
    team_id: str
    program_id: int
    program_name: str
    text: str
    sharing: WinSharing
    credit: str
    created_at: datetime
    published_channel: str | None
    published_by: str | None

    @property
    def publishable(self) -> bool:
        return self.sharing in SHAREABLE and bool(self.text)

    @property
    def published(self) -> bool:
        return self.published_channel is not None


# -- recording ---------------------------------------------------------------------------------


def validate_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise WinError("Tell us what happened.", "text")
    if len(cleaned) > TEXT_LENGTH:
        raise WinError(f"Keep it to {TEXT_LENGTH:,} characters (this is {len(cleaned):,}).", "text")
    return cleaned


def parse_sharing(value: str | None) -> WinSharing:
    """The sharing choice is required: there is no default, so nobody shares by accident."""
    try:
        return WinSharing(value or "")
    except ValueError:
        raise WinError("Choose how your win may be shared.", "sharing") from None


def places_for(session: Session, team_id: str, user_id: str) -> list[Place]:
    """Every program this person takes part in (active), each with their live pairing."""
    live = (
        sa.select(Pairing.id)
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .where(PairingMember.participant_id == Participant.id, Pairing.status.in_(LIVE))
        .order_by(Pairing.created_at.desc(), Pairing.id.desc())
        .limit(1)
        .correlate(Participant)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(Participant.id, Program.id, Program.name, live)
        .join(Program, Program.id == Participant.program_id)
        .where(
            Participant.team_id == team_id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .order_by(Program.created_at, Program.id)
    )
    return [Place(*row) for row in rows]


def place_for_pairing(session: Session, team_id: str, user_id: str, pairing_id: int) -> Place:
    """The place behind a Share a win button: only a member of that pairing may use it."""
    row = session.execute(
        sa.select(Participant.id, Program.id, Program.name)
        .join(PairingMember, PairingMember.participant_id == Participant.id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .join(Program, Program.id == Pairing.program_id)
        .where(
            Pairing.team_id == team_id,
            Pairing.id == pairing_id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
    ).first()
    if row is None:
        raise WinError("Only the people in this pairing can share a win from it.")
    participant_id, program_id, name = row
    return Place(participant_id, program_id, name, pairing_id)


def record(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    program_id: int | None,
    pairing_id: int | None,
    text: str | None,
    sharing: str | None,
    now: datetime,
) -> Win:
    """Store a win, checking again who may record it where (modal metadata travels through
    Slack). Raises WinInvalid with a message per field, or WinError."""
    errors: dict[str, str] = {}
    for check, value in ((validate_text, text), (parse_sharing, sharing)):
        try:
            check(value)
        except WinError as error:
            errors[error.field or "text"] = str(error)
    if program_id is None:
        errors["program"] = "Choose the program it comes from."
    if errors:
        raise WinInvalid(errors)
    if pairing_id is not None:
        place: Place | None = place_for_pairing(session, team_id, user_id, pairing_id)
    else:
        place = next(
            (p for p in places_for(session, team_id, user_id) if p.program_id == program_id), None
        )
    if place is None or place.program_id != program_id:
        raise WinError("You don't take part in that program any more.", "program")
    assert program_id is not None
    win = Win(
        team_id=team_id,
        program_id=program_id,
        participant_id=place.participant_id,
        pairing_id=place.pairing_id,
        text=validate_text(text),
        sharing=parse_sharing(sharing),
        created_at=now,
    )
    session.add(win)
    session.flush()
    return win


# -- who is credited ---------------------------------------------------------------------------


def credit_line(
    sharing: WinSharing, program_name: str, people: Sequence[Person], *, paired: bool = True
) -> str:
    """What follows the story's dash, as plain text (escape it to show it). An anonymous win
    never carries a name, whatever is known; named and organizers-only wins (the latter read by
    organizers alone) name their people, reverse mentors first. With nobody left to name, a win
    is credited like an anonymous one."""
    if sharing is WinSharing.ANONYMOUS or not people:
        return f"{'a pair' if paired else 'a participant'} in {program_name}"
    ordered = sorted(people, key=lambda p: p.role is not ParticipantRole.MENTOR)
    names = [
        f"{p.name or UNNAMED} (reverse mentor)"
        if p.role is ParticipantRole.MENTOR
        else p.name or UNNAMED
        for p in ordered
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _people(session: Session, wins: Sequence[Win]) -> dict[int, list[Person]]:
    """Per win, who may be named: the sharer (while still taking part) and the other members
    of the pairing it came from who still take part. A sharer who left names nobody."""
    sharers = {w.participant_id for w in wins if w.participant_id is not None}
    pairings = {w.pairing_id for w in wins if w.pairing_id is not None}
    members: dict[int, list[int]] = defaultdict(list)
    if pairings:
        for pairing_id, participant_id in session.execute(
            sa.select(PairingMember.pairing_id, PairingMember.participant_id)
            .where(PairingMember.pairing_id.in_(pairings))
            .order_by(PairingMember.id)
        ):
            members[pairing_id].append(participant_id)
    wanted = sharers | {p for ps in members.values() for p in ps}
    active = {
        pid: Person(name, role)
        for pid, name, role in session.execute(
            sa.select(Participant.id, Participant.display_name, Participant.role).where(
                Participant.id.in_(wanted), Participant.status == ParticipantStatus.ACTIVE
            )
        )
    }
    found: dict[int, list[Person]] = {}
    for win in wins:
        ids = [win.participant_id, *members.get(win.pairing_id or 0, [])]
        sharer_active = win.participant_id in active
        found[win.id] = (
            [active[p] for p in dict.fromkeys(ids) if p in active] if sharer_active else []
        )
    return found


def credited(session: Session, wins: Sequence[Win]) -> list[Credited]:
    """Wins ready to show, each with the one credit its sharing choice allows."""
    if not wins:
        return []
    names = dict(
        session.execute(
            sa.select(Program.id, Program.name).where(Program.id.in_({w.program_id for w in wins}))
        ).all()
    )
    # Names of anonymous wins are never even looked up.
    people = _people(session, [w for w in wins if w.sharing is not WinSharing.ANONYMOUS])
    return [
        Credited(
            id=w.id,
            team_id=w.team_id,
            program_id=w.program_id,
            program_name=names.get(w.program_id, ""),
            text=w.text,
            sharing=w.sharing,
            credit=credit_line(
                w.sharing,
                names.get(w.program_id, ""),
                people.get(w.id, []),
                paired=bool(w.pairing_id),
            ),
            created_at=w.created_at,
            published_channel=w.published_channel,
            published_by=w.published_by,
        )
        for w in wins
    ]


# -- listing and publishing --------------------------------------------------------------------


def shareable(
    session: Session, team_id: str, program_id: int | None = None, *, limit: int = 20
) -> tuple[list[Credited], int]:
    """The newest shareable wins (named or anonymous, not erased) and how many there are."""
    where = [Win.team_id == team_id, Win.sharing.in_(SHAREABLE), Win.text != ""]
    if program_id is not None:
        where.append(Win.program_id == program_id)
    total = session.scalar(sa.select(sa.func.count(Win.id)).where(*where)) or 0
    rows = session.scalars(
        sa.select(Win).where(*where).order_by(Win.created_at.desc(), Win.id.desc()).limit(limit)
    ).all()
    return credited(session, rows), total


def program_name(session: Session, program_id: int) -> str:
    return session.scalar(sa.select(Program.name).where(Program.id == program_id)) or ""


def get(session: Session, team_id: str, win_id: int) -> Credited | None:
    """A win of this workspace only: ids from buttons can be tampered with."""
    query = sa.select(Win).where(Win.team_id == team_id, Win.id == win_id)
    win = session.scalar(query.execution_options(populate_existing=True))  # as stored now
    return credited(session, [win])[0] if win is not None else None


def check_publishable(win: Credited | None) -> Credited:
    """Refuse what may not go to a channel: missing, erased, organizers only, or already out."""
    if win is None or not win.text:
        raise WinError("That win no longer exists.")
    if win.sharing not in SHAREABLE:
        raise WinError("This win is for the organizers only, so it can't be published.")
    if win.published:
        raise AlreadyPublished(win)
    return win


def claim_publication(session: Session, win: Credited, channel: str, by: str) -> None:
    """Reserve the win for one post (two organizers at once publish it once); committed before
    posting, then confirmed with the message ts or released if Slack refuses."""
    check_publishable(win)
    claimed = session.execute(
        sa.update(Win)
        .where(Win.id == win.id, Win.published_channel.is_(None), Win.sharing.in_(SHAREABLE))
        .values(published_channel=channel, published_by=by)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:
        check_publishable(get(session, win.team_id, win.id))
        raise WinError("That win can't be published.")


def finish_publication(session: Session, win_id: int, by: str, ts: str | None) -> None:
    """Record the posted message's ts, or (no ts: Slack refused) release the claim."""
    query = sa.update(Win).where(Win.id == win_id, Win.published_by == by)
    if ts is None:
        query = query.where(Win.published_ts.is_(None)).values(
            published_channel=None, published_by=None
        )
    else:
        query = query.values(published_ts=ts)
    session.execute(query.execution_options(synchronize_session=False))


# -- the weekly digest -------------------------------------------------------------------------


def digest_instant(now: datetime) -> datetime:
    """This week's digest time: Monday 09:00 UTC of `now`'s week."""
    today = now.astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, DIGEST_TIME, tzinfo=UTC)


def digest_week(now: datetime) -> str | None:
    """The ISO week whose digest is due at `now` ("2026-W49"), or None before Monday 09:00.
    A bot that was down on Monday catches up later in the same week, never for a past one."""
    at = digest_instant(now)
    if now < at:
        return None
    year, number, _ = at.date().isocalendar()
    return f"{year}-W{number:02d}"


def digest_key(program_id: int, organizer: str, week: str) -> str:
    return f"wins-digest:{program_id}:{organizer}:{week}"


@dataclass(frozen=True)
class Digest:
    team_id: str
    program_id: int
    program_name: str
    since: date  # the first day the digest covers
    wins: list[Credited]  # newest first; organizers-only ones included, marked by `sharing`


def _digest_window(now: datetime) -> list[sa.ColumnElement[bool]]:
    end = digest_instant(now)
    return [Win.created_at >= end - DIGEST_WINDOW, Win.created_at < end, Win.text != ""]


def digest_programs(session: Session, now: datetime) -> list[tuple[str, int]]:
    """(team, program) for every program with new wins in the 7 days before this Monday
    09:00 UTC; cheap, so a tick can check which digests are planned before rendering any."""
    if digest_week(now) is None:
        return []
    query = (
        sa.select(Win.team_id, Win.program_id)
        .where(*_digest_window(now))
        .group_by(Win.team_id, Win.program_id)
        .order_by(Win.program_id)
    )
    return [(team, program) for team, program in session.execute(query)]


def digest_for(session: Session, program_id: int, now: datetime) -> Digest | None:
    """A program's digest: its wins of the week, newest first, every sharing choice included
    (organizers may read them all; the sharing says how each may go further)."""
    rows = session.scalars(
        sa.select(Win)
        .where(Win.program_id == program_id, *_digest_window(now))
        .order_by(Win.created_at.desc(), Win.id.desc())
    ).all()
    found = credited(session, rows)
    if not found:
        return None
    since = (digest_instant(now) - DIGEST_WINDOW).date()
    return Digest(found[0].team_id, program_id, found[0].program_name, since, found)
