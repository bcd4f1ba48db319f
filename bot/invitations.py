"""Invitations: who to invite, from what organizers paste or export, and inviting each once.

Rows are checked in two passes. First their format, here: while any row is malformed nothing
is invited, so an organizer fixes the file and runs it again without wondering what already
happened. Then who they are, through a `Directory` (Slack, in production): unknown addresses,
deactivated people and bots are reported one by one and everyone else is invited. An
invitation is a row plus one outbox delivery keyed on program and person, stored in the same
transaction, so inviting someone twice sends one message.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db import insert_or_ignore
from bot.models import (
    Invitation,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramStatus,
)
from bot.outbox import store

EMAIL_LENGTH = 254
DEPARTMENT_LENGTH = 120
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+")
# Pasted text: segments between commas, semicolons and line breaks; in each, addresses in
# angle brackets (from an email's To: line) or words. A quoted name may hold a comma.
_SEGMENT_SEPARATORS = re.compile(r"[,;\r\n]")
_QUOTED_NAME = re.compile(r"\"[^\"\n]*\"(?=\s*<)")
_TOKEN = re.compile(r"<\s*([^<>\s]*)\s*>|([^\s<>]+)")

EMAIL_HEADERS = ("email", "e-mail", "email address", "e-mail address")
ROLE_HEADERS = ("role",)
DEPARTMENT_HEADERS = ("department", "dept")
# What an HR export may call each role; blank means "let them choose when they join".
ROLE_VALUES = {
    "mentor": ParticipantRole.MENTOR,
    "reverse mentor": ParticipantRole.MENTOR,
    "reverse-mentor": ParticipantRole.MENTOR,
    "junior": ParticipantRole.MENTOR,
    "mentee": ParticipantRole.MENTEE,
    "senior": ParticipantRole.MENTEE,
}


# -- format: pasted text and CSV exports ---------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One person to invite as given: a Slack user someone picked, or an email address."""

    email: str | None = None
    user_id: str | None = None
    line: int | None = None  # the CSV line, so reports point at it
    role: ParticipantRole | None = None
    department: str | None = None


@dataclass(frozen=True)
class Problem:
    """Why a row is malformed, and where (a CSV line; None for pasted text or the whole file)."""

    text: str
    line: int | None = None
    given: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}" if self.line is not None else self.text


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_email(text: str) -> bool:
    return len(text) <= EMAIL_LENGTH and _EMAIL.fullmatch(text) is not None


def parse_emails(text: str) -> Parsed:
    """Addresses separated by newlines, commas, semicolons or spaces, as people paste them.

    A To: line works too: in `Ana Lima <ana@example.com>` the words beside an address in
    angle brackets are a name, not a malformed address.
    """
    parsed = Parsed()
    for segment in _SEGMENT_SEPARATORS.split(_QUOTED_NAME.sub(" ", text or "")):
        named = "<" in segment
        for match in _TOKEN.finditer(segment):
            bracketed, word = match.groups()
            if bracketed is None and named and "@" not in word:
                continue  # part of a display name
            token = (bracketed if bracketed is not None else word).removeprefix("mailto:")
            if is_email(token):
                parsed.rows.append(Row(email=token))
            elif token:
                parsed.problems.append(Problem(f"“{token}” is not an email address", given=token))
    return parsed


def parse_csv(text: str) -> Parsed:
    """An HR export: a header line with an `email` column, optionally `role` and `department`.

    Every malformed row is reported with its line number (the header is line 1), so one run
    shows everything to fix.
    """
    text = (text or "").lstrip("\ufeff")
    body = text.lstrip(" \t\r\n")
    offset = text[: len(text) - len(body)].count("\n")  # blank lines before the header
    if not body.strip():
        return Parsed(problems=[Problem("the file is empty; it needs a header line with email")])
    reader = csv.reader(io.StringIO(body, newline=""), _dialect(body.partition("\n")[0]))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as error:
        return Parsed(problems=[Problem(f"cannot read the header ({error})", offset + 1)])
    columns = {
        key: _column(header, names)
        for key, names in (
            ("email", EMAIL_HEADERS),
            ("role", ROLE_HEADERS),
            ("department", DEPARTMENT_HEADERS),
        )
    }
    if columns["email"] is None:
        shown = ", ".join(name for name in header if name)[:200] or "nothing"
        return Parsed(
            problems=[
                Problem(f"the header has no email column (it has: {shown})", offset + 1),
            ]
        )
    parsed = Parsed()
    while True:
        line = offset + reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            parsed.problems.append(Problem(f"cannot read this line ({error})", line))
            break
        if not any(value.strip() for value in record):
            continue
        row, problems = _csv_row(record, line, len(header), columns)
        parsed.problems.extend(problems)
        if row is not None:
            parsed.rows.append(row)
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem("the file has a header but nobody to invite"))
    return parsed


def _dialect(header: str) -> type[csv.Dialect]:
    """Spreadsheets in many countries export with semicolons; tabs come from copy and paste."""
    for delimiter in (",", ";", "\t"):
        if delimiter in header:
            return type("Export", (csv.excel,), {"delimiter": delimiter})
    return csv.excel


def _column(header: list[str], names: Sequence[str]) -> int | None:
    return next((index for index, name in enumerate(header) if name in names), None)


def _csv_row(
    record: list[str], line: int, width: int, columns: dict[str, int | None]
) -> tuple[Row | None, list[Problem]]:
    def cell(key: str) -> str:
        index = columns[key]
        return record[index].strip() if index is not None and index < len(record) else ""

    problems: list[Problem] = []
    if any(value.strip() for value in record[width:]):
        problems.append(
            Problem(f"has {len(record)} values but the header has {width} columns", line)
        )
    email = cell("email").removeprefix("mailto:")
    if not email:
        problems.append(Problem("no email address", line))
    elif not is_email(email):
        problems.append(Problem(f"“{email[:80]}” is not an email address", line, email))
    role_text = " ".join(cell("role").lower().split())
    role = ROLE_VALUES.get(role_text)
    if role_text and role is None:
        problems.append(
            Problem(f"role “{cell('role')[:40]}” is not mentor or mentee (or leave it blank)", line)
        )
    department = " ".join(cell("department").split())
    if len(department) > DEPARTMENT_LENGTH:
        problems.append(Problem(f"keep the department to {DEPARTMENT_LENGTH} characters", line))
    if problems:
        return None, problems
    return Row(email=email, line=line, role=role, department=department or None), []


# -- who they are: a directory of the workspace ---------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: str
    deleted: bool = False
    is_bot: bool = False


class DirectoryUnavailable(Exception):
    """The directory could not answer (not "nobody has that address"): invite no one."""


class Directory(Protocol):
    def by_email(self, email: str) -> Person | None:
        """The person with this address; None when nobody in the workspace has it."""
        ...

    def by_id(self, user_id: str) -> Person | None:
        """The person with this user id; None when the workspace does not know it."""
        ...


@dataclass(frozen=True)
class Resolved:
    row: Row
    person: Person | None


def resolve(rows: Iterable[Row], directory: Directory) -> list[Resolved]:
    """Look every row up once (an address listed twice is asked about once).

    Raises DirectoryUnavailable before anything is stored, so a failed look-up half-way
    through a file leaves nothing half-done.
    """
    by_email: dict[str, Person | None] = {}
    by_id: dict[str, Person | None] = {}
    resolved = []
    for row in rows:
        if row.user_id is not None:
            if row.user_id not in by_id:
                by_id[row.user_id] = directory.by_id(row.user_id)
            person = by_id[row.user_id]
        elif row.email is not None:
            key = row.email.lower()
            if key not in by_email:
                by_email[key] = directory.by_email(row.email)
            person = by_email[key]
        else:
            person = None
        resolved.append(Resolved(row, person))
    return resolved


# -- inviting ---------------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    """What happened to one row, in the order reports list them."""

    INVITED = "invited"
    ALREADY_INVITED = "already invited"
    ALREADY_ENROLLED = "already enrolled"
    UNKNOWN_EMAIL = "unknown email"
    UNKNOWN_USER = "not found in Slack"
    DEACTIVATED = "deactivated"
    BOT = "bot"
    DUPLICATE = "listed twice"


@dataclass(frozen=True)
class Result:
    row: Row
    outcome: Outcome
    user_id: str | None = None


@dataclass
class InviteReport:
    program_id: int
    program_name: str
    results: list[Result] = field(default_factory=list)

    def counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results)

    @property
    def invited(self) -> list[str]:
        """User ids invited by this call (their invitation message is in the outbox)."""
        return [r.user_id for r in self.results if r.outcome is Outcome.INVITED and r.user_id]

    def summary(self) -> str:
        """ "3 invited, 1 already invited, 1 unknown email", in the order of `Outcome`."""
        counts = self.counts()
        parts = [f"{counts[outcome]} {outcome.value}" for outcome in Outcome if counts[outcome]]
        return ", ".join(parts) or "nobody to invite"


class InvitationRefused(Exception):
    """The program cannot take invitations; the message says why, in plain text."""


def refusal(program: Program) -> str | None:
    """Why nobody can be invited to this program now, or None."""
    if program.status is ProgramStatus.ENDED:
        return f"“{program.name}” has ended, so nobody can be invited to it any more."
    if not program.enrolment_open:
        return (
            f"Enrolment for “{program.name}” is closed: open enrolment for it first, "
            "then invite people."
        )
    return None


def delivery_key(program_id: int, user_id: str) -> str:
    return f"invite:{program_id}:{user_id}"


def invite(
    session: Session,
    program: Program,
    resolved_rows: Sequence[Resolved],
    invited_by: str,
    now: datetime,
    *,
    message: store.Message,
) -> InviteReport:
    """Invite everyone resolvable and not yet invited or enrolled; report every row.

    `message` is the invitation (its channel is filled in per person). Each invitation row
    and its delivery are written in the caller's transaction, so either both exist or neither.
    """
    reason = refusal(program)
    if reason is not None:
        raise InvitationRefused(reason)
    candidates = [r.person.user_id for r in resolved_rows if r.person is not None]
    enrolled = _enrolled(session, program.id, candidates)
    report = InviteReport(program.id, program.name)
    seen: set[str] = set()
    for item in resolved_rows:
        person = item.person
        if person is None:
            unknown = Outcome.UNKNOWN_EMAIL if item.row.user_id is None else Outcome.UNKNOWN_USER
            report.results.append(Result(item.row, unknown, item.row.user_id))
            continue
        if person.deleted:
            outcome = Outcome.DEACTIVATED
        elif person.is_bot:
            outcome = Outcome.BOT
        elif person.user_id in seen:
            outcome = Outcome.DUPLICATE
        elif person.user_id in enrolled:
            outcome = Outcome.ALREADY_ENROLLED
        else:
            outcome = _invite_one(session, program, item.row, person, invited_by, now, message)
        seen.add(person.user_id)
        report.results.append(Result(item.row, outcome, person.user_id))
    return report


def _enrolled(session: Session, program_id: int, user_ids: list[str]) -> set[str]:
    if not user_ids:
        return set()
    return set(
        session.scalars(
            sa.select(Participant.user_id).where(
                Participant.program_id == program_id,
                Participant.status == ParticipantStatus.ACTIVE,
                Participant.user_id.in_(set(user_ids)),
            )
        )
    )


def _invite_one(
    session: Session,
    program: Program,
    row: Row,
    person: Person,
    invited_by: str,
    now: datetime,
    message: store.Message,
) -> Outcome:
    inserted = insert_or_ignore(
        session,
        Invitation,
        {
            "team_id": program.team_id,
            "program_id": program.id,
            "user_id": person.user_id,
            "email": row.email,
            "role_hint": row.role.value if row.role else None,
            "department_hint": row.department,
            "invited_by": invited_by,
            "created_at": now,
        },
        conflict=["program_id", "user_id"],
    )
    if not inserted:
        return Outcome.ALREADY_INVITED
    store.enqueue(
        session,
        team_id=program.team_id,
        key=delivery_key(program.id, person.user_id),
        message=replace(message, channel=person.user_id),
        not_before=now,
        program_id=program.id,
    )
    return Outcome.INVITED
