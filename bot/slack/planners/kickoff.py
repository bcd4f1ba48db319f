"""Kickoff messages the tick plans: invitations, the reminder the day before, and the note to
pairs introduced after the kickoff.

- **Invitations** go to everyone enrolled while the kickoff is ahead, including people who join
  later (the next tick invites them), once per person and kickoff time
  (`kickoff-invite:<program>:<user>:<epoch>`): a moved kickoff invites everyone again. Each
  comes with the kickoff's calendar (.ics) file (`kickoff-ics:<program>:<user>:<epoch>`).
- **Reminders** go at 10:00 on the day before the kickoff, in each person's own zone
  (`kickoff-reminder:<program>:<user>:<epoch>`), to everyone who has not said they can't make
  it and was invited before then (an invitation sent on the day is reminder enough).
- **Pairs introduced after the kickoff** are told it happened, once their conversation exists
  (the introduction went out first), with the recording or notes when the organizer added them
  (`kickoff-followup:<program>:<pairing>:notes`); a pair told before the notes were added gets
  the notes alone when they are (`...:told` then `...:notes`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import kickoff
from bot.models import KickoffAnswer, Program, ProgramStatus
from bot.outbox import store
from bot.slack.blocks import kickoff as blocks

ADD_TO_CALENDAR = "Add the kickoff to your calendar:"


def plan(session: Session, now: datetime) -> int:
    planned = 0
    for program in kickoff.upcoming(session, now):
        planned += plan_program(session, program, now)
    for program in kickoff.held(session, now):
        planned += plan_followups(session, program, now)
    return planned


def plan_program(session: Session, program: Program, now: datetime) -> int:
    """The invitations not sent yet and the reminders due now, for one program's kickoff."""
    return invite(session, program, now) + remind(session, program, now)


def _upcoming(program: Program, now: datetime) -> bool:
    return (
        program.kickoff_at is not None
        and program.kickoff_at > now
        and program.status is not ProgramStatus.ENDED
    )


def invite(session: Session, program: Program, now: datetime) -> int:
    """Invite everyone enrolled who has no invitation to this kickoff time yet; how many.

    Also called right after an organizer sets the kickoff, so invitations leave in seconds.
    """
    if not _upcoming(program, now):
        return 0
    assert program.kickoff_at is not None
    stamp = kickoff.epoch(program.kickoff_at)
    people = {
        kickoff.invitation_key(program.id, person.user_id, stamp): person.user_id
        for person in kickoff.invitees(session, program)
    }
    fresh = set(people) - store.planned_keys(session, program.team_id, list(people))
    if not fresh:
        return 0
    text, message_blocks = blocks.invitation(program)
    filename, content = blocks.calendar_file(program, now)
    calendar = {"filename": filename, "title": f"Kickoff: {program.name}", "content": content}
    invited = store.enqueue_many(
        session,
        team_id=program.team_id,
        planned=[(key, store.Message(people[key], text, message_blocks)) for key in sorted(fresh)],
        not_before=now,
        program_id=program.id,
    )
    # Each calendar file follows its invitation (the sender keeps the order it was planned in).
    store.enqueue_many(
        session,
        team_id=program.team_id,
        planned=[
            (
                kickoff.calendar_key(program.id, people[key], stamp),
                store.Message(people[key], ADD_TO_CALENDAR, file=calendar),
            )
            for key in sorted(fresh)
        ],
        not_before=now,
        program_id=program.id,
    )
    return invited


def remind(session: Session, program: Program, now: datetime) -> int:
    """The reminders due now: from 10:00 local on the day before, to everyone invited before
    then who has not said they can't make it."""
    if not _upcoming(program, now):
        return 0
    assert program.kickoff_at is not None
    stamp = kickoff.epoch(program.kickoff_at)
    people = {
        kickoff.invitation_key(program.id, person.user_id, stamp): person
        for person in kickoff.invitees(session, program)
        if person.answer is not KickoffAnswer.NOT_GOING
        and kickoff.reminder_at(program.kickoff_at, person.timezone) <= now
    }
    invited = kickoff.invited_at(session, program.team_id, list(people))
    due = {
        kickoff.reminder_key(program.id, person.user_id, stamp): person
        for key, person in people.items()
        if key in invited
        and invited[key] < kickoff.reminder_at(program.kickoff_at, person.timezone)
    }
    fresh = set(due) - store.planned_keys(session, program.team_id, list(due)) if due else set()
    if not fresh:
        return 0
    rendered = {answer: blocks.reminder(program, answer) for answer in (None, *KickoffAnswer)}
    return store.enqueue_many(
        session,
        team_id=program.team_id,
        planned=[
            (key, store.Message(due[key].user_id, *rendered[due[key].answer]))
            for key in sorted(fresh)
        ],
        not_before=now,
        program_id=program.id,
    )


def plan_followups(session: Session, program: Program, now: datetime) -> int:
    """Tell pairs introduced after the kickoff about it (and about its notes, once added)."""
    late = kickoff.late_pairings(session, program)
    if not late:
        return 0
    with_notes = bool(program.kickoff_followup.strip())
    keys = {
        pairing.pairing_id: (
            kickoff.followup_key(program.id, pairing.pairing_id, with_notes=False),
            kickoff.followup_key(program.id, pairing.pairing_id, with_notes=True),
        )
        for pairing in late
    }
    existing = store.planned_keys(
        session, program.team_id, [key for pair in keys.values() for key in pair]
    )
    rows: list[tuple[str, store.Message]] = []
    for pairing in late:
        told, notes = keys[pairing.pairing_id]
        if notes in existing:
            continue
        if with_notes:
            text, message_blocks = blocks.followup(
                program, with_notes=True, told_before=told in existing
            )
            rows.append((notes, store.Message(pairing.channel_id, text, message_blocks)))
        elif told not in existing:
            text, message_blocks = blocks.followup(program, with_notes=False, told_before=False)
            rows.append((told, store.Message(pairing.channel_id, text, message_blocks)))
    if not rows:
        return 0
    return store.enqueue_many(
        session, team_id=program.team_id, planned=rows, not_before=now, program_id=program.id
    )
