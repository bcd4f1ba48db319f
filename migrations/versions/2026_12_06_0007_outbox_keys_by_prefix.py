"""outbox keys by prefix

Delivery keys are looked up by prefix (a flag's nudges, a person's welcomes). On PostgreSQL
they now compare byte by byte (COLLATE "C"), so the (team_id, key) index serves those lookups
instead of a scan of every message ever sent. SQLite compares bytes already.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "deliveries",
            "key",
            type_=sa.String(200, collation="C"),
            existing_type=sa.String(200),
            existing_nullable=False,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "deliveries",
            "key",
            type_=sa.String(200),
            existing_type=sa.String(200, collation="C"),
            existing_nullable=False,
        )
