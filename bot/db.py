"""Engine and sessions: one place that knows how to talk to SQLite and PostgreSQL."""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the message is one line fit for an admin."""


# PostgreSQL connections kept open per process: about as many as the threads that use them at
# once (the HTTP server's, Bolt's and the after-ack workers), so a busy minute reuses them
# instead of opening and closing a connection per request; a burst may open a few more.
POOL_SIZE = 16
POOL_OVERFLOW = 8


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            parsed, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre-ping lets the pool recover by itself after the database was briefly unreachable.
    kwargs = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, **kwargs}
    return sa.create_engine(parsed, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _is_memory(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return all(not row[2] for row in rows)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One use case, one transaction: commit at the end, roll everything back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        raise DatabaseUnavailable(
            f"cannot reach the database at {safe_url(engine.url)} ({_first_line(error)}); "
            "check DATABASE_URL and that the database server is running"
        ) from None


def safe_url(url: sa.URL | str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _first_line(error: sa.exc.SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


def starts_with(column: Any, prefix: str) -> sa.ColumnElement[bool]:
    """`column` begins with `prefix`, as a range its index serves (a LIKE prefix cannot use a
    SQLite index at all, nor a PostgreSQL one under most collations). Exact on byte-ordered
    columns: keys are, with SQLite's BINARY and, on PostgreSQL, COLLATE "C" (see
    bot.models.base.byte_ordered)."""
    if not prefix:
        raise ValueError("an empty prefix matches everything")
    return sa.and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def insert_many_or_ignore(
    session: Session, model: type[Any], rows: list[dict[str, Any]], conflict: list[str]
) -> int:
    """Many rows in one statement, skipping those whose unique key exists; returns how many
    were inserted. Planning thousands of messages a tick stays one round trip per chunk."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    table = model.__table__
    if dialect == "postgresql":
        return _copy_then_insert(session, table, rows, conflict)
    from sqlalchemy.dialects.sqlite import insert

    key = table.c[next(iter(table.primary_key.columns)).name]
    # One compiled statement executed for many parameter sets: SQLAlchemy batches it into
    # multi-row INSERTs ("insertmanyvalues") and still returns the inserted keys.
    statement = insert(table).on_conflict_do_nothing(index_elements=conflict).returning(key)
    return len(session.execute(statement, rows).all())


def _copy_then_insert(
    session: Session, table: sa.Table, rows: list[dict[str, Any]], conflict: list[str]
) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT ... SELECT ... ON
    CONFLICT DO NOTHING. Thousands of rows cost one statement, not thousands of parameters."""
    columns = list(rows[0])
    scratch = f"scratch_{table.name}"
    connection = session.connection()
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {scratch} "
        f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    connection.exec_driver_sql(f"TRUNCATE {scratch}")
    is_json = {c: isinstance(table.c[c].type, sa.JSON) for c in columns}
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {scratch} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_copy_value(row[c], is_json[c]) for c in columns])
    names = ", ".join(columns)
    inserted = connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {scratch} "
        f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING 1"
    )
    return len(inserted.all())


def _copy_value(value: Any, is_json: bool) -> Any:
    if value is None:
        return None
    if is_json:
        return json.dumps(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def insert_or_ignore(
    session: Session, model: type[Any], values: dict[str, Any], conflict: list[str]
) -> bool:
    """Insert a row unless one with the same unique key exists; True when this call inserted.

    Deduplication lives in the database, so two replicas (or a retried request) racing to
    insert the same key end with one row and no error.
    """
    if session.bind is None:
        raise RuntimeError("session is not bound to an engine")
    statement = _insert_or_ignore_statement(
        session.get_bind().dialect.name, model.__table__, tuple(values), tuple(conflict)
    )
    return session.execute(statement, values).first() is not None


@functools.lru_cache(maxsize=128)
def _insert_or_ignore_statement(
    dialect: str, table: sa.Table, keys: tuple[str, ...], conflict: tuple[str, ...]
) -> sa.Insert:
    """Built once per shape: building it cost more than running it (every outbox row)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return (
        insert(table)
        .values({key: sa.bindparam(key, type_=table.c[key].type) for key in keys})
        .on_conflict_do_nothing(index_elements=list(conflict))
        .returning(table.c[next(iter(table.primary_key.columns)).name])
    )
