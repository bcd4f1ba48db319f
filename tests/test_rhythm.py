"""The program calendar every planner shares."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot import rhythm
from bot.models import Program, ProgramStatus

MONDAY = date(2026, 11, 30)


def program(**fields) -> Program:
    values = {
        "start_date": date(2026, 12, 2),  # a Wednesday
        "length_weeks": 6,
        "checkin_cadence_weeks": 2,
        "status": ProgramStatus.RUNNING,
    }
    values.update(fields)
    return Program(**values)


def test_weeks_and_periods_count_from_the_week_the_program_starts() -> None:
    p = program()
    assert rhythm.program_week(p, date(2026, 12, 1)) == 0  # before the start
    assert rhythm.program_week(p, date(2026, 12, 2)) == 1
    assert rhythm.program_week(p, date(2026, 12, 7)) == 2
    assert rhythm.period_start(p, date(2026, 12, 9)) == MONDAY  # weeks 1-2 are one period
    assert rhythm.period_start(p, date(2026, 12, 15)) == date(2026, 12, 14)
    assert rhythm.end_date(p) == date(2027, 1, 13)
    assert rhythm.is_running(p, date(2027, 1, 12))
    assert not rhythm.is_running(p, date(2027, 1, 13))
    assert not rhythm.is_running(program(status=ProgramStatus.ENDED), date(2026, 12, 3))


def test_the_weekly_morning_is_inside_both_working_days_across_zones() -> None:
    berlin = rhythm.first_working_morning(MONDAY, ["Europe/Berlin"])
    assert berlin.astimezone(UTC) == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 Berlin
    both = rhythm.first_working_morning(MONDAY, ["Europe/Berlin", "America/New_York"])
    assert both.astimezone(UTC) == datetime(
        2026, 11, 30, 14, 30, tzinfo=UTC
    )  # 09:30 NY, 15:30 Berlin
    far = rhythm.first_working_morning(MONDAY, ["Europe/Berlin", "Pacific/Auckland"])
    assert far.astimezone(UTC) == datetime(
        2026, 11, 30, 8, 30, tzinfo=UTC
    )  # no overlap: first zone
