"""The Alembic revisions build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.db import make_engine
from bot.migrate import head_revision, upgrade
from bot.models import Base


def test_migrate_is_idempotent_and_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second run (or a second replica) changes nothing
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision()
            assert compare_metadata(context, Base.metadata) == []
            tables = set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_every_table_is_scoped_by_team() -> None:
    for name, table in Base.metadata.tables.items():
        assert "team_id" in table.c, name
        assert not table.c.team_id.nullable, name
