"""Coffee meetings: the state machine of a pair's meetings, and every rule it keeps.

proposed ─accept→ confirmed ─"did you meet?" yes→ held
   │  └─suggest another time→ countered (a new proposal replaces it)
   └─can't make it→ declined           confirmed ─no→ missed ─cancel→ cancelled
A meeting logged afterwards (`/mentoring log`) is held from the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import (
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
)

DURATIONS = (30, 45, 60, 90)
FORMATS = {"coffee": "Coffee", "lunch": "Lunch", "walk": "A walk", "video": "Video call"}
LIVE = (PairingStatus.ACTIVE, PairingStatus.PAUSED)
MAX_LOGGED_MINUTES = 8 * 60
LOCATION_LENGTH = 500
TOPIC_LENGTH = 500


class MeetingError(Exception):
    """Something the person can fix; the message says what. `field` names the modal field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Proposal:
    starts_at: datetime
    duration_minutes: int
    format: str = "coffee"
    location: str = ""
    topic: str = ""


def members(session: Session, pairing_id: int) -> list[Participant]:
    return list(
        session.scalars(
            sa.select(Participant)
            .join(PairingMember, PairingMember.participant_id == Participant.id)
            .where(PairingMember.pairing_id == pairing_id)
            .order_by(PairingMember.id)
        )
    )


def pairing_of(session: Session, team_id: str, pairing_id: int) -> Pairing | None:
    return session.scalar(
        sa.select(Pairing).where(Pairing.team_id == team_id, Pairing.id == pairing_id)
    )


def live_pairings_of(session: Session, team_id: str, user_id: str) -> list[Pairing]:
    return list(
        session.scalars(
            sa.select(Pairing)
            .join(PairingMember, PairingMember.pairing_id == Pairing.id)
            .join(Participant, Participant.id == PairingMember.participant_id)
            .where(
                Pairing.team_id == team_id,
                Participant.user_id == user_id,
                Pairing.status.in_(LIVE),
            )
            .order_by(Pairing.id)
        )
    )


def require_member(session: Session, pairing: Pairing, user_id: str) -> list[Participant]:
    people = members(session, pairing.id)
    if user_id not in {p.user_id for p in people}:
        raise MeetingError("Only the people in this pairing can answer that.")
    return people


def get_meeting(session: Session, team_id: str, meeting_id: int) -> Meeting:
    meeting = session.scalar(
        sa.select(Meeting).where(Meeting.team_id == team_id, Meeting.id == meeting_id)
    )
    if meeting is None:
        raise MeetingError("That meeting no longer exists.")
    return meeting


def validate(
    session: Session, pairing: Pairing, proposal: Proposal, now: datetime, *, ignore: int | None
) -> None:
    if pairing.status not in LIVE:
        raise MeetingError("This pairing has ended, so it can't book meetings.", "date")
    if proposal.duration_minutes <= 0 or proposal.duration_minutes not in DURATIONS:
        raise MeetingError("Pick a duration of 30, 45, 60 or 90 minutes.", "duration")
    if proposal.starts_at <= now:
        raise MeetingError("That time has passed; pick a time in the future.", "time")
    if proposal.format not in FORMATS:
        raise MeetingError("Pick coffee, lunch, a walk or a video call.", "format")
    if len(proposal.location) > LOCATION_LENGTH:
        raise MeetingError(f"Keep the place or link to {LOCATION_LENGTH} characters.", "location")
    if len(proposal.topic) > TOPIC_LENGTH:
        raise MeetingError(f"Keep the topic to {TOPIC_LENGTH} characters.", "topic")
    ends_at = proposal.starts_at + timedelta(minutes=proposal.duration_minutes)
    for other in session.scalars(
        sa.select(Meeting).where(
            Meeting.pairing_id == pairing.id,
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at < ends_at,
            Meeting.starts_at > proposal.starts_at - timedelta(minutes=max(DURATIONS)),
        )
    ):
        if other.id != ignore and other.starts_at + timedelta(minutes=other.duration_minutes) > (
            proposal.starts_at
        ):
            raise MeetingError("You already have a meeting booked at that time.", "time")


def propose(
    session: Session,
    pairing: Pairing,
    proposed_by: str,
    proposal: Proposal,
    now: datetime,
    *,
    replaces: Meeting | None = None,
) -> Meeting:
    require_member(session, pairing, proposed_by)
    validate(session, pairing, proposal, now, ignore=None)
    if replaces is not None:
        _expect(replaces, MeetingStatus.PROPOSED)
        replaces.status = MeetingStatus.COUNTERED
        replaces.updated_at = now
    meeting = Meeting(
        team_id=pairing.team_id,
        pairing_id=pairing.id,
        proposed_by=proposed_by,
        starts_at=proposal.starts_at,
        duration_minutes=proposal.duration_minutes,
        format=proposal.format,
        location=proposal.location.strip(),
        topic=proposal.topic.strip(),
        replaces_id=replaces.id if replaces else None,
        status=MeetingStatus.PROPOSED,
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    return meeting


def _expect(meeting: Meeting, *statuses: MeetingStatus) -> None:
    if meeting.status not in statuses:
        raise MeetingError(ALREADY.get(meeting.status, "That meeting has moved on already."))


ALREADY = {
    MeetingStatus.CONFIRMED: "This meeting is already confirmed.",
    MeetingStatus.DECLINED: "This proposal was already declined.",
    MeetingStatus.COUNTERED: "Another time was suggested instead; answer that one.",
    MeetingStatus.CANCELLED: "This meeting was cancelled.",
    MeetingStatus.HELD: "This meeting is already logged as held.",
    MeetingStatus.MISSED: "This meeting is already logged as missed.",
    MeetingStatus.PROPOSED: "This meeting is not confirmed yet.",
}


def answer_proposal(
    session: Session, meeting: Meeting, user_id: str, accept: bool, now: datetime
) -> Meeting:
    """The partner accepts or declines; the proposer cannot answer their own proposal."""
    pairing = session.get(Pairing, meeting.pairing_id)
    assert pairing is not None
    require_member(session, pairing, user_id)
    _expect(meeting, MeetingStatus.PROPOSED)
    if user_id == meeting.proposed_by:
        raise MeetingError("Your partner answers this one; you proposed it.")
    if accept:
        if meeting.starts_at <= now:
            raise MeetingError("That time has passed; suggest another time instead.")
        validate(
            session,
            pairing,
            Proposal(meeting.starts_at, meeting.duration_minutes, meeting.format),
            now,
            ignore=meeting.id,
        )
    meeting.status = MeetingStatus.CONFIRMED if accept else MeetingStatus.DECLINED
    meeting.updated_at = now
    return meeting


def cancel(session: Session, meeting: Meeting, user_id: str, now: datetime) -> Meeting:
    pairing = session.get(Pairing, meeting.pairing_id)
    assert pairing is not None
    require_member(session, pairing, user_id)
    _expect(meeting, MeetingStatus.CONFIRMED, MeetingStatus.PROPOSED)
    meeting.status = MeetingStatus.CANCELLED
    meeting.updated_at = now
    meeting.note = f"cancelled by {user_id}"
    return meeting


@dataclass(frozen=True)
class Answer:
    meeting: Meeting
    first: bool  # the first answer logged it; a later one only confirms


def did_we_meet(
    session: Session,
    meeting: Meeting,
    user_id: str,
    answer: str,
    now: datetime,
    minutes: int | None = None,
) -> Answer:
    """ "yes" (with minutes), "no" or "moved". The first answer logs; the partner confirms."""
    pairing = session.get(Pairing, meeting.pairing_id)
    assert pairing is not None
    require_member(session, pairing, user_id)
    if answer == "yes":
        if minutes is None or not 0 < minutes <= MAX_LOGGED_MINUTES:
            raise MeetingError("Say how long you met, in minutes.", "minutes")
        first = meeting.status is not MeetingStatus.HELD
        if first:
            _expect(meeting, MeetingStatus.CONFIRMED, MeetingStatus.MISSED)
            meeting.status = MeetingStatus.HELD
            meeting.minutes_held = minutes
        if user_id not in meeting.held_confirmed_by:
            meeting.held_confirmed_by = [*meeting.held_confirmed_by, user_id]
        meeting.updated_at = now
        return Answer(meeting, first)
    if answer == "no":
        if meeting.status in (MeetingStatus.HELD, MeetingStatus.MISSED):
            return Answer(meeting, False)
        _expect(meeting, MeetingStatus.CONFIRMED)
        meeting.status = MeetingStatus.MISSED
        meeting.updated_at = now
        return Answer(meeting, True)
    if answer == "moved":
        if meeting.status is MeetingStatus.CANCELLED:
            return Answer(meeting, False)
        _expect(meeting, MeetingStatus.CONFIRMED, MeetingStatus.MISSED)
        meeting.status = MeetingStatus.CANCELLED
        meeting.note = "moved"
        meeting.updated_at = now
        return Answer(meeting, True)
    raise MeetingError("Answer yes, no or we moved it.")


def log_meeting(
    session: Session, pairing: Pairing, user_id: str, minutes: int, note: str, now: datetime
) -> Meeting:
    """A meeting held without booking it first (a corridor chat counts too)."""
    require_member(session, pairing, user_id)
    if pairing.status not in LIVE:
        raise MeetingError("This pairing has ended, so it can't log meetings.")
    if not 0 < minutes <= MAX_LOGGED_MINUTES:
        raise MeetingError(f"Log between 1 and {MAX_LOGGED_MINUTES} minutes.")
    meeting = Meeting(
        team_id=pairing.team_id,
        pairing_id=pairing.id,
        proposed_by=user_id,
        starts_at=now - timedelta(minutes=minutes),
        duration_minutes=minutes,
        status=MeetingStatus.HELD,
        minutes_held=minutes,
        held_confirmed_by=[user_id],
        logged_without_booking=True,
        note=note.strip()[:1000],
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    return meeting


def minutes_held(session: Session, pairing_id: int) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Meeting.minutes_held), 0)).where(
                Meeting.pairing_id == pairing_id, Meeting.status == MeetingStatus.HELD
            )
        )
        or 0
    )


def next_meeting(session: Session, pairing_id: int, now: datetime) -> Meeting | None:
    return session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.pairing_id == pairing_id,
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


REMINDER_HOUR = 8  # the morning of the meeting, local time
EARLY_MEETING_HOUR = 10  # starting before this (for anyone), remind an hour ahead instead
FOLLOW_UP_AFTER = timedelta(minutes=10)


def local_time(instant: datetime, timezone: str | None) -> datetime:
    try:
        return instant.astimezone(ZoneInfo(timezone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return instant.astimezone(ZoneInfo("UTC"))


def reminder_at(starts_at: datetime, timezones: list[str]) -> datetime:
    """The morning of the meeting in the earliest member's zone, or an hour before a meeting
    that starts early in someone's day."""
    zones = timezones or ["UTC"]
    if any(local_time(starts_at, tz).hour < EARLY_MEETING_HOUR for tz in zones):
        return starts_at - timedelta(hours=1)
    mornings = []
    for tz in zones:
        local = local_time(starts_at, tz)
        mornings.append(local.replace(hour=REMINDER_HOUR, minute=0, second=0, microsecond=0))
    return min(m.astimezone(starts_at.tzinfo) for m in mornings)


def follow_up_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes) + FOLLOW_UP_AFTER


@dataclass(frozen=True)
class Due:
    meeting: Meeting
    pairing: Pairing
    people: list[Participant]


def due_follow_ups(session: Session, now: datetime) -> tuple[list[Due], list[Due]]:
    """Confirmed meetings whose reminder, or whose "did you meet?", is due at `now`.

    Two queries whatever the number of pairs: the meetings near now, then their people.
    """
    window = session.execute(
        sa.select(Meeting, Pairing)
        .join(Pairing, Pairing.id == Meeting.pairing_id)
        .where(
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at > now - timedelta(days=7),
            Meeting.starts_at <= now + timedelta(days=1),
            Pairing.status.in_(LIVE),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    if not window:
        return [], []
    people: dict[int, list[Participant]] = {}
    for pairing_id, participant in session.execute(
        sa.select(PairingMember.pairing_id, Participant)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .where(PairingMember.pairing_id.in_({pairing.id for _, pairing in window}))
        .order_by(PairingMember.id)
    ):
        people.setdefault(pairing_id, []).append(participant)
    reminders, follow_ups = [], []
    for meeting, pairing in window:
        members_ = people.get(pairing.id, [])
        due = Due(meeting, pairing, members_)
        if follow_up_at(meeting) <= now:
            follow_ups.append(due)
        elif (
            meeting.starts_at > now
            and reminder_at(meeting.starts_at, [p.timezone for p in members_]) <= now
        ):
            reminders.append(due)
    return reminders, follow_ups
