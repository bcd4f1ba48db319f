"""Status and report benchmark: 10,000 pairings with 52 weeks of meetings and check-ins, on
SQLite and on PostgreSQL. Prints the time to build `/mentoring status` and the program report,
and the number of SQL statements each issues (which must not grow with the pairings).

    python bench/status.py [--pairings 10000] [--small 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fanout import NOW, admin_url, populate
from bot.db import make_engine, make_session_factory
from bot.models import Program
from bot.reports import build_report
from bot.status import program_health


def measure(url: str) -> dict[str, float]:
    engine = make_engine(url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    sessions = make_session_factory(engine)
    figures: dict[str, float] = {}
    with sessions() as session:
        program = session.scalars(sa.select(Program)).one()
        for name, build in (
            ("status", lambda: program_health(session, program, NOW)),
            ("report", lambda: build_report(session, program, NOW)),
        ):
            build()  # warm up the connection and caches
            statements.clear()
            started = time.perf_counter()
            build()
            figures[f"{name}_ms"] = 1000 * (time.perf_counter() - started)
            figures[f"{name}_queries"] = len(statements)
    engine.dispose()
    return figures


def on_postgresql(pairings: int) -> dict[str, float]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url())
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in admin_url() else "?"
    url = f"{admin_url()}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        populate(url, pairings)
        return measure(url)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def on_sqlite(pairings: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        populate(url, pairings)
        return measure(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100, help="a second size, for query counts")
    args = parser.parse_args()
    print(
        f"{'database':<11} {'pairings':>8} | {'status ms':>9} {'queries':>7} | "
        f"{'report ms':>9} {'queries':>7}"
    )
    for name, run in (("SQLite", on_sqlite), ("PostgreSQL", on_postgresql)):
        for size in (args.small, args.pairings):
            f = run(size)
            print(
                f"{name:<11} {size:>8} | {f['status_ms']:9.0f} {f['status_queries']:7.0f} | "
                f"{f['report_ms']:9.0f} {f['report_queries']:7.0f}"
            )


if __name__ == "__main__":
    main()
