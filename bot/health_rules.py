"""Stall rules: plain facts about one pairing in, findings (why it is at risk, since when, in
words) out.

No database and no Slack here, so every threshold and edge is unit-tested on plain values. The
facts are gathered for all pairings at once by `bot.flags.scan`; what a finding leads to (a
nudge, a flag to organizers) is `bot.flags` and the health planner's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.models import FlagReason, FlagSeverity, MeetingStatus, ParticipantStatus
from bot.rhythm import WORKDAY_END, first_working_morning, local_instant, week_start

# The order findings are reported (and nudges worded) in: what the pair can't fix first.
PAIR_REASONS = (
    FlagReason.MEMBER_LEFT,
    FlagReason.NO_MEETING,
    FlagReason.DECLINED_MEETINGS,
    FlagReason.UNANSWERED_CHECKINS,
    FlagReason.LOW_MOOD,
)
NOT_HAPPENING = (MeetingStatus.DECLINED, MeetingStatus.MISSED)
DECIDED = (MeetingStatus.HELD, *NOT_HAPPENING)  # meetings that count for "in a row"
ANSWER_GRACE = timedelta(days=4)  # asked on the last working day, reminded two days later
MAX_COUNT = 12  # no threshold needs a longer memory than this many periods or meetings
LIMITS = {
    "no_meeting_at_risk_weeks": (1, 52),
    "no_meeting_stalled_weeks": (1, 52),
    "low_mood": (1, 4),  # 5 would flag the happiest pairs
}


@dataclass(frozen=True)
class Thresholds:
    """A program's health thresholds, from `program.settings["health"]` (names as below)."""

    no_meeting_at_risk_weeks: int = 2
    no_meeting_stalled_weeks: int = 3
    unanswered_checkins: int = 2  # periods in a row with no answer from anyone in the pair
    low_mood: int = 2  # a mood this low or lower ...
    low_mood_times: int = 2  # ... this many check-ins in a row, from one member
    declined_meetings: int = 2  # declined or missed meetings in a row

    @classmethod
    def of(cls, settings: Mapping[str, Any] | None) -> Thresholds:
        """Read the thresholds, keeping the default for anything missing or malformed: a typo
        in the settings must not switch the rules off."""
        raw = (settings or {}).get("health")
        raw = raw if isinstance(raw, Mapping) else {}
        values: dict[str, int] = {}
        for spec in fields(cls):
            value = raw.get(spec.name)
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool):
                low, high = LIMITS.get(spec.name, (1, MAX_COUNT))
                values[spec.name] = min(max(value, low), high)
        found = cls(**values)
        if found.no_meeting_stalled_weeks < found.no_meeting_at_risk_weeks:
            found = cls(**{**values, "no_meeting_stalled_weeks": found.no_meeting_at_risk_weeks})
        return found


@dataclass(frozen=True)
class Member:
    participant_id: int
    user_id: str
    status: ParticipantStatus = ParticipantStatus.ACTIVE
    left_at: datetime | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class PairState:
    """What the rules need to know of one active pairing at an instant."""

    pairing_id: int
    watch_from: datetime  # introduced (or the program's start, if later)
    members: tuple[Member, ...]
    last_met: datetime | None = None  # the last held or logged meeting
    # The latest held, declined or missed meetings, newest first, with when it was decided.
    recent_meetings: tuple[tuple[MeetingStatus, datetime], ...] = ()
    # Check-in periods someone in the pair was asked about, newest first: (start, answered).
    checkins: tuple[tuple[date, bool], ...] = ()
    # Each member's latest moods, newest first: participant id -> ((period start, mood), ...).
    moods: Mapping[int, tuple[tuple[date, int], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    reason: FlagReason
    severity: FlagSeverity
    since: datetime  # when the trouble began (the last meeting, the first unanswered period…)
    words: str  # for organizers: names by mention, numbers allowed, never a comment
    nudge_first: bool = True  # False when the pair can't fix it themselves


def assess(
    state: PairState, thresholds: Thresholds, now: datetime, answers_due_before: date
) -> list[Finding]:
    """Every rule that holds for this pairing now, in `PAIR_REASONS` order. A member gone
    hides the rest: the pair can't fix anything while the organizers decide."""
    gone = member_left(state)
    if gone is not None:
        return [gone]
    found = [
        no_meeting(state, thresholds, now),
        declined_in_a_row(state, thresholds),
        unanswered_checkins(state, thresholds, answers_due_before),
        low_mood(state, thresholds),
    ]
    return [finding for finding in found if finding is not None]


def member_left(state: PairState) -> Finding | None:
    gone = [m for m in state.members if m.status is not ParticipantStatus.ACTIVE]
    if not gone:
        return None
    parts = []
    for member in gone:
        did = (
            "was deactivated in Slack"
            if member.status is ParticipantStatus.DEACTIVATED
            else ("left the program")
        )
        when = f" on {day_words(member.left_at)}" if member.left_at else ""
        parts.append(f"<@{member.user_id}> {did}{when}")
    since = min((m.left_at or state.watch_from) for m in gone)
    words = "; ".join(parts) + ", so this pairing can't go on as it is."
    return Finding(FlagReason.MEMBER_LEFT, FlagSeverity.STALLED, since, words, nudge_first=False)


def no_meeting(state: PairState, thresholds: Thresholds, now: datetime) -> Finding | None:
    """Weeks since the last held or logged meeting, or since they were introduced."""
    since = state.last_met if state.last_met and state.last_met > state.watch_from else None
    start = since or state.watch_from
    weeks = (now - start) // timedelta(weeks=1)
    if weeks < thresholds.no_meeting_at_risk_weeks:
        return None
    severity = (
        FlagSeverity.STALLED
        if weeks >= thresholds.no_meeting_stalled_weeks
        else FlagSeverity.AT_RISK
    )
    if since is None:
        words = (
            f"No meeting held or logged in the {weeks} weeks since they were introduced "
            f"on {day_words(start)}."
        )
    else:
        words = f"No meeting held or logged for {weeks} weeks; they last met on {day_words(since)}."
    return Finding(FlagReason.NO_MEETING, severity, start, words)


def declined_in_a_row(state: PairState, thresholds: Thresholds) -> Finding | None:
    recent = [(s, at) for s, at in state.recent_meetings if s in DECIDED and at >= state.watch_from]
    streak = []
    for status, at in recent:
        if status not in NOT_HAPPENING:
            break
        streak.append((status, at))
    if len(streak) < thresholds.declined_meetings:
        return None
    severity = (
        FlagSeverity.STALLED if len(streak) > thresholds.declined_meetings else FlagSeverity.AT_RISK
    )
    declined = sum(1 for s, _ in streak if s is MeetingStatus.DECLINED)
    missed = len(streak) - declined
    kinds = " and ".join(
        part for part in (_count(declined, "declined"), _count(missed, "missed")) if part
    )
    words = f"Their last {len(streak)} meetings did not happen ({kinds}), none held since."
    return Finding(FlagReason.DECLINED_MEETINGS, severity, streak[-1][1], words)


def unanswered_checkins(
    state: PairState, thresholds: Thresholds, answers_due_before: date
) -> Finding | None:
    """Check-in periods in a row that nobody in the pair answered. Only periods starting
    before `answers_due_before` count as unanswered (the caller leaves `ANSWER_GRACE` after a
    period ends); an answer in any period, even one still open, ends the streak."""
    first = week_start(state.watch_from.date())
    streak: list[date] = []
    for period, answered in state.checkins:
        if period < first:
            continue
        if answered:
            break
        if period < answers_due_before:
            streak.append(period)
    if len(streak) < thresholds.unanswered_checkins:
        return None
    severity = (
        FlagSeverity.STALLED
        if len(streak) > thresholds.unanswered_checkins
        else FlagSeverity.AT_RISK
    )
    words = (
        f"Neither of them answered the last {len(streak)} check-ins "
        f"(since the period starting {day_words(streak[-1])})."
    )
    return Finding(FlagReason.UNANSWERED_CHECKINS, severity, midnight(streak[-1]), words)


def low_mood(state: PairState, thresholds: Thresholds) -> Finding | None:
    """One member's latest moods all at or under the threshold (numbers only, no comments)."""
    first = week_start(state.watch_from.date())
    low: list[tuple[Member, list[tuple[date, int]]]] = []
    for member in state.members:
        latest = [
            (period, mood)
            for period, mood in state.moods.get(member.participant_id, ())
            if period >= first
        ][: thresholds.low_mood_times]
        if len(latest) == thresholds.low_mood_times and all(
            mood <= thresholds.low_mood for _, mood in latest
        ):
            low.append((member, latest))
    if not low:
        return None
    parts = [
        f"<@{member.user_id}> rated their mood "
        f"{', '.join(str(mood) for _, mood in reversed(latest))} (out of 5)"
        for member, latest in low
    ]
    words = (
        f"{'; '.join(parts)} in the last {thresholds.low_mood_times} check-ins "
        f"({thresholds.low_mood} or lower each time)."
    )
    since = min(midnight(latest[-1][0]) for _, latest in low)
    return Finding(FlagReason.LOW_MOOD, FlagSeverity.AT_RISK, since, words)


def nudge_time(now: datetime, timezones: Sequence[str]) -> datetime:
    """When to nudge a pair: now if it is a weekday working hour for everyone, else the next
    weekday working morning (`bot.rhythm.first_working_morning`)."""
    zones = list(dict.fromkeys(timezones)) or ["UTC"]
    today = now.date()
    for offset in range(-1, 9):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        morning = first_working_morning(day, zones)
        end = min(local_instant(day, WORKDAY_END, z) for z in zones)
        if morning <= now < end:
            return now
        if morning > now:
            return morning.astimezone(UTC)
    return now


def day_words(instant: datetime | date) -> str:
    """`Mon 9 Nov`: short, and the same in every language setting."""
    return f"{instant:%a} {instant.day} {instant:%b}"


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _count(count: int, word: str) -> str:
    return f"{count} {word}" if count else ""
