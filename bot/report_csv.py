"""The report's CSV export: pairings, meetings and check-ins, one row each, streamed.

One file with a `section` column (pairing, meeting or checkin) and the same columns for all,
so it opens in any spreadsheet and filters by section. Private check-in comments are in it only
for organizers; the rule is applied in SQL, so for any other reader their text never leaves the
database.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import Checkin, Meeting, MeetingStatus, Pairing, PairingMember, Participant, Program

YIELD_ROWS = 2000  # rows fetched at a time
CSV_COLUMNS = (
    "section",  # pairing, meeting or checkin
    "pairing_id",
    "id",
    "status",
    "people",  # a pairing's members (mentor first), who booked a meeting, who checked in
    "date",  # introduced, starts at (UTC), period start
    "ended",
    "meetings",  # held, per pairing
    "minutes",  # held
    "mood",
    "met",
    "comment",
    "comment_private",
)


def csv_export(session: Session, program: Program, *, include_private: bool) -> str:
    """The whole export as text. Private check-in comments only when `include_private`
    (organizers' eyes only): never pass True for a file that goes to a channel."""
    out = io.StringIO()
    write_csv(session, program, out, include_private=include_private)
    return out.getvalue()


def write_csv(session: Session, program: Program, out: TextIO, *, include_private: bool) -> None:
    """The export into a text stream (a file, a response), row by row."""
    csv.writer(out, lineterminator="\n").writerows(
        csv_rows(session, program, include_private=include_private)
    )


def csv_rows(session: Session, program: Program, *, include_private: bool) -> Iterator[list[Any]]:
    """The export's rows, header first, fetched a few thousand at a time."""
    yield list(CSV_COLUMNS)
    yield from _pairings(session, program)
    yield from _meetings(session, program)
    yield from _checkins(session, program, include_private)


def _pairings(session: Session, program: Program) -> Iterator[list[Any]]:
    members: dict[int, list[str]] = defaultdict(list)
    for pairing_id, user_id in session.execute(
        sa.select(PairingMember.pairing_id, Participant.user_id)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .where(Pairing.program_id == program.id)
        .order_by(PairingMember.pairing_id, PairingMember.id)
    ):
        members[pairing_id].append(user_id)
    held = {
        pairing_id: (int(n), int(minutes or 0))
        for pairing_id, n, minutes in session.execute(
            sa.select(Meeting.pairing_id, sa.func.count(), sa.func.sum(Meeting.minutes_held))
            .join(Pairing, Pairing.id == Meeting.pairing_id)
            .where(Pairing.program_id == program.id, Meeting.status == MeetingStatus.HELD)
            .group_by(Meeting.pairing_id)
        )
    }
    for pairing_id, status, introduced, ended in _streamed(
        session,
        sa.select(Pairing.id, Pairing.status, Pairing.introduced_at, Pairing.ended_at)
        .where(Pairing.program_id == program.id)
        .order_by(Pairing.id),
    ):
        count, minutes = held.get(pairing_id, (0, 0))
        people = " ".join(members.get(pairing_id, []))
        yield [
            "pairing", pairing_id, pairing_id, status.value, people, _day(introduced),
            _day(ended), count, minutes, "", "", "", "",
        ]  # fmt: skip


def _meetings(session: Session, program: Program) -> Iterator[list[Any]]:
    for pairing_id, meeting_id, status, by, starts_at, minutes in _streamed(
        session,
        sa.select(
            Meeting.pairing_id,
            Meeting.id,
            Meeting.status,
            Meeting.proposed_by,
            Meeting.starts_at,
            Meeting.minutes_held,
        )
        .join(Pairing, Pairing.id == Meeting.pairing_id)
        .where(Pairing.program_id == program.id)
        .order_by(Meeting.pairing_id, Meeting.starts_at, Meeting.id),
    ):
        yield [
            "meeting", pairing_id, meeting_id, status.value, by, starts_at.isoformat(), "", "",
            _blank(minutes), "", "", "", "",
        ]  # fmt: skip


def _checkins(session: Session, program: Program, include_private: bool) -> Iterator[list[Any]]:
    # `bot.checkins.visible_comment`, in SQL: a non-organizer never gets a private comment's
    # text, nor the mark that one exists.
    shown = Checkin.comment != ""
    if not include_private:
        shown = sa.and_(shown, Checkin.comment_private.is_(False))
    for row in _streamed(
        session,
        sa.select(
            Checkin.pairing_id,
            Checkin.id,
            Checkin.answered_at,
            Participant.user_id,
            Checkin.period_start,
            Checkin.minutes,
            Checkin.mood,
            Checkin.met,
            sa.case((shown, Checkin.comment), else_=sa.literal("")),
            sa.case((shown, Checkin.comment_private), else_=sa.null()),
        )
        .join(Participant, Participant.id == Checkin.participant_id)
        .where(Participant.program_id == program.id)
        .order_by(Checkin.pairing_id, Checkin.period_start, Checkin.id),
    ):
        pairing_id, checkin_id, answered, user_id, period, minutes, mood, met, text, private = row
        yield [
            "checkin", _blank(pairing_id), checkin_id, "answered" if answered else "unanswered",
            user_id, period.isoformat(), "", "", _blank(minutes), _blank(mood), _yes_no(met),
            _cell(text or ""), _yes_no(private),
        ]  # fmt: skip


def _streamed(session: Session, statement: sa.Select[Any]) -> Iterator[sa.Row[Any]]:
    yield from session.execute(statement.execution_options(yield_per=YIELD_ROWS))


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _cell(text: str) -> str:
    """Free text a spreadsheet will show, not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
