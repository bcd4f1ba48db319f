"""Weekly fan-out benchmark: one tick that prompts every pair of a big program, on PostgreSQL,
against the fake Slack Web API in another process on loopback.

(a) no rate limit: time to plan and to send, messages per second, our own CPU per message,
    peak memory of the bot process;
(b) Slack-like limits (the fake answers 429 with Retry-After beyond a per-second workspace rate
    and one message per second per conversation; the sender paces itself to the same rates):
    total time against the floor those limits set, and no message lost or sent twice.

    python bench/fanout.py [--pairings 10000] [--limited 2000] [--per-minute 3000]

BENCH_DATABASE_URL (default: TEST_DATABASE_URL, else the local `test` database) must be a
PostgreSQL database; the benchmark works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import make_engine
from bot.models import (
    Base,
    Checkin,
    Delivery,
    DeliveryStatus,
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

ROOT = Path(__file__).resolve().parent.parent
TEAM = "T0BENCH"
HEADROOM = 0.95  # the sender paces at 95% of the fake's limit, so jitter causes no 429s
TOKEN = "xoxb-bench"
NOW = datetime(2027, 11, 29, 8, 30, tzinfo=UTC)  # a Monday, 09:30 in Berlin
FAKE = """
import json, signal, sys, time
sys.path.insert(0, {root!r})
from tests.support.fake_slack import FakeSlack
fake = FakeSlack(bot_token={token!r}, team_id={team!r}).start()
limit = {limit!r}
if limit:
    fake.limit("chat.postMessage", per_minute=limit, per_channel_seconds=1.0)
print(fake.base_url, flush=True)
def stop(*_):
    keys = {{}}
    for call in fake.calls_to("chat.postMessage"):
        if call.status == 200:
            key = call.params["metadata"]["event_payload"]["key"]
            keys[key] = keys.get(key, 0) + 1
    print(json.dumps({{"ok_posts": keys, "refused": fake.refused_by_limits}}), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    time.sleep(1)
"""


def admin_url() -> str:
    return os.environ.get(
        "BENCH_DATABASE_URL",
        os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )


def populate(url: str, pairings: int) -> dict[str, float]:
    """A program a year into its run: people, pairings, weekly meetings and check-ins."""
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    started = time.perf_counter()
    start = NOW.date() - timedelta(weeks=52)
    with engine.begin() as connection:
        program_id = connection.execute(
            sa.insert(Program)
            .values(
                team_id=TEAM,
                name="Bench",
                business_need="Digital skills",
                status=ProgramStatus.RUNNING,
                start_date=start,
                length_weeks=60,
                skills_catalogue=["TikTok", "Strategy"],
                settings={},
                created_at=NOW - timedelta(weeks=53),
            )
            .returning(Program.id)
        ).scalar_one()
        people = []
        for n in range(pairings * 2):
            people.append(
                {
                    "team_id": TEAM,
                    "program_id": program_id,
                    "user_id": f"U{n:07d}",
                    "display_name": f"Person {n}",
                    "role": ParticipantRole.MENTOR if n % 2 == 0 else ParticipantRole.MENTEE,
                    "skills_offered": ["TikTok"] if n % 2 == 0 else ["Strategy"],
                    "skills_wanted": ["Strategy"] if n % 2 == 0 else ["TikTok"],
                    "timezone": "Europe/Berlin",
                    "consent": True,
                    "created_at": NOW - timedelta(weeks=53),
                }
            )
        _insert(connection, Participant, people)
        participant_ids = list(
            connection.scalars(sa.select(Participant.id).order_by(Participant.id))
        )
        introduced = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
        _insert(
            connection,
            Pairing,
            [
                {
                    "team_id": TEAM,
                    "program_id": program_id,
                    "status": PairingStatus.ACTIVE,
                    "channel_id": f"G{n:07d}",
                    "introduced_at": introduced,
                    "created_at": introduced,
                }
                for n in range(pairings)
            ],
        )
        pairing_ids = list(connection.scalars(sa.select(Pairing.id).order_by(Pairing.id)))
        _insert(
            connection,
            PairingMember,
            [
                {"team_id": TEAM, "pairing_id": pid, "participant_id": participant_ids[2 * i + k]}
                for i, pid in enumerate(pairing_ids)
                for k in (0, 1)
            ],
        )
        for week in range(52):
            day = introduced + timedelta(weeks=week, days=2, hours=12)
            _insert(
                connection,
                Meeting,
                [
                    {
                        "team_id": TEAM,
                        "pairing_id": pid,
                        "proposed_by": "U0000000",
                        "starts_at": day,
                        "duration_minutes": 60,
                        "status": MeetingStatus.HELD,
                        "minutes_held": 60,
                        "held_confirmed_by": [],
                        "created_at": day,
                    }
                    for pid in pairing_ids
                ],
            )
            period = start + timedelta(weeks=week)
            _insert(
                connection,
                Checkin,
                [
                    {
                        "team_id": TEAM,
                        "participant_id": participant,
                        "pairing_id": pairing_ids[i // 2],
                        "period_start": period,
                        "met": True,
                        "minutes": 60,
                        "mood": 4,
                        "comment_private": True,
                        "answered_at": day,
                        "created_at": day,
                    }
                    for i, participant in enumerate(participant_ids)
                ],
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))  # as autovacuum would have, on a live database
    engine.dispose()
    return {"populate_seconds": time.perf_counter() - started}


def _insert(connection: sa.Connection, model: type, rows: list[dict]) -> None:
    for at in range(0, len(rows), 5000):
        connection.execute(sa.insert(model), rows[at : at + 5000])


def measure(url: str, api: str, per_minute: float | None) -> dict[str, float]:
    """Run in a fresh process: plan this week's prompts, then send them."""
    from bot.bootstrap import build_services
    from bot.clock import FixedClock
    from bot.config import parse_settings
    from bot.db import unit_of_work
    from bot.outbox.pacing import Pacer
    from bot.planner import plan_due

    settings = parse_settings({"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": api, "DATABASE_URL": url})
    pacer = (
        Pacer(per_channel_seconds=1.0, per_minute=per_minute * HEADROOM, burst=1)
        if per_minute
        else Pacer.unlimited()
    )
    services = build_services(settings, clock=FixedClock(NOW), pacer=pacer)
    started = time.perf_counter()
    with unit_of_work(services.sessions) as session:
        planned = plan_due(session, NOW, services.planners)
    plan_seconds = time.perf_counter() - started
    cpu, wall = time.process_time(), time.perf_counter()
    report = services.outbox.send_due()
    send_seconds = time.perf_counter() - wall
    cpu_seconds = time.process_time() - cpu
    with services.sessions() as session:
        statuses = dict(
            session.execute(
                sa.select(Delivery.status, sa.func.count()).group_by(Delivery.status)
            ).all()
        )
    return {
        "planned": planned,
        "plan_seconds": plan_seconds,
        "sent": report.sent,
        "deferred": report.deferred,
        "failed": report.failed,
        "send_seconds": send_seconds,
        "cpu_ms_per_message": 1000 * cpu_seconds / max(report.sent, 1),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "still_pending": statuses.get(DeliveryStatus.PENDING, 0),
    }


def run(pairings: int, per_minute: float | None) -> dict[str, object]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url())
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in admin_url() else "?"
    url = f"{admin_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    fake = subprocess.Popen(
        [
            sys.executable,
            "-c",
            FAKE.format(root=str(ROOT), token=TOKEN, team=TEAM, limit=per_minute),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        api = fake.stdout.readline().strip()
        result: dict[str, object] = populate(url, pairings)
        child = subprocess.run(
            [sys.executable, __file__, "--measure", url, api, str(per_minute or 0)],
            capture_output=True,
            text=True,
            check=True,
        )
        result.update(json.loads(child.stdout.strip().splitlines()[-1]))
    finally:
        fake.terminate()
        out, _ = fake.communicate(timeout=60)
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    posts = json.loads(out.strip().splitlines()[-1])
    counts = posts["ok_posts"].values()
    result["delivered_once"] = sum(1 for c in counts if c == 1)
    result["duplicates"] = sum(1 for c in counts if c > 1)
    result["refused_429"] = posts["refused"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=10_000)
    parser.add_argument("--limited", type=int, default=2_000, help="pairings for run (b)")
    parser.add_argument("--per-minute", type=float, default=3_000, help="workspace limit in (b)")
    parser.add_argument("--measure", nargs=3, metavar=("URL", "API", "PER_MINUTE"))
    args = parser.parse_args()
    if args.measure:
        url, api, per_minute = args.measure
        print(json.dumps(measure(url, api, float(per_minute) or None)))
        return

    a = run(args.pairings, None)
    print(f"(a) no rate limit, {args.pairings} pairings with a year of history")
    print(f"    populate {a['populate_seconds']:.1f} s (not part of the tick)")
    print(f"    plan     {a['plan_seconds']:.2f} s for {a['planned']} prompts")
    print(
        f"    send     {a['send_seconds']:.1f} s, {a['sent'] / a['send_seconds']:.0f} messages/s, "
        f"our own CPU {a['cpu_ms_per_message']:.2f} ms per message"
    )
    print(f"    peak memory of the bot process {a['peak_rss_mib']:.0f} MiB")
    print(
        f"    delivered once {a['delivered_once']}, duplicates {a['duplicates']}, "
        f"pending {a['still_pending']}, failed {a['failed']}"
    )
    b = run(args.limited, args.per_minute)
    floor = b["sent"] / (args.per_minute / 60)
    print(
        f"(b) Slack-like limits: {args.per_minute:.0f}/min per workspace, 1/s per conversation, "
        f"{args.limited} pairings"
    )
    print(
        f"    total {b['send_seconds']:.1f} s against a floor of {floor:.1f} s "
        f"({100 * (b['send_seconds'] / floor - 1):+.1f}%), 429s {b['refused_429']}"
    )
    print(
        f"    delivered once {b['delivered_once']} of {b['planned']}, duplicates "
        f"{b['duplicates']}, pending {b['still_pending']}, failed {b['failed']}"
    )


if __name__ == "__main__":
    main()
