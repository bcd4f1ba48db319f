"""The stall rules on plain values: thresholds, edges, words and when a nudge may go out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.health_rules import (
    Member,
    PairState,
    Thresholds,
    assess,
    declined_in_a_row,
    low_mood,
    member_left,
    no_meeting,
    nudge_time,
    unanswered_checkins,
)
from bot.models import FlagReason, FlagSeverity, MeetingStatus, ParticipantStatus

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
ANA, BEN = Member(1, "UANA"), Member(2, "UBEN")
DEFAULT = Thresholds()


def state(**fields) -> PairState:
    values = {
        "pairing_id": 7,
        "watch_from": NOW - timedelta(weeks=6),
        "members": (ANA, BEN),
        "last_met": NOW - timedelta(days=3),
    }
    values.update(fields)
    return PairState(**values)


def weeks_ago(weeks: int) -> date:
    return TODAY - timedelta(weeks=weeks)


def test_thresholds_come_from_program_settings_with_safe_defaults() -> None:
    assert Thresholds.of({}) == DEFAULT
    assert Thresholds.of({"health": "nonsense"}) == DEFAULT
    custom = Thresholds.of(
        {"health": {"no_meeting_at_risk_weeks": 3, "no_meeting_stalled_weeks": "5", "low_mood": 9}}
    )
    assert (custom.no_meeting_at_risk_weeks, custom.no_meeting_stalled_weeks) == (3, 5)
    assert custom.low_mood == 4  # capped: 5 would flag every happy pair
    inverted = Thresholds.of({"health": {"no_meeting_at_risk_weeks": 4}})
    assert inverted.no_meeting_stalled_weeks == 4
    assert Thresholds.of({"health": {"declined_meetings": True}}) == DEFAULT


def test_no_meeting_counts_from_the_last_meeting_then_from_the_introduction() -> None:
    assert no_meeting(state(last_met=NOW - timedelta(days=13)), DEFAULT, NOW) is None
    at_risk = no_meeting(state(last_met=NOW - timedelta(days=14)), DEFAULT, NOW)
    assert at_risk is not None and at_risk.severity is FlagSeverity.AT_RISK
    assert at_risk.since == NOW - timedelta(days=14)
    assert "No meeting held or logged for 2 weeks; they last met on Mon 16 Nov" in at_risk.words
    stalled = no_meeting(state(last_met=NOW - timedelta(days=22)), DEFAULT, NOW)
    assert stalled is not None and stalled.severity is FlagSeverity.STALLED

    never = no_meeting(state(last_met=None, watch_from=NOW - timedelta(days=15)), DEFAULT, NOW)
    assert never is not None and never.since == NOW - timedelta(days=15)
    assert "since they were introduced on Sun 15 Nov" in never.words
    fresh = state(last_met=None, watch_from=NOW - timedelta(days=10))
    assert no_meeting(fresh, DEFAULT, NOW) is None


def test_unanswered_checkins_need_two_finished_periods_in_a_row() -> None:
    current = TODAY
    one = state(checkins=((current, False), (weeks_ago(1), False), (weeks_ago(2), True)))
    assert unanswered_checkins(one, DEFAULT, current) is None  # this week is still open
    two = state(checkins=((weeks_ago(1), False), (weeks_ago(2), False), (weeks_ago(3), True)))
    found = unanswered_checkins(two, DEFAULT, current)
    assert found is not None and found.reason is FlagReason.UNANSWERED_CHECKINS
    assert found.since == datetime(2026, 11, 16, tzinfo=UTC)
    assert "Neither of them answered the last 2 check-ins" in found.words
    answered_now = state(checkins=((current, True), *two.checkins))
    assert unanswered_checkins(answered_now, DEFAULT, current) is None
    before_pairing = state(
        watch_from=NOW - timedelta(days=6),  # paired in the week of the last period
        checkins=((weeks_ago(1), False), (weeks_ago(2), False)),
    )
    assert unanswered_checkins(before_pairing, DEFAULT, current) is None


def test_low_mood_twice_in_a_row_from_one_member_quotes_numbers_only() -> None:
    moods = {1: ((weeks_ago(1), 2), (weeks_ago(2), 1)), 2: ((weeks_ago(1), 5), (weeks_ago(2), 4))}
    found = low_mood(state(moods=moods), DEFAULT)
    assert found is not None and found.severity is FlagSeverity.AT_RISK
    assert "<@UANA> rated their mood 1, 2 (out of 5)" in found.words
    assert "UBEN" not in found.words
    recovered = {1: ((TODAY, 4), (weeks_ago(1), 2)), 2: ()}
    assert low_mood(state(moods=recovered), DEFAULT) is None
    once = {1: ((weeks_ago(1), 1),)}
    assert low_mood(state(moods=once), DEFAULT) is None


def test_two_declined_or_missed_meetings_in_a_row() -> None:
    at = NOW - timedelta(days=2)
    meetings = (
        (MeetingStatus.DECLINED, at),
        (MeetingStatus.MISSED, at - timedelta(days=5)),
        (MeetingStatus.HELD, at - timedelta(days=9)),
    )
    found = declined_in_a_row(state(recent_meetings=meetings), DEFAULT)
    assert found is not None and found.since == at - timedelta(days=5)
    assert "(1 declined and 1 missed)" in found.words
    held_since = ((MeetingStatus.HELD, at), *meetings[1:])
    assert declined_in_a_row(state(recent_meetings=held_since), DEFAULT) is None
    assert declined_in_a_row(state(recent_meetings=meetings[:1]), DEFAULT) is None


def test_a_member_who_left_goes_straight_to_organizers_and_hides_the_rest() -> None:
    gone = Member(2, "UBEN", ParticipantStatus.DEACTIVATED, NOW - timedelta(days=1))
    found = member_left(state(members=(ANA, gone)))
    assert found is not None and not found.nudge_first
    assert found.severity is FlagSeverity.STALLED
    assert "<@UBEN> was deactivated in Slack on Sun 29 Nov" in found.words
    both = assess(state(members=(ANA, gone), last_met=None), DEFAULT, NOW, TODAY)
    assert [f.reason for f in both] == [FlagReason.MEMBER_LEFT]
    healthy = assess(state(), DEFAULT, NOW, TODAY)
    assert healthy == []


def test_nudges_wait_for_a_working_hour_on_a_weekday() -> None:
    assert nudge_time(NOW, ["UTC"]) == NOW  # Monday 10:00
    early = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert nudge_time(early, ["UTC"]) == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    friday_night = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
    assert nudge_time(friday_night, ["Europe/Berlin"]) == datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    across = nudge_time(early, ["Europe/Berlin", "America/New_York"])
    assert across == datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 09:30 in New York
