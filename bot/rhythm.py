"""A program's calendar: its weeks, its check-in periods, and good local times to write.

Pure functions of plain values, shared by every planner so that they agree on what "week 3"
or "this check-in period" means, in each person's own time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import Program, ProgramStatus

PROMPT_TIME = time(9, 30)  # the default for morning messages, local time
WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def start_date(program: Program) -> date:
    """The first day of the program: its start date, or the day it was created."""
    return program.start_date or program.created_at.date()


def end_date(program: Program) -> date:
    """The day after the last day of the program."""
    return start_date(program) + timedelta(weeks=program.length_weeks)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def program_week(program: Program, day: date) -> int:
    """1 for the week the program starts in, 2 for the next, ...; 0 before it starts."""
    first = week_start(start_date(program))
    if day < start_date(program):
        return 0
    return (week_start(day) - first).days // 7 + 1


def is_running(program: Program, day: date) -> bool:
    return program.status is not ProgramStatus.ENDED and start_date(program) <= day < end_date(
        program
    )


def period_start(program: Program, day: date) -> date:
    """The Monday that starts the check-in period `day` falls in (weekly or every 2 weeks)."""
    weeks = max(program_week(program, day) - 1, 0)
    period = weeks // program.checkin_cadence_weeks * program.checkin_cadence_weeks
    return week_start(start_date(program)) + timedelta(weeks=period)


def local_instant(day: date, at: time, timezone: str | None) -> datetime:
    """`at` o'clock on `day` in a time zone, as an aware datetime (convert with .astimezone)."""
    return datetime.combine(day, at, tzinfo=zone(timezone))


def first_working_morning(week: date, timezones: Sequence[str]) -> datetime:
    """When to write to a pair in the week starting `week` (a Monday): 09:30 on Monday for
    everyone in one zone; across zones, the earliest instant of Monday that is inside every
    member's working day (09:00-17:00) if there is one, else 09:30 in the first member's zone."""
    zones = list(dict.fromkeys(timezones)) or ["UTC"]
    if len(zones) == 1:
        return local_instant(week, PROMPT_TIME, zones[0])
    window_start = max(local_instant(week, WORKDAY_START, z) for z in zones)
    window_end = min(local_instant(week, WORKDAY_END, z) for z in zones)
    if window_start >= window_end:
        return local_instant(week, PROMPT_TIME, zones[0])
    candidate = max(local_instant(week, PROMPT_TIME, z) for z in zones)
    return candidate if candidate < window_end else window_start
