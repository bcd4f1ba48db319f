"""Fixtures of the fault tests: a PostgreSQL schema of their own (these tests need a server:
several processes on one database, a database behind a proxy that can be cut).

They run wherever the suite runs on PostgreSQL; a run limited to SQLite (`TEST_DATABASES=
sqlite`) leaves them out, as it leaves out the PostgreSQL half of every other test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from bot.db import make_engine
from tests.conftest import BACKENDS, pg_admin_url

PG_ONLY = "pg_url"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "postgresql" in BACKENDS:
        return
    left_out = [item for item in items if PG_ONLY in getattr(item, "fixturenames", ())]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


def new_schema() -> tuple[str, str]:
    """(schema, URL whose connections use it) on the test PostgreSQL server."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg_admin_url())
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {pg_admin_url()} ({error.orig}); start it or point "
            "TEST_DATABASE_URL at one",
            pytrace=False,
        )
    finally:
        admin.dispose()
    separator = "&" if "?" in pg_admin_url() else "?"
    return schema, f"{pg_admin_url()}{separator}options={quote(f'-csearch_path={schema}')}"


def drop_schema(schema: str) -> None:
    admin = make_engine(pg_admin_url())
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL schema (no tables), for tests that only make sense on a server."""
    schema, url = new_schema()
    yield url
    drop_schema(schema)
