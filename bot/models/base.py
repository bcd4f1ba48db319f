"""The declarative base, shared column types and the enumerations the domain speaks in."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the backend keeps.

    SQLite has no time zones, so values are stored as naive UTC there and made aware again on
    the way out; PostgreSQL keeps `timestamptz`.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def byte_ordered(length: int) -> sa.types.TypeEngine[str]:
    """Text compared byte by byte, so its index serves prefix lookups (bot.db.starts_with):
    SQLite's default already; PostgreSQL's database collation would order it otherwise."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def enum_column(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Enums are stored as their string values without a CHECK, so adding a value needs no
    table rebuild on SQLite."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


class TeamScoped:
    """Every row belongs to one Slack workspace; queries always filter on it."""

    team_id: Mapped[str] = mapped_column(sa.String(32))


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgramStatus(enum.StrEnum):
    DRAFT = "draft"
    ENROLLING = "enrolling"
    MATCHING = "matching"
    RUNNING = "running"
    ENDED = "ended"


class ProgramFormat(enum.StrEnum):
    ONE_TO_ONE = "one_to_one"
    GROUP = "group"


class ParticipantRole(enum.StrEnum):
    """Reverse mentoring: the junior *mentor* shares new skills, the senior *mentee* learns them
    (and both teach back)."""

    MENTOR = "mentor"
    MENTEE = "mentee"


class CareerStage(enum.StrEnum):
    EARLY = "early"
    MID = "mid"
    SENIOR = "senior"
    EXECUTIVE = "executive"


class ParticipantStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"
    DEACTIVATED = "deactivated"


class PairingStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    REPAIRED = "repaired"


class MeetingStatus(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    COUNTERED = "countered"  # another time was suggested instead
    DECLINED = "declined"
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"


class SurveyKind(enum.StrEnum):
    START = "start"
    MIDDLE = "middle"
    END = "end"


class FlagReason(enum.StrEnum):
    NO_MEETING = "no_meeting"
    UNANSWERED_CHECKINS = "unanswered_checkins"
    LOW_MOOD = "low_mood"
    DECLINED_MEETINGS = "declined_meetings"
    MEMBER_LEFT = "member_left"
    REPORTED_CLASH = "reported_clash"
    DELIVERY_FAILED = "delivery_failed"


class FlagSeverity(enum.StrEnum):
    AT_RISK = "at_risk"
    STALLED = "stalled"


class FlagStatus(enum.StrEnum):
    NUDGED = "nudged"  # the pair got a gentle nudge; organizers not told yet
    OPEN = "open"  # organizers were told and have not acted
    ACTED = "acted"  # an organizer nudged, paused or suggested re-pairing
    DISMISSED = "dismissed"
    RESOLVED = "resolved"  # the pair recovered by itself


class WinSharing(enum.StrEnum):
    NAMED = "named"
    ANONYMOUS = "anonymous"
    ORGANIZERS = "organizers"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
