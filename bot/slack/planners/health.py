"""The health rule the tick runs: which pairings stalled, nudges to pairs, flags to organizers.

Per (pairing, reason) episode: first detection nudges the pair (a flag in NUDGED); if a check-in
period later nothing changed, every organizer of the workspace gets a DM with buttons (OPEN);
when the condition clears the flag closes and those DMs are edited in place to say so. Messages
that failed for good are flagged to organizers once each. Everything goes through the outbox
under unique keys, so the rule is idempotent and safe on several replicas.

`scan` gathers the facts for every active pairing of every running program in a fixed handful
of aggregate queries, however many pairings there are.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import flags
from bot.health import Rule
from bot.health_rules import (
    ANSWER_GRACE,
    DECIDED,
    PAIR_REASONS,
    Member,
    PairState,
    Thresholds,
    assess,
)
from bot.models import (
    Checkin,
    Delivery,
    Flag,
    FlagReason,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    Program,
    ProgramStatus,
)
from bot.organizers import list_organizers
from bot.outbox import store
from bot.rhythm import is_running, period_start, start_date
from bot.slack.blocks.flags import failures_message, flag_message
from bot.slack.listeners.flags import (
    after_commit,
    apply_edits,
    enqueue_nudge,
    refresh_flag_messages,
)

log = logging.getLogger(__name__)

MOOD_MEMORY = timedelta(weeks=26)  # how far back a low mood still counts


def make_rule(configured: frozenset[str] = frozenset(), client: WebClient | None = None) -> Rule:
    """The rule with the organizers from MENTORING_ORGANIZERS (they have no rows) and the
    client that edits organizer DMs once a flag resolves."""

    def rule(session: Session, now: datetime) -> int:
        return evaluate(session, now, configured, client)

    return rule


def evaluate(
    session: Session, now: datetime, configured: frozenset[str], client: WebClient | None
) -> int:
    """One health pass; returns how many flags were opened, raised, closed or added."""
    if not flags.take_turn(session):
        return 0
    changed = flags.close_for_ended_pairings(session, now)
    found = scan(session, now)
    nudges: dict[int, list[Flag]] = defaultdict(list)
    to_tell: list[Flag] = []
    closed: list[Flag] = []
    for state in found.states:
        pair = found.pairs[state.pairing_id]
        program = found.programs[pair.program_id]
        due = period_start(program, (now - ANSWER_GRACE).date())  # answers due before it
        findings = {f.reason: f for f in assess(state, found.thresholds[program.id], now, due)}
        # A member gone: the pair can't fix anything else, and nothing else "recovered" either.
        reasons = (FlagReason.MEMBER_LEFT,) if FlagReason.MEMBER_LEFT in findings else PAIR_REASONS
        for reason in reasons:
            flag = found.live.get((pair.pairing_id, reason))
            finding = findings.get(reason)
            if flag is None and finding is not None:
                flag = flags.open_episode(
                    session, pair.team_id, pair.program_id, pair.pairing_id, finding, now
                )
                (nudges[pair.pairing_id] if finding.nudge_first else to_tell).append(flag)
                changed += 1
            elif flag is not None and finding is None:
                flags.close(session, flag, now)
                closed.append(flag)
                changed += 1
            elif flag is not None and finding is not None:
                flags.follow(flag, finding)
                if flags.due_for_organizers(flag, program.checkin_cadence_weeks, now):
                    flags.escalate(flag, now)
                    to_tell.append(flag)
                    changed += 1
    session.flush()
    organizers = _organizers_of(session, configured)
    live_of: dict[int, list[Flag]] = defaultdict(list)
    for (pid, _), flag in found.live.items():
        live_of[pid].append(flag)
    for pairing_id, opened in nudges.items():
        pair = found.pairs[pairing_id]
        program = found.programs[pair.program_id]
        if flags.nudged_lately(live_of[pairing_id], program.checkin_cadence_weeks, now):
            continue  # one nudge a period is plenty
        enqueue_nudge(
            session,
            program=program,
            pairing_id=pairing_id,
            channel_id=pair.channel_id,
            people=[(m.user_id, m.timezone) for m in pair.members],
            reasons=[flag.reason for flag in opened],
            key=flags.nudge_key(min(flag.id for flag in opened)),
            now=now,
        )
    for flag in to_tell:
        pair = found.pairs[flag.pairing_id or 0]
        program = found.programs[pair.program_id]
        text, blocks = flag_message(flag, program.name, [m.user_id for m in pair.members])
        for organizer in organizers(flag.team_id):
            store.enqueue(
                session,
                team_id=flag.team_id,
                key=flags.organizer_key(flag.id, organizer),
                message=store.Message(organizer, text, blocks),
                not_before=now,
                program_id=program.id,
            )
    changed += _flag_failures(session, now, organizers)
    edits = refresh_flag_messages(session, [flag for flag in closed if flag.raised_at])
    if edits and client is not None:
        after_commit(session, lambda: apply_edits(client, edits))
    return changed


def _organizers_of(session: Session, configured: frozenset[str]) -> Callable[[str], list[str]]:
    """Organizers per workspace, asked once per pass and only when someone must be told."""
    known: dict[str, list[str]] = {}

    def organizers(team_id: str) -> list[str]:
        if team_id not in known:
            known[team_id] = [u for u, _ in list_organizers(session, team_id, configured)]
            if not known[team_id]:
                log.warning("workspace %s has no organizers to tell about a flag", team_id)
        return known[team_id]

    return organizers


def _flag_failures(session: Session, now: datetime, organizers: Callable[[str], list[str]]) -> int:
    """One flag per message that failed for good, and one DM per organizer for all of them."""
    rows = flags.unflagged_failures(session)
    if not rows:
        return 0
    opened = flags.flag_failures(session, rows, now)
    names = dict(
        session.execute(
            sa.select(Program.id, Program.name).where(
                Program.id.in_({row.program_id for row in rows})
            )
        ).all()
    )
    by_team: dict[str, list[tuple[Delivery, Flag]]] = defaultdict(list)
    for row, flag in zip(rows, opened, strict=True):
        by_team[row.team_id].append((row, flag))
    for team_id, items in by_team.items():
        text, blocks = failures_message(
            [(row, names.get(row.program_id or 0, "a program")) for row, _ in items]
        )
        first = min(flag.id for _, flag in items)
        for organizer in organizers(team_id):
            store.enqueue(
                session,
                team_id=team_id,
                key=f"undelivered:{first}:{organizer}",
                message=store.Message(organizer, text, blocks),
                not_before=now,
                program_id=items[0][0].program_id,
            )
    return len(opened)


# -- scanning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairInfo:
    pairing_id: int
    program_id: int
    team_id: str
    channel_id: str | None
    members: tuple[Member, ...]


@dataclass
class Scan:
    programs: dict[int, Program]
    thresholds: dict[int, Thresholds]  # by program
    pairs: dict[int, PairInfo]
    states: list[PairState]
    live: dict[tuple[int, FlagReason], Flag]  # (pairing, reason) -> the flag not yet closed


def running_programs(session: Session, today: date) -> list[Program]:
    candidates = session.scalars(sa.select(Program).where(Program.status != ProgramStatus.ENDED))
    return [program for program in candidates if is_running(program, today)]


def scan(session: Session, now: datetime) -> Scan:
    """Facts for every ACTIVE pairing of every running program (PAUSED ones are left alone),
    remembering only as far back as the strictest program's thresholds need."""
    programs = {p.id: p for p in running_programs(session, now.date())}
    thresholds = {pid: Thresholds.of(p.settings) for pid, p in programs.items()}
    if not programs:
        return Scan({}, {}, {}, [], {})
    active = sa.and_(
        Pairing.status == PairingStatus.ACTIVE, Pairing.program_id.in_(sorted(programs))
    )
    pairs = _pairs(session, active)
    if not pairs:
        return Scan(programs, thresholds, {}, [], {})
    last_met = dict(
        session.execute(
            sa.select(Meeting.pairing_id, sa.func.max(Meeting.starts_at))
            .join(Pairing, Pairing.id == Meeting.pairing_id)
            .where(active, Meeting.status == MeetingStatus.HELD, Meeting.starts_at <= now)
            .group_by(Meeting.pairing_id)
        ).all()
    )
    limits = thresholds.values()
    meetings = _recent_meetings(session, active, max(t.declined_meetings for t in limits) + 1)
    weeks = max(
        (thresholds[pid].unanswered_checkins + 2) * p.checkin_cadence_weeks
        for pid, p in programs.items()
    )
    checkins = _checkin_periods(session, active, now.date() - timedelta(weeks=weeks))
    moods = _moods(session, active, now.date() - MOOD_MEMORY, max(t.low_mood_times for t in limits))
    states = [
        PairState(
            pairing_id=pid,
            watch_from=_watch_from(started, programs[info.program_id]),
            members=info.members,
            last_met=last_met.get(pid),
            recent_meetings=tuple(meetings.get(pid, ())),
            checkins=tuple(sorted(checkins.get(pid, {}).items(), reverse=True)),
            moods={m: tuple(v) for m, v in moods.get(pid, {}).items()},
        )
        for pid, (info, started) in pairs.items()
    ]
    live = {
        (flag.pairing_id, flag.reason): flag
        for flag in session.scalars(
            sa.select(Flag)
            .where(
                Flag.program_id.in_(sorted(programs)),
                Flag.pairing_id.is_not(None),
                Flag.closed_at.is_(None),
                Flag.reason.in_(PAIR_REASONS),
            )
            .order_by(Flag.id)
        )
        if flag.pairing_id is not None
    }
    infos = {pid: info for pid, (info, _) in pairs.items()}
    return Scan(programs, thresholds, infos, states, live)


def _watch_from(started: datetime, program: Program) -> datetime:
    """Introduced, or the program's first day if they were introduced before it began."""
    return max(started, datetime.combine(start_date(program), time(), tzinfo=UTC))


def _pairs(
    session: Session, active: sa.ColumnElement[bool]
) -> dict[int, tuple[PairInfo, datetime]]:
    rows = session.execute(
        sa.select(
            Pairing.id,
            Pairing.program_id,
            Pairing.team_id,
            Pairing.channel_id,
            sa.func.coalesce(Pairing.introduced_at, Pairing.created_at),
            Participant.id,
            Participant.user_id,
            Participant.status,
            Participant.left_at,
            Participant.timezone,
        )
        .join(PairingMember, PairingMember.pairing_id == Pairing.id)
        .join(Participant, Participant.id == PairingMember.participant_id)
        .where(active)
        .order_by(Pairing.id, PairingMember.id)
    )
    heads: dict[int, tuple[int, str, str | None, datetime]] = {}
    members: dict[int, list[Member]] = defaultdict(list)
    for pid, program_id, team, channel, started, part_id, user, status, left_at, tz in rows:
        heads[pid] = (program_id, team, channel, started)
        members[pid].append(Member(part_id, user, status, left_at, tz or "UTC"))
    return {
        pid: (PairInfo(pid, program_id, team, channel, tuple(members[pid])), started)
        for pid, (program_id, team, channel, started) in heads.items()
    }


def _latest(
    session: Session,
    query: sa.Select[Any],
    partition: Sequence[sa.ColumnElement[Any]],
    order: Sequence[sa.ColumnElement[Any]],
    limit: int,
) -> list[sa.Row[Any]]:
    """The newest `limit` rows of each partition, ranked in the database (a window function),
    so only those few rows per pairing travel, however long the history. Ordered by rank, so
    each partition's rows come newest first."""
    rank = sa.func.row_number().over(partition_by=partition, order_by=order).label("rank")
    ranked = query.add_columns(rank).subquery()
    shown = [column for column in ranked.c if column.name != "rank"]
    return list(
        session.execute(sa.select(*shown).where(ranked.c.rank <= limit).order_by(ranked.c.rank))
    )


def _recent_meetings(
    session: Session, active: sa.ColumnElement[bool], limit: int
) -> dict[int, list[tuple[MeetingStatus, datetime]]]:
    """Per pairing, the latest held, declined or missed meetings, by when that was decided."""
    decided = sa.func.coalesce(Meeting.updated_at, Meeting.created_at)
    query = (
        sa.select(Meeting.pairing_id, Meeting.status, decided.label("decided"))
        .join(Pairing, Pairing.id == Meeting.pairing_id)
        .where(active, Meeting.status.in_(DECIDED))
    )
    found: dict[int, list[tuple[MeetingStatus, datetime]]] = defaultdict(list)
    for pid, status, at in _latest(
        session, query, [Meeting.pairing_id], [decided.desc(), Meeting.id.desc()], limit
    ):
        found[pid].append((status, at))
    return found


def _checkins(active: sa.ColumnElement[bool], since: date) -> sa.Select[Any]:
    """Check-ins of the members of active pairings since a day: those recorded for this
    pairing, or (pairing not recorded) for whichever pairing the person is in."""
    return (
        sa.select(PairingMember.pairing_id)
        .join(Pairing, Pairing.id == PairingMember.pairing_id)
        .join(Checkin, Checkin.participant_id == PairingMember.participant_id)
        .where(
            active,
            sa.or_(Checkin.pairing_id.is_(None), Checkin.pairing_id == Pairing.id),
            Checkin.period_start >= since,
        )
    )


def _checkin_periods(
    session: Session, active: sa.ColumnElement[bool], since: date
) -> dict[int, dict[date, bool]]:
    """Per pairing, the periods someone was asked about, and whether anyone answered."""
    answered = sa.or_(
        Checkin.answered_at.is_not(None), Checkin.mood.is_not(None), Checkin.met.is_not(None)
    )
    found: dict[int, dict[date, bool]] = defaultdict(dict)
    for pid, period, any_answer in session.execute(
        _checkins(active, since)
        .add_columns(Checkin.period_start, sa.func.max(sa.case((answered, 1), else_=0)))
        .group_by(PairingMember.pairing_id, Checkin.period_start)
    ):
        found[pid][period] = bool(any_answer)
    return found


def _moods(
    session: Session, active: sa.ColumnElement[bool], since: date, limit: int
) -> dict[int, dict[int, list[tuple[date, int]]]]:
    """Per pairing and member, the latest moods given, newest first (numbers only)."""
    query = (
        _checkins(active, since)
        .add_columns(Checkin.participant_id, Checkin.period_start, Checkin.mood)
        .where(Checkin.mood.is_not(None))
    )
    partition = [PairingMember.pairing_id, Checkin.participant_id]
    found: dict[int, dict[int, list[tuple[date, int]]]] = defaultdict(lambda: defaultdict(list))
    for pid, participant, period, mood in _latest(
        session, query, partition, [Checkin.period_start.desc()], limit
    ):
        found[pid][participant].append((period, mood))
    return found
