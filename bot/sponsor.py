"""The executive sponsor: a named leader whose short message opens the program, and who gets a
monthly summary to talk the program up.

Pure domain over a `Session`, no Slack: what Slack says of the person (users.info) arrives as
a plain `SlackUser`. The sponsor's time zone is remembered in the program's settings, so the
summary lands in their morning.

**Monthly**, precisely: the summary for a month is due at 09:00 on the 1st of that month in the
sponsor's zone and goes out at the first tick on or after it, within the same month (a bot that
was down on the 1st catches up later that month, never for a past month). It is sent only while
the program is running (status *running*) and only if the program started before that month
began, so a program is never summarised before it has run. Its outbox key,
`sponsor-summary:<program>:<YYYY-MM>`, makes it exactly once per program and month, on any
number of replicas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import rhythm, wins
from bot.models import Program, ProgramStatus
from bot.status import ProgramHealth, program_health

MESSAGE_LENGTH = 1000
SUMMARY_TIME = time(9, 0)  # on the 1st of each month, in the sponsor's zone
TIMEZONE_SETTING = "sponsor_timezone"
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")

# Modal fields (block ids) in the program modal.
SPONSOR = "sponsor"
MESSAGE = "sponsor_message"


class SponsorInvalid(Exception):
    """Errors by modal field; nothing is stored while there is one."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SlackUser:
    """What Slack said of the person picked as sponsor (users.info): `found` is False for
    user_not_found."""

    user_id: str
    found: bool
    deleted: bool = False
    is_bot: bool = False
    timezone: str = "UTC"


@dataclass(frozen=True)
class ValidSponsor:
    user_id: str | None
    message: str
    timezone: str


def validate(person: SlackUser | None, message: str | None) -> ValidSponsor:
    """A sponsor must be an active human in the workspace; a message needs someone to credit."""
    errors: dict[str, str] = {}
    text = (message or "").strip()
    if person is None:
        if text:
            errors[SPONSOR] = "Pick the sponsor this message is from, or clear the message."
    elif not USER_ID.fullmatch(person.user_id) or not person.found:
        errors[SPONSOR] = "I can't find that person in this workspace; pick someone else."
    elif person.deleted:
        errors[SPONSOR] = "That person's Slack account is deactivated; pick an active colleague."
    elif person.is_bot:
        errors[SPONSOR] = "That is a bot, not a person; pick a colleague as sponsor."
    if len(text) > MESSAGE_LENGTH:
        errors[MESSAGE] = (
            f"Keep the message to {MESSAGE_LENGTH:,} characters (it has {len(text):,})."
        )
    if errors:
        raise SponsorInvalid(errors)
    if person is None:
        return ValidSponsor(None, "", "UTC")
    return ValidSponsor(person.user_id, text, person.timezone or "UTC")


def apply(program: Program, valid: ValidSponsor) -> None:
    program.sponsor_user_id = valid.user_id
    program.sponsor_message = valid.message
    settings = dict(program.settings or {})
    if valid.user_id:
        settings[TIMEZONE_SETTING] = valid.timezone
    else:
        settings.pop(TIMEZONE_SETTING, None)
    program.settings = settings


def timezone_of(program: Program) -> str:
    value = (program.settings or {}).get(TIMEZONE_SETTING)
    return value if isinstance(value, str) and value else "UTC"


def quote(program: Program) -> tuple[str, str] | None:
    """(sponsor's user id, message) when the program has both, for announcements and welcomes."""
    user_id, message = program.sponsor_user_id, (program.sponsor_message or "").strip()
    if user_id and USER_ID.fullmatch(user_id) and message:
        return user_id, message
    return None


# -- the monthly summary -------------------------------------------------------------------------


def summary_month(program: Program, now: datetime) -> str | None:
    """The month ("2027-01") whose summary is due at `now`, or None (see the module's
    docstring for the rule)."""
    if program.status is not ProgramStatus.RUNNING or not program.sponsor_user_id:
        return None
    timezone = timezone_of(program)
    local = now.astimezone(rhythm.zone(timezone))
    first = local.date().replace(day=1)
    if now < rhythm.local_instant(first, SUMMARY_TIME, timezone):
        return None
    if rhythm.start_date(program) >= first:
        return None  # it had not started before this month: nothing to tell yet
    return f"{first:%Y-%m}"


def summary_key(program_id: int, month: str) -> str:
    return f"sponsor-summary:{program_id}:{month}"


def due(session: Session, now: datetime) -> list[tuple[Program, str]]:
    """Running programs with a sponsor, each with the month whose summary is due now."""
    candidates = session.scalars(
        sa.select(Program)
        .where(Program.status == ProgramStatus.RUNNING, Program.sponsor_user_id.is_not(None))
        .order_by(Program.id)
    )
    found = []
    for program in candidates:
        month = summary_month(program, now)
        if month is not None:
            found.append((program, month))
    return found


@dataclass(frozen=True)
class SponsorSummary:
    program: Program
    sponsor_user_id: str
    month: str  # "2027-01"
    week: int  # the program's week now (1 = its first)
    health: ProgramHealth
    win: wins.Credited | None  # the newest shareable win, if any
    now: datetime


def summary_for(session: Session, program: Program, now: datetime) -> SponsorSummary | None:
    """The status figures and the newest shareable win, for the sponsor's monthly message."""
    month = summary_month(program, now)
    if month is None or program.sponsor_user_id is None:
        return None
    newest, _ = wins.shareable(session, program.team_id, program.id, limit=1)
    return SponsorSummary(
        program=program,
        sponsor_user_id=program.sponsor_user_id,
        month=month,
        week=min(rhythm.program_week(program, now.date()), program.length_weeks),
        health=program_health(session, program, now),
        win=newest[0] if newest else None,
        now=now,
    )
