"""Alembic environment: runs migrations on the connection `bot.migrate` hands over, or on
DATABASE_URL when a developer runs the `alembic` command."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from bot.models import Base
from bot.models.base import UTCDateTime

# An arbitrary constant: replicas starting together take turns migrating on PostgreSQL.
MIGRATION_LOCK_ID = 7_262_611


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write plain SQL types into revisions, so that old revisions never import today's code:
    our UTC datetimes are `timestamptz`, our enums are strings."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, sa.Enum) and not obj.native_enum:
        return f"sa.String(length={obj.length})"
    return False


def _configure_and_run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    config = context.config
    url = None
    if config.file_config.has_section(config.config_ini_section):
        url = config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.config import load_settings

        url = load_settings().database_url
    from bot.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        _configure_and_run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
