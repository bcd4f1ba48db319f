"""Acknowledgement latency under load: what Slack sees when 20 people use the bot at once.

Starts the real bot (`python app.py`, HTTP mode, PostgreSQL) as its own process against the fake
Slack Web API (another process), seeds a running program of 2,000 participants (1,000 pairs,
eight weeks of meetings and check-ins, open flags, undelivered messages) and an open program
people can join, then sends a realistic mix of really signed requests from 20 client threads:
`/mentoring help`, `/mentoring status` (organizers: the big program, or all programs;
participants: their pairing), `/mentoring join`, button clicks (check-in mood, Join, "stay"),
modal submissions (join form, check-in comment) and `app_home_opened` (participants, organizers,
newcomers). Every request is a distinct delivery (its own trigger_id or event_id, and
response_url). The same mix goes to a bare Bolt app that only acks, served the same way (our
WSGI wrapper, waitress, same thread count), as the floor. Two phases, each `--requests` long:

- saturation: each client sends its next request as soon as it has the answer to the last. This
  measures capacity: with 20 requests always in flight, the mean time to an answer is 20 divided
  by the requests served a second (Little's law), whatever the acknowledgement path does, so it
  is bound by how much work a request costs on this machine's cores (the bot, PostgreSQL and the
  fake Slack share them) and is compared with a floor that does none. Judged: no errors, and
  every answer inside Slack's 3 s;
- `--rate` per second (default 40): requests arrive at random instants (Poisson), as from
  independent people, up to 20 at once; a far busier minute than a 2,000-person program has
  (its weekly check-ins go out paced at Slack's few hundred messages a minute, and the clicks
  come back at that pace or slower). The latency targets are judged here: p99 under 300 ms and
  under 3x the floor's, and no errors.

    .venv/bin/python bench/ack_latency.py [--requests 2000] [--clients 20] [--rate 40]
        [--participants 2000] [--warmup 40] [--only TEXT] [--tick-seconds 86400]

Prints, per phase, for the bot and the floor: p50/p95/p99/max time to the HTTP response
(perf_counter around each HTTP call), errors (non-200, timeouts, an error text in the answer,
a refused form, an answer after Slack's 3 s), requests per second and the server's CPU time
per request (the bot's work process included, here and below); the bot/floor ratios; peak
memory (VmHWM) of each server; the bot per request type and kind; how long the work done after
the ack took to reach Slack (Home tab published, replies through response_url, a status's
answer after its silent ack, a form opened, answers after "working on it"); what the fake
Slack saw; ERROR lines in the bot's log; and each target as PASS or FAIL (exit status 1 if any
fails, and the servers' logs are kept). `--only status` sends only the request types whose
label has "status". Takes about three minutes.

BENCH_DATABASE_URL (default: TEST_DATABASE_URL, else the local `test` database) must be a
PostgreSQL database; the benchmark works in a schema of its own and drops it afterwards.
The scheduler's tick is kept out of the run by default (bench/fanout.py measures it); pass
`--tick-seconds 60` to let it run alongside.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fanout import admin_url
from bot.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
TEAM = "T0BENCH"
TOKEN = "xoxb-bench-token"
SECRET = "0123456789abcdef0123456789abcdef"
ORGANIZERS = ("UORGBENCH1", "UORGBENCH2")
BIG = "Bench program"
OPEN = "Spring cohort"
ENROLLED_IN_OPEN = 300
SLACK_TIMEOUT = 3.0  # Slack retries a request it saw no answer to within 3 s
TARGET_P99_MS = 300.0
TARGET_RATIO = 3.0
TARGET_MIB = 300.0
STARTUP_SECONDS = 120


# -- the data ---------------------------------------------------------------------------------


def participant(n: int) -> str:
    return f"UP{n:06d}"


def newcomer(n: int) -> str:
    return f"UJ{n:06d}"


@dataclass
class Seeded:
    big_id: int
    open_id: int
    participants: int
    checkins: dict[str, int]  # participant user id -> this week's check-in id
    messages: dict[str, tuple[str, str]]  # participant user id -> (channel, ts) of that check-in


def seed(url: str, participants: int, today: date) -> Seeded:
    """A program eight weeks into its run, and one open for enrolment, on the real clock."""
    from bot.migrate import upgrade
    from bot.models import (
        Checkin,
        Delivery,
        DeliveryStatus,
        Flag,
        FlagReason,
        FlagSeverity,
        FlagStatus,
        Meeting,
        MeetingStatus,
        Pairing,
        PairingMember,
        PairingStatus,
        Participant,
        ParticipantRole,
        Program,
        ProgramStatus,
    )

    engine = make_engine(url)
    upgrade(engine)  # the schema the bot itself migrates to
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(weeks=8)
    began = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    now = datetime.now(UTC)
    skills = ["AI tools", "TikTok", "Strategy", "Company history", "Negotiation"]
    with engine.begin() as connection:

        def program(name: str, status: Any, enrolment_open: bool) -> int:
            return connection.execute(
                sa.insert(Program)
                .values(
                    team_id=TEAM,
                    name=name,
                    business_need="Digital skills for leaders",
                    status=status,
                    start_date=start if status is ProgramStatus.RUNNING else monday,
                    length_weeks=26,
                    skills_catalogue=skills,
                    enrolment_open=enrolment_open,
                    settings={},
                    created_by=ORGANIZERS[0],
                    created_at=began - timedelta(weeks=2),
                )
                .returning(Program.id)
            ).scalar_one()

        big_id = program(BIG, ProgramStatus.RUNNING, False)
        open_id = program(OPEN, ProgramStatus.ENROLLING, True)

        def people(program_id: int, users: list[str]) -> list[int]:
            _insert(
                connection,
                Participant,
                [
                    {
                        "team_id": TEAM,
                        "program_id": program_id,
                        "user_id": user,
                        "display_name": f"Person {user}",
                        "role": ParticipantRole.MENTOR if n % 2 == 0 else ParticipantRole.MENTEE,
                        "department": ["Marketing", "Finance", "Sales", "IT"][n % 4],
                        "skills_offered": [skills[n % 5]],
                        "skills_wanted": [skills[(n + 2) % 5]],
                        "goals": "Learn from each other",
                        "timezone": "Europe/Berlin",
                        "consent": True,
                        "created_at": began - timedelta(weeks=1),
                    }
                    for n, user in enumerate(users)
                ],
            )
            return list(
                connection.scalars(
                    sa.select(Participant.id)
                    .where(Participant.program_id == program_id)
                    .order_by(Participant.id)
                )
            )

        users = [participant(n) for n in range(participants)]
        ids = people(big_id, users)
        people(open_id, [f"US{n:06d}" for n in range(ENROLLED_IN_OPEN)])
        pairs = participants // 2
        _insert(
            connection,
            Pairing,
            [
                {
                    "team_id": TEAM,
                    "program_id": big_id,
                    "status": PairingStatus.PAUSED if n % 50 == 49 else PairingStatus.ACTIVE,
                    "score": 0.8,
                    "reason": "You both care about digital skills",
                    "channel_id": f"G{n:08d}",
                    "introduced_at": began,
                    "created_at": began,
                }
                for n in range(pairs)
            ],
        )
        pairing_ids = list(
            connection.scalars(
                sa.select(Pairing.id).where(Pairing.program_id == big_id).order_by(Pairing.id)
            )
        )
        _insert(
            connection,
            PairingMember,
            [
                {"team_id": TEAM, "pairing_id": pid, "participant_id": ids[2 * i + k]}
                for i, pid in enumerate(pairing_ids)
                for k in (0, 1)
            ],
        )
        meetings = []
        for week in range(8):
            day = began + timedelta(weeks=week, days=2, hours=12)
            for i, pid in enumerate(pairing_ids):
                held = (i + week) % 7 != 0
                meetings.append(
                    {
                        "team_id": TEAM,
                        "pairing_id": pid,
                        "proposed_by": users[2 * i],
                        "starts_at": day,
                        "status": MeetingStatus.HELD if held else MeetingStatus.MISSED,
                        "minutes_held": 60 if held else None,
                        "held_confirmed_by": [users[2 * i]] if held else [],
                        "created_at": day - timedelta(days=3),
                    }
                )
        upcoming = datetime.combine(monday + timedelta(days=9), datetime.min.time(), tzinfo=UTC)
        meetings += [
            {
                "team_id": TEAM,
                "pairing_id": pid,
                "proposed_by": users[2 * i + 1],
                "starts_at": upcoming + timedelta(hours=8 + i % 8),
                "status": MeetingStatus.CONFIRMED,
                "created_at": now - timedelta(days=1),
            }
            for i, pid in enumerate(pairing_ids)
        ]
        _insert(connection, Meeting, meetings)
        checkins = []
        for week in range(9):  # eight answered weeks, and this week's, still open
            period = start + timedelta(weeks=week)
            sent = datetime.combine(period + timedelta(days=4), datetime.min.time(), tzinfo=UTC)
            for n, participant_id in enumerate(ids):
                answered = week < 8 and (n + week) % 5 != 0
                checkins.append(
                    {
                        "team_id": TEAM,
                        "participant_id": participant_id,
                        "pairing_id": pairing_ids[n // 2],
                        "period_start": period,
                        "met": True if answered else None,
                        "minutes": 60 if answered else None,
                        "mood": 1 + (n + week) % 5 if answered else None,
                        "comment_private": True,
                        "answered_at": sent + timedelta(hours=3) if answered else None,
                        "created_at": sent,
                    }
                )
        _insert(connection, Checkin, checkins)
        current = dict(
            connection.execute(
                sa.select(Checkin.participant_id, Checkin.id).where(Checkin.period_start == monday)
            ).all()
        )
        messages = {user: (f"D{n:08d}", f"1600000000.{n:06d}") for n, user in enumerate(users)}
        sent_at = datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        deliveries = [
            {
                "team_id": TEAM,
                "key": f"checkin:{participant_id}:{monday.isoformat()}",
                "program_id": big_id,
                "channel": users[n],
                "text": "How did this week go?",
                "blocks": None,
                "status": DeliveryStatus.SENT,
                "not_before": sent_at,
                "attempts": 1,
                "sent_at": sent_at,
                "message_channel": messages[users[n]][0],
                "message_ts": messages[users[n]][1],
                "created_at": sent_at,
            }
            for n, participant_id in enumerate(ids)
        ]
        deliveries += [
            {
                "team_id": TEAM,
                "key": f"weekly-prompt:{pairing_ids[n]}:bench",
                "program_id": big_id,
                "channel": f"G{n:08d}",
                "text": "Time to meet this week?",
                "blocks": None,
                "status": DeliveryStatus.FAILED,
                "not_before": sent_at,
                "attempts": 5,
                "last_error": "channel_not_found",
                "created_at": sent_at,
            }
            for n in range(12)
        ]
        _insert(connection, Delivery, deliveries)
        _insert(
            connection,
            Flag,
            [
                {
                    "team_id": TEAM,
                    "program_id": big_id,
                    "pairing_id": pairing_ids[n * 7],
                    "reason": FlagReason.NO_MEETING if n % 3 else FlagReason.LOW_MOOD,
                    "severity": FlagSeverity.STALLED if n % 4 == 0 else FlagSeverity.AT_RISK,
                    "status": FlagStatus.OPEN if n % 2 else FlagStatus.NUDGED,
                    "detail": "No meeting for 3 weeks",
                    "started_at": began + timedelta(weeks=5),
                    "raised_at": began + timedelta(weeks=6),
                    "created_at": began + timedelta(weeks=6),
                }
                for n in range(min(60, pairs // 7))
            ],
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))  # as autovacuum would have, on a live database
    engine.dispose()
    by_participant = dict(zip(ids, users, strict=True))
    return Seeded(
        big_id=big_id,
        open_id=open_id,
        participants=participants,
        checkins={by_participant[pid]: cid for pid, cid in current.items()},
        messages=messages,
    )


def _insert(connection: sa.Connection, model: type, rows: list[dict]) -> None:
    """Bulk insert; rows with the same columns go together (executemany needs that)."""
    shapes: dict[frozenset[str], list[dict]] = {}
    for row in rows:
        shapes.setdefault(frozenset(row), []).append(row)
    for same in shapes.values():
        for at in range(0, len(same), 5000):
            connection.execute(sa.insert(model), same[at : at + 5000])


def join_form(url: str, program_id: int) -> tuple[dict[str, Any], str]:
    """The join modal's submitted state and private_metadata, built by the bot's own code."""
    from bot.db import make_session_factory
    from bot.models import Program
    from bot.slack import listeners  # noqa: F401  (first, as the app imports them)
    from bot.slack.commands.enrolment import join_view

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        view = join_view(session, session.get(Program, program_id), "UNOBODY")
    engine.dispose()
    answers: dict[str, Any] = {
        "role": "mentor",
        "skills_offered": ["AI tools"],
        "skills_offered_other": "Canva",
        "skills_wanted": ["Strategy"],
        "department": "Marketing",
        "career_stage": "early",
        "goals": "See how big decisions get made",
        "meeting_formats": ["coffee"],
        "consent": ["yes"],
    }
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block["block_id"] not in answers:
            continue
        element, value = block["element"], answers[block["block_id"]]
        kind = element["type"]
        if kind == "plain_text_input":
            entry: dict[str, Any] = {"type": kind, "value": value}
        elif kind in ("radio_buttons", "static_select"):
            entry = {"type": kind, "selected_option": {"value": value}}
        else:
            entry = {"type": kind, "selected_options": [{"value": v} for v in value]}
        state[block["block_id"]] = {element["action_id"]: entry}
    return state, view["private_metadata"]


# -- the servers ------------------------------------------------------------------------------


def serve_fake(newcomers: int, participants: int, response_urls: int) -> None:
    """The fake Slack Web API, in this process: prints its URL and response URLs, then answers
    `summary` on stdin with what it saw."""
    from tests.support.fake_slack import FakeSlack

    fake = FakeSlack(bot_token=TOKEN, team_id=TEAM).start()
    fake.answers_shown_elsewhere = True  # this bench's clients do not pass forms' answers on
    for user in ORGANIZERS:
        fake.add_user(user, name=user.lower())
    for n in range(participants):
        fake.add_user(participant(n), name=f"p{n}")
        # This week's check-in message, so a click can update it in place.
        fake.messages[f"D{n:08d}"] = [
            {"type": "message", "ts": f"1600000000.{n:06d}", "text": "How did this week go?"}
        ]
    for n in range(newcomers):
        fake.add_user(newcomer(n), name=f"j{n}", tz="America/New_York")
    urls = [fake.new_response_url() for _ in range(response_urls)]
    print(json.dumps({"api": fake.base_url, "response_urls": urls}), flush=True)
    for line in sys.stdin:
        if line.strip() != "summary":
            continue
        calls, violations = list(fake.calls), list(fake.violations)
        counts: dict[str, int] = {}
        refused: dict[str, int] = {}
        published: list[tuple[str, float]] = []
        answered: list[tuple[str, float]] = []
        opened: list[tuple[str, float]] = []
        updated: list[tuple[str, float, bool]] = []  # a form's outcome: where, when, welcome?
        for call in calls:
            counts[call.method] = counts.get(call.method, 0) + 1
            if call.status != 200 or call.response.get("ok") is False:
                key = f"{call.method}: {call.response.get('error', call.status)}"
                refused[key] = refused.get(key, 0) + 1
            elif call.method == "views.publish":
                published.append((str(call.params.get("user_id")), call.at))
            elif call.method == "response_url":
                answered.append((call.path, call.at))
            elif call.method == "views.open":
                opened.append((str(call.params.get("trigger_id")), call.at))
            elif call.method == "views.update" and call.params.get("external_id"):
                welcome = "Welcome to" in json.dumps(call.params.get("view"))
                updated.append((str(call.params["external_id"]), call.at, welcome))
        print(
            json.dumps(
                {
                    "calls": counts,
                    "refused": refused,
                    "violations": violations[:5],
                    "violation_count": len(violations),
                    "published": published,
                    "answered": answered,
                    "opened": opened,
                    "updated": updated,
                }
            ),
            flush=True,
        )
    fake.stop()


def serve_floor(port: int, api: str) -> None:
    """A bare Bolt app whose listeners only ack, served like the bot."""
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from bot.slack.http import SlackWsgiApp, make_server

    app = App(
        client=WebClient(token=TOKEN, base_url=api),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )

    def only_ack(ack: Ack) -> None:
        ack()

    app.command("/mentoring")(only_ack)
    app.action(re.compile(".*"))(only_ack)
    app.view(re.compile(".*"))(only_ack)
    app.event("app_home_opened")(lambda: None)
    server = make_server(SlackWsgiApp(app, make_engine("sqlite://"), SECRET), "127.0.0.1", port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.run()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server at {base} did not become healthy:\n{log.read_text()}")


def family(pid: int) -> list[int]:
    """The process and its descendants: the bot's work process counts as the bot."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process and its descendants used so far, from /proc."""
    total = 0.0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS, summed over the process and its descendants (a
    sum of peaks: at least the peak of the sum), and how many processes there were."""
    found = {"VmHWM": 0, "VmRSS": 0, "processes": 0}
    for member in family(pid):
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        found["processes"] += 1
        for line in lines:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                found[name] += int(value.split()[0])
    return found


# -- the requests -----------------------------------------------------------------------------

# label, kind, weight: the share of the mix each request type takes.
MIX: list[tuple[str, str, int]] = [
    ("help (participant)", "help", 5),
    ("help (organizer)", "help", 3),
    ("status (organizer, big program)", "status", 8),
    ("status (organizer, all programs)", "status", 3),
    ("status (participant)", "status", 4),
    ("join (command, opens modal)", "join", 10),
    ("click (check-in mood)", "click", 14),
    ("click (Join button)", "click", 8),
    ("click (stay in program)", "click", 4),
    ("submission (join form)", "submission", 10),
    ("submission (check-in comment)", "submission", 5),
    ("home (participant)", "home", 16),
    ("home (organizer)", "home", 6),
    ("home (newcomer)", "home", 3),
]
KINDS = ("help", "status", "join", "click", "submission", "home")


@dataclass
class Planned:
    label: str
    kind: str
    send: Callable[[], Any]  # returns the Response
    user: str = ""
    response_url: str = ""
    trigger: str = ""  # of a request that opens a form


@dataclass
class Result:
    label: str
    kind: str
    seconds: float
    sent_at: float  # time.monotonic(), comparable with the fake's call times (same machine)
    error: str = ""
    user: str = ""
    response_url: str = ""
    working: str = ""  # how a command whose answer follows was acknowledged, if it was
    trigger: str = ""
    saving: str = ""  # the external id of a form's "Saving…" answer, which the outcome replaces


@dataclass
class Context:
    seeded: Seeded
    form_state: dict[str, Any]
    form_metadata: str
    response_urls: Iterator[str]
    rng: random.Random
    only: str = ""  # only the requests whose label contains this
    newcomers: Iterator[int] = field(default_factory=lambda: iter(range(10**9)))


def plan(count: int, ctx: Context, client: Any) -> list[Planned]:
    """`count` requests in a fixed pseudo-random order of the mix."""
    from bot.slack import ids

    mix = [m for m in MIX if ctx.only in m[0]]
    labels = ctx.rng.choices([m[0] for m in mix], weights=[m[2] for m in mix], k=count)
    kinds = {label: kind for label, kind, _ in MIX}
    planned = []
    for label in labels:
        someone = participant(ctx.rng.randrange(ctx.seeded.participants))
        organizer = ctx.rng.choice(ORGANIZERS)
        url = next(ctx.response_urls)
        item = Planned(label, kinds[label], lambda: None, response_url=url)

        def command(text: str, user: str) -> Callable[[], Any]:
            return lambda: client.command(text, user_id=user)

        if label == "help (participant)":
            item.send, item.user = command("help", someone), someone
        elif label == "help (organizer)":
            item.send, item.user = command("", organizer), organizer
        elif label == "status (organizer, big program)":
            item.send, item.user = command(f"status {BIG}", organizer), organizer
        elif label == "status (organizer, all programs)":
            item.send, item.user = command("status", organizer), organizer
        elif label == "status (participant)":
            item.send, item.user = command("status", someone), someone
        elif label == "join (command, opens modal)":
            fresh = newcomer(next(ctx.newcomers))
            item.user, item.trigger = fresh, f"trigger.{fresh}"
            item.send = lambda fresh=fresh, t=item.trigger: client.command(
                "join", user_id=fresh, trigger_id=t
            )
        elif label == "click (check-in mood)":
            checkin, mood = ctx.seeded.checkins[someone], ctx.rng.randint(1, 5)
            channel, ts = ctx.seeded.messages[someone]
            item.user = someone
            item.send = lambda someone=someone, checkin=checkin, mood=mood, c=channel, t=ts: (
                client.block_action(
                    f"{ids.CHECKIN_MOOD}:{mood}",
                    user_id=someone,
                    value=f"{checkin}:{mood}",
                    channel_id=c,
                    message={"type": "message", "ts": t, "text": ""},
                )
            )
        elif label == "click (Join button)":
            fresh = newcomer(next(ctx.newcomers))
            item.user, item.trigger = fresh, f"trigger.{fresh}"
            item.send = lambda fresh=fresh, t=item.trigger: client.block_action(
                ids.JOIN, user_id=fresh, value=str(ctx.seeded.open_id), trigger_id=t
            )
        elif label == "click (stay in program)":
            item.user = someone
            item.send = lambda someone=someone: client.block_action(
                ids.LEAVE_CANCEL, user_id=someone, value="0"
            )
        elif label == "submission (join form)":
            fresh = newcomer(next(ctx.newcomers))
            item.user = fresh
            item.send = lambda fresh=fresh: client.view_submission(
                ids.JOIN_MODAL, ctx.form_state, user_id=fresh, private_metadata=ctx.form_metadata
            )
        elif label == "submission (check-in comment)":
            checkin = ctx.seeded.checkins[someone]
            item.user = someone
            state = {
                "comment": {"comment": {"type": "plain_text_input", "value": "Good week!"}},
                "private": {
                    "private": {"type": "checkboxes", "selected_options": [{"value": "private"}]}
                },
            }
            item.send = lambda someone=someone, checkin=checkin, state=state: (
                client.view_submission(
                    ids.CHECKIN_COMMENT_MODAL,
                    state,
                    user_id=someone,
                    private_metadata=json.dumps({"checkin_id": checkin}),
                )
            )
        else:  # the Home tab
            user = {
                "home (participant)": someone,
                "home (organizer)": organizer,
                "home (newcomer)": newcomer(next(ctx.newcomers)),
            }[label]
            item.user = user
            item.send = lambda user=user: client.event(
                {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"},
                event_id=f"Ev{uuid.uuid4().hex[:16].upper()}",
            )
        planned.append(item)
    return planned


def error_texts() -> tuple[str, ...]:
    """What the bot says when something went wrong on its side."""
    from bot.slack.commands.enrolment import COULD_NOT_OPEN
    from bot.slack.interaction import SOMETHING_WRONG, TRY_AGAIN

    return (TRY_AGAIN, SOMETHING_WRONG, COULD_NOT_OPEN)


def working_text() -> str:
    """How the bot acknowledges a command whose answer comes later."""
    from bot.slack.listeners.commands import WORKING

    return WORKING


CURRENT = threading.local()  # the response_url of the request this client thread is sending


def send(item: Planned, texts: tuple[str, ...], working_ack: str) -> Result:
    """Send one request, timing it as Slack would: until the HTTP response is in."""
    CURRENT.response_url = item.response_url
    sent_at = time.monotonic()
    started = time.perf_counter()
    error, working, saving = "", "", ""
    try:
        response = item.send()
    except OSError as failure:  # refused, reset or timed out
        seconds = time.perf_counter() - started
        error = f"{type(failure).__name__}"
    else:
        seconds = time.perf_counter() - started
        try:
            answer = response.json() if response.body else {}
        except ValueError:
            answer = {"text": response.text}
        said = str(answer.get("text", "")) if isinstance(answer, dict) else ""
        if response.status != 200:
            error = f"HTTP {response.status}"
        elif any(text in said for text in texts):
            error = "error reply"
        elif isinstance(answer, dict) and answer.get("response_action") == "errors":
            error = "form refused"
        elif seconds > SLACK_TIMEOUT:
            error = "later than 3 s"
        if item.kind in ("help", "status") and response.status == 200 and not response.body:
            working = "a silent ack"  # the answer follows through response_url
        elif said == working_ack:
            working = "'working on it'"
        view = answer.get("view") if isinstance(answer, dict) else None
        saving = str(view.get("external_id") or "") if isinstance(view, dict) else ""
    return Result(
        item.label,
        item.kind,
        seconds,
        sent_at,
        error,
        item.user,
        item.response_url,
        working,
        item.trigger,
        saving,
    )


def run_load(
    items: list[Planned], clients: int, rate: float, seed: int = 0
) -> tuple[list[Result], float, int]:
    """Send `items` from `clients` threads: as fast as they answer (`rate` 0), or arriving
    like independent people do, at random (Poisson) instants averaging `rate` per second.
    Returns the results, the seconds it all took, and how many requests started over 50 ms
    late because all the clients were still waiting for answers."""
    texts, working = error_texts(), working_text()
    gaps = random.Random(seed)
    due, at = [], 0.0
    for _ in items:
        due.append(at)
        at += gaps.expovariate(rate) if rate > 0 else 0.0
    late = 0
    lock = threading.Lock()
    started = time.perf_counter()

    def paced(n: int) -> Result:
        nonlocal late
        wait = started + due[n] - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        elif rate > 0 and wait < -0.05:
            with lock:
                late += 1
        return send(items[n], texts, working)

    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="client") as pool:
        results = list(pool.map(paced, range(len(items))))
    return results, time.perf_counter() - started, late


# -- figures ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5 - 1e-9)))
    return ordered[rank - 1]


@dataclass
class Figures:
    count: int
    p50: float
    p95: float
    p99: float
    max: float
    errors: int

    @classmethod
    def of(cls, results: list[Result]) -> Figures:
        ms = [1000 * r.seconds for r in results]
        return cls(
            len(ms),
            percentile(ms, 50),
            percentile(ms, 95),
            percentile(ms, 99),
            max(ms, default=float("nan")),
            sum(1 for r in results if r.error),
        )

    def row(self, name: str, width: int = 34) -> str:
        return (
            f"  {name:<{width}} {self.count:>6} {self.p50:8.1f} {self.p95:8.1f} {self.p99:8.1f} "
            f"{self.max:8.1f} {self.errors:>6}"
        )


def header(width: int = 34) -> str:
    return (
        f"  {'':<{width}} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>6}"
    )


def deferred_delays(
    results: list[Result], summary: dict[str, Any]
) -> dict[str, tuple[int, int, list[float]]]:
    """For work finished after the ack: (expected, seen, delays in ms from the request)."""
    published: dict[str, list[float]] = {}
    for user, at in summary["published"]:
        published.setdefault(user, []).append(at)
    answered = {path: at for path, at in summary["answered"]}
    opened = {trigger: at for trigger, at in summary["opened"]}
    # A join form's outcome counts as seen only when it is the welcome: every join here joins.
    outcomes = {where: at for where, at, welcome in summary["updated"] if welcome}
    found: dict[str, tuple[int, int, list[float]]] = {}

    def note(name: str, at: float | None, sent_at: float) -> None:
        expected, seen, delays = found.get(name, (0, 0, []))
        if at is not None:
            delays.append(1000 * (at - sent_at))
        found[name] = (expected + 1, seen + (at is not None), delays)

    for r in results:
        if r.kind == "home" or r.label == "submission (join form)":
            after = [at for at in published.get(r.user, []) if at >= r.sent_at]
            name = "Home tab published" + (" (after joining)" if r.kind != "home" else "")
            note(
                f"{name}, {r.label}" if r.kind == "home" else name,
                min(after, default=None),
                r.sent_at,
            )
        elif r.label == "click (stay in program)":
            note("reply via response_url, stay click", answered.get(_path(r)), r.sent_at)
        if r.working:
            note(f"answer after {r.working}, {r.label}", answered.get(_path(r)), r.sent_at)
        if r.trigger:
            note(f"form opened, {r.label}", opened.get(r.trigger), r.sent_at)
        if r.saving:
            note(f"welcome in place of 'Saving…', {r.label}", outcomes.get(r.saving), r.sent_at)
    return found


def _path(result: Result) -> str:
    return "/" + result.response_url.split("/", 3)[3]


def read_log(log: Path) -> tuple[list[str], int, int]:
    """ERROR lines (and tracebacks) in a server's log; how often waitress queued requests
    because every one of its threads was busy; how many requests were dropped as redeliveries
    (none should be: every request the bench sends is a new one)."""
    lines = log.read_text(errors="replace").splitlines()
    errors = [line for line in lines if " ERROR " in line or line.startswith("Traceback")]
    queued = sum(1 for line in lines if "Task queue depth" in line)
    return errors, queued, sum(1 for line in lines if "dropped a redelivered request" in line)


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    url: str
    log: Path


def start_bot(url: str, api: str, tick_seconds: int, folder: Path) -> Server:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORING_", "PORT"))
    }
    env.update(
        {
            "DATABASE_URL": url,
            "SLACK_API_URL": api,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "PORT": str(port),
            "MENTORING_ORGANIZERS": ",".join(ORGANIZERS),
            "TICK_SECONDS": str(tick_seconds),
            "PYTHONPATH": str(ROOT),
        }
    )
    log = folder / "bot.log"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        env=env,
        cwd=folder,  # no .env from the repository
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process, log)
    return Server("bot", process, base, log)


def start_floor(api: str, folder: Path) -> Server:
    port = free_port()
    log = folder / "floor.log"
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-floor", str(port), api],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process, log)
    return Server("floor", process, base, log)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


class Fake:
    """The fake Slack in its own process, asked for a summary over stdin."""

    def __init__(self, newcomers: int, participants: int, response_urls: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve-fake",
                str(newcomers),
                str(participants),
                str(response_urls),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        started = json.loads(self.process.stdout.readline())
        self.api: str = started["api"]
        self.response_urls: list[str] = started["response_urls"]
        self._lock = threading.Lock()

    def summary(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        with self._lock:
            self.process.stdin.write("summary\n")
            self.process.stdin.flush()
            return json.loads(self.process.stdout.readline())

    def settle(self, timeout: float = 60.0) -> dict[str, Any]:
        """Wait until the bot stops calling Slack (its work after the acks is done)."""
        deadline = time.monotonic() + timeout
        last = self.summary()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = self.summary()
            if sum(now["calls"].values()) == sum(last["calls"].values()):
                return now
            last = now
        return last

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def client_for(server: Server) -> Any:
    from tests.support.slack_requests import SignedClient

    return SignedClient(
        f"{server.url}/slack/events",
        SECRET,
        team_id=TEAM,
        response_url_factory=lambda: CURRENT.response_url,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000, help="per server and phase")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument(
        "--rate",
        type=float,
        default=40.0,
        help="requests per second of the second phase, arriving at random (Poisson) like "
        "independent people's; 0 skips that phase",
    )
    parser.add_argument("--participants", type=int, default=2_000, help="in the running program")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests first")
    parser.add_argument("--seed", type=int, default=8, help="of the request mix")
    parser.add_argument(
        "--only", default="", metavar="TEXT", help="send only the requests whose label has TEXT"
    )
    parser.add_argument(
        "--tick-seconds", type=int, default=86_400, help="the bot's TICK_SECONDS (default: none)"
    )
    parser.add_argument("--serve-fake", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-floor", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(*args.serve_fake)
        return 0
    if args.serve_floor:
        serve_floor(int(args.serve_floor[0]), args.serve_floor[1])
        return 0
    if not any(args.only in label for label, _, _ in MIX):
        raise SystemExit(f"no request label contains {args.only!r}")
    participants = args.participants - args.participants % 2
    phases = [Phase("saturation", 0.0)] + ([Phase(f"{args.rate:g}/s", args.rate)] * (args.rate > 0))

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url())
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in admin_url() else "?"
    url = f"{admin_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    total = 2 * (args.requests * len(phases) + args.warmup)  # both servers
    fake = Fake(total, participants, total)
    folder = Path(tempfile.mkdtemp(prefix="ack-latency-"))
    servers: list[Server] = []
    try:
        started = time.perf_counter()
        seeded = seed(url, participants, datetime.now(UTC).date())
        state, metadata = join_form(url, seeded.open_id)
        print(
            f"seeded {participants} participants in {participants // 2} pairs (8 weeks of "
            f"meetings and check-ins) and {ENROLLED_IN_OPEN} in an open program in "
            f"{time.perf_counter() - started:.1f} s; {args.clients} clients send "
            f"{args.requests} requests per server and phase, after {args.warmup} to warm up"
        )
        ctx = Context(
            seeded, state, metadata, iter(fake.response_urls), random.Random(args.seed), args.only
        )
        floor = measure(start_floor(fake.api, folder), servers, ctx, fake, args, phases)
        bot_server = start_bot(url, fake.api, args.tick_seconds, folder)
        bot = measure(bot_server, servers, ctx, fake, args, phases)
    finally:
        for server in servers:
            if server.process.poll() is None:
                stop(server)
        fake.close()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    passed = report(bot, floor, phases, args.clients)
    if passed:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"\nthe servers' logs are in {folder}")
    return 0 if passed else 1


@dataclass(frozen=True)
class Phase:
    name: str
    rate: float  # requests per second arriving at random; 0: as fast as they are answered


@dataclass
class Measured:
    """One phase on one server: its requests, and what the server used meanwhile."""

    results: list[Result]
    wall: float  # seconds for all the requests
    cpu: float  # the server's CPU seconds, the work after the acks included
    late: int  # requests that started over 50 ms late: every client was still waiting
    summary: dict[str, Any]  # what the fake Slack had seen by the end of the phase


@dataclass
class Run:
    phases: dict[str, Measured]
    memory: dict[str, int]  # VmHWM (peak) and VmRSS at the end, KiB
    idle: dict[str, int]  # the same before any request
    logged: list[str]  # ERROR lines in the server's log
    queued: int  # times waitress had every thread busy and queued requests
    dropped: int  # requests the bot took for redeliveries and dropped


def measure(
    server: Server,
    servers: list[Server],
    ctx: Context,
    fake: Fake,
    args: argparse.Namespace,
    phases: list[Phase],
) -> Run:
    """Warm the server up, send each phase's mix (the same for every server: same seed), let
    the work after the acks finish each time, and stop the server."""
    servers.append(server)
    client = client_for(server)
    idle = memory_kib(server.process.pid)
    ctx.rng = random.Random(args.seed + 1)
    run_load(plan(args.warmup, ctx, client), args.clients, 0.0)
    fake.settle()
    measured = {}
    for n, phase in enumerate(phases):
        ctx.rng = random.Random(args.seed + 10 * n)
        items = plan(args.requests, ctx, client)
        cpu = cpu_seconds(server.process.pid)
        results, wall, late = run_load(items, args.clients, phase.rate, args.seed)
        summary = fake.settle()
        cpu = cpu_seconds(server.process.pid) - cpu
        measured[phase.name] = Measured(results, wall, cpu, late, summary)
    memory = memory_kib(server.process.pid)
    stop(server)
    return Run(measured, memory, idle, *read_log(server.log))


def report(bot_run: Run, floor_run: Run, phases: list[Phase], clients: int) -> bool:
    """Print the figures; True when every target is met."""
    checks: list[tuple[str, bool]] = []
    bot_mib, floor_mib = bot_run.memory["VmHWM"] / 1024, floor_run.memory["VmHWM"] / 1024
    for phase in phases:
        bot, floor = bot_run.phases[phase.name], floor_run.phases[phase.name]
        b, f = Figures.of(bot.results), Figures.of(floor.results)
        ratio = b.p99 / f.p99
        how = (
            f"requests arriving at random, {phase.rate:g}/s on average"
            if phase.rate
            else "each sends its next request as soon as it has the answer"
        )
        print(f"\n{phase.name}: {clients} clients, {how}")
        print(
            header()
            + f"  {'req/s':>6} {'CPU ms/req':>10}"
            + (f" {'late':>5}" if phase.rate else "")
        )
        for name, figures, run in (("bot", b, bot), ("floor (bare Bolt, ack only)", f, floor)):
            print(
                figures.row(name)
                + f"  {figures.count / run.wall:6.0f} {1000 * run.cpu / figures.count:10.2f}"
                + (f" {run.late:>5}" if phase.rate else "")
            )
        print(f"  p99 bot/floor {ratio:.2f}x, p50 bot/floor {b.p50 / f.p50:.2f}x")
        if not phase.rate:
            served = b.count / bot.wall
            print(
                f"  capacity: the bot serves {served:.0f} requests/s; {clients} requests always "
                f"in flight wait {1000 * clients / served:.0f} ms on average (Little's law)"
            )
            checks += [
                (
                    f"{phase.name}: every answer inside Slack's {SLACK_TIMEOUT:g} s, bot max "
                    f"{b.max:.0f} ms",
                    b.max < 1000 * SLACK_TIMEOUT,
                ),
                (
                    f"{phase.name}: errors, bot {b.errors}, floor {f.errors}",
                    b.errors == f.errors == 0,
                ),
            ]
            continue
        checks += [
            (
                f"{phase.name}: bot p99 {b.p99:.0f} ms < {TARGET_P99_MS:.0f} ms",
                b.p99 < TARGET_P99_MS,
            ),
            (
                f"{phase.name}: bot p99 {ratio:.2f}x the floor's < {TARGET_RATIO:g}x",
                ratio < TARGET_RATIO,
            ),
            (f"{phase.name}: errors, bot {b.errors}, floor {f.errors}", b.errors == f.errors == 0),
        ]
    print(
        f"\npeak memory (VmHWM, summed over each server's processes): bot {bot_mib:.0f} MiB in "
        f"{bot_run.memory['processes']} processes (idle {bot_run.idle['VmRSS'] / 1024:.0f} MiB), "
        f"floor {floor_mib:.0f} MiB in {floor_run.memory['processes']}"
    )

    print("\nthe bot by request and kind (ms)")
    names = "".join(f" | {p.name:^33}" for p in phases)
    print(f"  {'':<34} {'n':>5}{names}")
    columns = "".join(f" | {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}" for _ in phases)
    print(f"  {'':<34} {'':>5}{columns}")

    def line(name: str, keep: Callable[[Result], bool]) -> str:
        cells, count = "", 0
        for phase in phases:
            figures = Figures.of([r for r in bot_run.phases[phase.name].results if keep(r)])
            count += figures.count
            cells += (
                f" | {figures.p50:7.1f} {figures.p95:7.1f} {figures.p99:7.1f} {figures.max:7.1f}"
            )
        return f"  {name:<34} {count:>5}{cells}"

    for label, _, _ in MIX:
        print(line(label, lambda r, label=label: r.label == label))
    for kind in KINDS:
        print(line(f"all {kind}", lambda r, kind=kind: r.kind == kind))

    errors: dict[str, int] = {}
    for server, run in (("bot", bot_run), ("floor", floor_run)):
        for phase, measured in run.phases.items():
            for r in measured.results:
                if r.error:
                    key = f"{server}, {phase}: {r.label}: {r.error}"
                    errors[key] = errors.get(key, 0) + 1
    for key, count in sorted(errors.items()):
        print(f"  error x{count}: {key}")

    print("\nwork finished after the ack: from the request to Slack receiving the result (ms)")
    missing = expired = 0
    for phase in phases:
        measured = bot_run.phases[phase.name]
        print(f"  {phase.name:<58} {'seen':>11} {'p50':>7} {'p95':>7} {'max':>7}")
        for name, (expected, seen, delays) in sorted(
            deferred_delays(measured.results, measured.summary).items()
        ):
            missing += expected - seen
            if name.startswith("form opened"):  # Slack refuses a trigger older than 3 s
                expired += sum(1 for delay in delays if delay > 1000 * SLACK_TIMEOUT)
            print(
                f"    {name:<56} {seen:>5}/{expected:<5} {percentile(delays, 50):7.0f} "
                f"{percentile(delays, 95):7.0f} {max(delays, default=float('nan')):7.0f}"
            )
    summary = bot_run.phases[phases[-1].name].summary
    calls = ", ".join(f"{m} {n}" for m, n in sorted(summary["calls"].items()))
    print(f"  the fake Slack saw (warm-up included): {calls}")
    refused = sum(summary["refused"].values())
    if refused:
        print(f"  refused by the fake Slack: {summary['refused']}")
    if summary["violation_count"]:
        print(f"  Block Kit violations ({summary['violation_count']}): {summary['violations']}")
    print(
        f"  the bot's log: {len(bot_run.logged)} ERROR lines; {bot_run.dropped} requests dropped "
        f"as redeliveries; waitress queued requests {bot_run.queued} times (every thread busy)"
    )
    for logged in bot_run.logged[:5]:
        print(f"    {logged[:200]}")

    checks += [
        (f"bot peak memory {bot_mib:.0f} MiB < {TARGET_MIB:.0f} MiB", bot_mib < TARGET_MIB),
        (
            f"work after the ack all done ({missing} missing), no form opened after its "
            f"trigger expired ({expired}), no ERROR logged "
            f"({len(bot_run.logged)}), nothing refused by Slack "
            f"({refused + summary['violation_count']}), no request dropped ({bot_run.dropped})",
            missing == 0
            and not expired
            and not bot_run.logged
            and not refused
            and not summary["violation_count"]
            and not bot_run.dropped,
        ),
    ]
    print("\ntargets")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for _, ok in checks)


if __name__ == "__main__":
    sys.exit(main())
