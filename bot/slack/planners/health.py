"""The health rule the tick runs: which pairings stalled, nudges to pairs, flags to organizers.

Per (pairing, reason) episode: first detection nudges the pair (a flag in NUDGED); if a check-in
period later nothing changed, every organizer of the workspace gets a DM with buttons (OPEN);
when the condition clears the flag closes and those DMs are edited in place to say so. Messages
that failed for good are flagged to organizers once each. Everything goes through the outbox
under unique keys, so the rule is idempotent and safe on several replicas.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot import flags
from bot.health import Rule
from bot.health_rules import PAIR_REASONS, Thresholds, assess, nudge_time
from bot.matching.proposals import member_users
from bot.models import Delivery, DeliveryStatus, Flag, FlagReason, Program
from bot.organizers import list_organizers
from bot.outbox import store
from bot.rhythm import period_start
from bot.slack.blocks.flags import failures_message, flag_message, nudge_message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Edit:
    """A sent organizer DM to rewrite in place with chat.update."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]


def make_rule(configured: frozenset[str] = frozenset(), client: WebClient | None = None) -> Rule:
    """The rule with the organizers from MENTORING_ORGANIZERS (they have no rows) and the
    client that edits organizer DMs once a flag resolves."""

    def rule(session: Session, now: datetime) -> int:
        return evaluate(session, now, configured, client)

    return rule


def plan(session: Session, now: datetime) -> int:
    """The rule for organizers added in Slack only, without edits; `make_rule` is the full one."""
    return evaluate(session, now, frozenset(), None)


def evaluate(
    session: Session, now: datetime, configured: frozenset[str], client: WebClient | None
) -> int:
    """One health pass; returns how many flags were opened, raised, closed or added."""
    if not flags.take_turn(session):
        return 0
    found = flags.scan(session, now)
    changed = 0
    nudges: dict[int, list[Flag]] = defaultdict(list)
    to_tell: list[Flag] = []
    closed: list[Flag] = []
    for state in found.states:
        pair = found.pairs[state.pairing_id]
        program = found.programs[pair.program_id]
        current = period_start(program, now.date())
        findings = {
            f.reason: f for f in assess(state, Thresholds.of(program.settings), now, current)
        }
        # A member gone: the pair can't fix anything else, and nothing else "recovered" either.
        reasons = (FlagReason.MEMBER_LEFT,) if FlagReason.MEMBER_LEFT in findings else PAIR_REASONS
        for reason in reasons:
            flag = found.live.get((pair.pairing_id, reason))
            finding = findings.get(reason)
            if flag is None and finding is not None:
                flag = flags.open_episode(session, pair, finding, now)
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
    for pairing_id, opened in nudges.items():
        pair = found.pairs[pairing_id]
        enqueue_nudge(
            session,
            program=found.programs[pair.program_id],
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


def enqueue_nudge(
    session: Session,
    *,
    program: Program,
    pairing_id: int,
    channel_id: str | None,
    people: Sequence[tuple[str, str]],
    reasons: Sequence[FlagReason],
    key: str,
    now: datetime,
) -> int:
    """Plan a gentle nudge in the pair's conversation, or a DM to each member if they have none,
    at a working hour for all of them. `people` are (user id, time zone)."""
    user_ids = [user for user, _ in people]
    text, blocks = nudge_message(program.name, reasons, user_ids, pairing_id)
    when = nudge_time(now, [tz for _, tz in people])
    targets = [(channel_id, key)] if channel_id else [(u, f"{key}:{u}") for u in user_ids]
    return sum(
        store.enqueue(
            session,
            team_id=program.team_id,
            key=target_key,
            message=store.Message(target, text, blocks),
            not_before=when,
            program_id=program.id,
        )
        for target, target_key in targets
    )


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
        ).tuples()
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


def refresh_flag_messages(session: Session, changed: Sequence[Flag]) -> list[Edit]:
    """Re-render the organizer DMs of these flags: rows not sent yet are rewritten here, sent
    ones are returned to edit with chat.update once the transaction has committed."""
    if not changed:
        return []
    messages = flags.organizer_messages(session, changed)
    wanted = [flag for flag in changed if messages.get(flag.id)]
    if not wanted:
        return []
    names = dict(
        session.execute(
            sa.select(Program.id, Program.name).where(
                Program.id.in_({flag.program_id for flag in wanted})
            )
        ).tuples()
    )
    members = member_users(session, [flag.pairing_id for flag in wanted if flag.pairing_id])
    edits = []
    for flag in wanted:
        user_ids = [p.user_id for p in members.get(flag.pairing_id or 0, [])]
        text, blocks = flag_message(
            flag, names.get(flag.program_id, ""), user_ids, program_id=flag.program_id
        )
        for row in messages[flag.id]:
            if row.status is DeliveryStatus.PENDING:
                row.text, row.blocks = text, blocks
            elif row.status is DeliveryStatus.SENT and row.message_channel and row.message_ts:
                edits.append(Edit(row.message_channel, row.message_ts, text, blocks))
    return edits


def apply_edits(client: WebClient, edits: Sequence[Edit]) -> None:
    """Edit each DM; one that Slack refuses (deleted, say) does not stop the others."""
    for edit in edits:
        try:
            client.chat_update(channel=edit.channel, ts=edit.ts, text=edit.text, blocks=edit.blocks)
        except SlackApiError as error:
            log.warning("could not update the flag message %s: %s", edit.ts, error)


def after_commit(session: Session, work: Callable[[], None]) -> None:
    """Run Slack calls only once what they announce is committed."""

    def run(_session: Session) -> None:
        try:
            work()
        except Exception:
            log.exception("updating organizer messages failed")

    sa.event.listen(session, "after_commit", run, once=True)
