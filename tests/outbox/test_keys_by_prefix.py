"""Outbox keys looked up by prefix (a flag's nudges, a person's welcomes) find exactly theirs,
through the index, however many messages the outbox has kept."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.db import insert_many_or_ignore, starts_with
from bot.models import Delivery, DeliveryStatus
from tests.conftest import TEAM


def keep(sessions, keys: list[str], now, team: str = TEAM) -> None:
    rows = [
        {
            "team_id": team,
            "key": key,
            "channel": "U1",
            "text": "hi",
            "status": DeliveryStatus.SENT,
            "not_before": now,
            "attempts": 1,
            "created_at": now,
        }
        for key in keys
    ]
    with sessions() as session:
        insert_many_or_ignore(session, Delivery, rows, ["team_id", "key"])
        session.commit()


def found(sessions, prefix: str) -> set[str]:
    with sessions() as session:
        return set(
            session.scalars(
                sa.select(Delivery.key).where(
                    Delivery.team_id == TEAM, starts_with(Delivery.key, prefix)
                )
            )
        )


def test_a_prefix_finds_exactly_its_keys(sessions, clock) -> None:
    keys = [
        "welcome:1:1",
        "welcome:1:2",
        "welcome:10:1",  # another person, whose id merely starts the same
        "welcome:1",  # the prefix without its separator
        "welcome;1:1",
        "Welcome:1:1",  # case matters
        "welcome:1:%",  # wildcards are characters like any other
        "welcome:_:1",
    ]
    keep(sessions, keys, clock.now())
    keep(sessions, ["welcome:1:9"], clock.now(), team="T0OTHER")
    assert found(sessions, "welcome:1:") == {"welcome:1:1", "welcome:1:2", "welcome:1:%"}
    assert found(sessions, "welcome:_:") == {"welcome:_:1"}
    assert found(sessions, "welcome:1") == {
        "welcome:1:1",
        "welcome:1:2",
        "welcome:10:1",
        "welcome:1",
        "welcome:1:%",
    }


def test_a_prefix_lookup_uses_the_index_not_a_scan_of_every_message(engine, sessions, clock):
    now = clock.now()
    keep(sessions, [f"weekly-prompt:{n}:2026-W{n % 52}" for n in range(20_000)], now)
    keep(sessions, [f"welcome:{n}:1" for n in range(50)], now + timedelta(seconds=1))
    query = sa.select(sa.func.count()).where(
        Delivery.team_id == TEAM, starts_with(Delivery.key, "welcome:7:")
    )
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("ANALYZE deliveries"))
            compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
            assert "uq_deliveries_team_id_key" in plan and "Seq Scan" not in plan, plan
            # Byte order whatever the database's collation, so the range is exactly the prefix.
            collation = connection.execute(
                sa.text(
                    "SELECT collation_name FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND table_name = 'deliveries' AND column_name = 'key'"
                )
            ).scalar()
            assert collation == "C"
        else:
            compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(
                str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            )
            assert "SEARCH deliveries USING COVERING INDEX" in plan and "key>?" in plan, plan
        assert connection.execute(query).scalar() == 1
