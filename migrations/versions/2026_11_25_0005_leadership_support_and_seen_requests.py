"""leadership support and seen requests

A program's sponsor, kickoff and guide texts; kickoff replies; talk requests; and the ids of
Slack requests already handled (retries have one effect). Existing programs get empty values.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:18:55.401787
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_requests")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_seen_requests_team_id_key")),
    )
    with op.batch_alter_table("seen_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_requests_seen_at"), ["seen_at"], unique=False)

    op.create_table(
        "kickoff_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=32), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_kickoff_replies_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kickoff_replies")),
        sa.UniqueConstraint(
            "program_id", "user_id", name=op.f("uq_kickoff_replies_program_id_user_id")
        ),
    )
    op.create_table(
        "talk_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=32), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_talk_requests_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talk_requests")),
    )
    with op.batch_alter_table("talk_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_talk_requests_program_id_taken_at"),
            ["program_id", "taken_at"],
            unique=False,
        )

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sponsor_user_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("sponsor_message", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("kickoff_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("kickoff_place", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("kickoff_agenda", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("kickoff_followup", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("guide_overrides", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("guide_overrides")
        batch_op.drop_column("kickoff_followup")
        batch_op.drop_column("kickoff_agenda")
        batch_op.drop_column("kickoff_place")
        batch_op.drop_column("kickoff_at")
        batch_op.drop_column("sponsor_message")
        batch_op.drop_column("sponsor_user_id")

    with op.batch_alter_table("talk_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_talk_requests_program_id_taken_at"))

    op.drop_table("talk_requests")
    op.drop_table("kickoff_replies")
    with op.batch_alter_table("seen_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_requests_seen_at"))

    op.drop_table("seen_requests")
