"""Check-ins end to end: whole programs driven by the clock, answers, comments and refusals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.models import Checkin, Delivery, DeliveryStatus, Program, ProgramStatus
from bot.slack import ids
from tests.conftest import RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems
from tests.support.waiting import eventually
from tests.test_checkins import BERLIN, MONDAY, NEW_YORK, pair_up, utc

PAIR_CHANNEL = "GPAIRANABEN"
TICK_HOURS = (0, 8, 9, 12, 15, 18)  # several instants a day, UTC


def start_pair(bot: RunningBot, *, weeks: int = 4, cadence: int = 1, channel=PAIR_CHANNEL):
    bot.fake.add_user("UANA", name="ana", tz=BERLIN, tz_offset=3600)
    bot.fake.add_user("UBEN", name="ben", tz=NEW_YORK, tz_offset=-18000)
    program = make_program(
        bot.services.sessions,
        "Digital <Pilot>",
        start_date=MONDAY,
        length_weeks=weeks,
        checkin_cadence_weeks=cadence,
    )
    pairing_id, (ana, ben) = pair_up(
        bot.services.sessions,
        program.id,
        [("UANA", BERLIN), ("UBEN", NEW_YORK)],
        introduced_at=utc(2026, 11, 27, 12, 0),
        channel_id=channel,
    )
    return program, pairing_id, ana, ben


def tick_at(bot: RunningBot, instant: datetime):
    bot.services.clock.set(instant)
    return bot.services.tick()


def drive(bot: RunningBot, first: datetime, last: datetime) -> None:
    """Tick at several instants of every day from `first` to `last`."""
    day = first.replace(hour=0)
    while day <= last:
        for hour in TICK_HOURS:
            if first <= day.replace(hour=hour) <= last:
                report = tick_at(bot, day.replace(hour=hour))
                assert not report.failures, report.summary()
        day += timedelta(days=1)


def rows(bot: RunningBot, prefix: str) -> list[Delivery]:
    with bot.services.sessions() as session:
        return list(
            session.scalars(
                sa.select(Delivery)
                .where(Delivery.key.startswith(prefix))
                .order_by(Delivery.sent_at, Delivery.key)
            )
        )


def sent_times(bot: RunningBot, prefix: str, participant_id: int) -> list[datetime]:
    found = [r for r in rows(bot, f"{prefix}:{participant_id}:")]
    assert all(r.status is DeliveryStatus.SENT for r in found)
    return [r.sent_at for r in found]


def posts_to(bot: RunningBot, channel: str, words: str) -> list:
    return [
        call
        for call in bot.fake.calls_to("chat.postMessage")
        if call.params.get("channel") == channel and words in call.params.get("text", "")
    ]


@pytest.mark.parametrize(
    ("cadence", "fridays", "mondays"),
    [(1, (4, 11, 18, 25), (7, 14, 21)), (2, (11, 25), (14,))],
)
def test_a_whole_program_week_by_week(bot: RunningBot, cadence, fridays, mondays) -> None:
    program, _, ana, ben = start_pair(bot, cadence=cadence)

    drive(bot, utc(2026, 11, 30, 0), utc(2026, 12, 27, 18))

    # 10:00 on the period's last Friday in each member's zone; reminders on the Monday after
    # (two days later is a Sunday), once; none for the last period, which ends the program.
    assert sent_times(bot, "checkin", ana) == [utc(2026, 12, d, 9) for d in fridays]
    assert sent_times(bot, "checkin", ben) == [utc(2026, 12, d, 15) for d in fridays]
    assert sent_times(bot, "checkin-reminder", ana) == [utc(2026, 12, d, 9) for d in mondays]
    assert sent_times(bot, "checkin-reminder", ben) == [utc(2026, 12, d, 15) for d in mondays]
    checkins = posts_to(bot, "UANA", "How is your mentoring going?")
    reminders = posts_to(bot, "UANA", "A gentle reminder")
    assert (len(checkins), len(reminders)) == (len(fridays), len(mondays))
    assert len(posts_to(bot, "UBEN", "How is your mentoring going?")) == len(fridays)
    for call in checkins + reminders:
        assert block_kit_problems(call.params, "message") == []
    assert "Digital &lt;Pilot&gt;" in json.dumps(checkins[0].params["blocks"])
    with bot.services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 2 * len(fridays)

    drive(bot, utc(2026, 12, 28, 0), utc(2027, 1, 11, 18))  # the end, and two weeks after
    with bot.services.sessions() as session:
        assert session.get(Program, program.id).status is ProgramStatus.ENDED
    assert len(posts_to(bot, "UANA", "How is your mentoring going?")) == len(fridays)
    assert len(rows(bot, "checkin-reminder:")) == 2 * len(mondays)
    assert len(rows(bot, "checkin:")) == 2 * len(fridays)


def message_of(bot: RunningBot, key: str) -> dict:
    """The message as the fake holds it now (after any chat.update)."""
    [row] = rows(bot, key)
    return next(m for m in bot.fake.messages[row.message_channel] if m["ts"] == row.message_ts)


def checkin_id(bot: RunningBot, participant_id: int) -> int:
    with bot.services.sessions() as session:
        return session.scalar(
            sa.select(Checkin.id)
            .where(Checkin.participant_id == participant_id)
            .order_by(Checkin.id.desc())
        )


def checkin(bot: RunningBot, participant_id: int) -> Checkin:
    with bot.services.sessions() as session:
        return session.get(Checkin, checkin_id(bot, participant_id))


def comment_values(text: str, private: bool) -> dict:
    chosen = [{"value": "private"}] if private else []
    return {
        "comment": {"comment": {"type": "plain_text_input", "value": text}},
        "private": {"private": {"type": "checkboxes", "selected_options": chosen}},
    }


def test_answers_are_stored_and_replace_the_message_in_place(bot: RunningBot) -> None:
    _, _, ana, ben = start_pair(bot)
    tick_at(bot, utc(2026, 12, 4, 15))
    key_ana = f"checkin:{ana}:2026-11-30"
    ana_checkin = checkin_id(bot, ana)

    bot.slack.block_action(f"{ids.CHECKIN_MOOD}:4", user_id="UANA", value=f"{ana_checkin}:4")
    bot.fake.wait_for("chat.update")
    assert checkin(bot, ana).mood == 4
    partly = json.dumps(message_of(bot, key_ana)["blocks"], ensure_ascii=False)
    assert "Saved: mood 🙂 Good" in partly and ids.CHECKIN_MET in partly

    bot.slack.block_action(f"{ids.CHECKIN_MET}:yes", user_id="UANA", value=f"{ana_checkin}:yes")
    bot.fake.wait_for("chat.update", 2)
    done = eventually(lambda: (c := checkin(bot, ana)).answered_at and c)
    assert (done.mood, done.met, done.answered_at) == (4, True, utc(2026, 12, 4, 15))
    thanks = message_of(bot, key_ana)
    shown = json.dumps(thanks["blocks"], ensure_ascii=False)
    assert thanks["text"].startswith("Thanks for checking in")
    assert "🙂 Good" in shown and "You met since the last check-in" in shown
    assert ids.CHECKIN_MOOD not in shown  # the question is gone

    # A shared comment is repeated to Ana herself, in her own direct message only.
    bot.slack.block_action(ids.CHECKIN_COMMENT, user_id="UANA", value=str(ana_checkin))
    [opened] = bot.fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == ids.CHECKIN_COMMENT_MODAL
    assert block_kit_problems(opened.params["view"], "modal") == []
    too_long = bot.slack.view_submission(
        ids.CHECKIN_COMMENT_MODAL,
        comment_values("x" * 2001, True),
        user_id="UANA",
        private_metadata=json.dumps({"checkin_id": ana_checkin}),
    ).json()
    assert "2,000 characters" in too_long["errors"]["comment"]
    bot.slack.view_submission(
        ids.CHECKIN_COMMENT_MODAL,
        comment_values("Loved the <TikTok> session", False),
        user_id="UANA",
        private_metadata=json.dumps({"checkin_id": ana_checkin}),
    )
    bot.fake.wait_for("chat.update", 3)
    assert "Loved the &lt;TikTok&gt; session" in json.dumps(message_of(bot, key_ana)["blocks"])
    assert checkin(bot, ana).comment_private is False

    # Ben keeps his comment private: it appears in no message anyone gets, his own included.
    ben_checkin = checkin_id(bot, ben)
    bot.slack.view_submission(
        ids.CHECKIN_COMMENT_MODAL,
        comment_values("SECRET: Ana keeps cancelling", True),
        user_id="UBEN",
        private_metadata=json.dumps({"checkin_id": ben_checkin}),
    )
    bot.fake.wait_for("chat.update", 4)
    stored = eventually(lambda: (c := checkin(bot, ben)).answered_at and c)
    assert (stored.comment, stored.comment_private) == ("SECRET: Ana keeps cancelling", True)
    assert "private to the organizers" in json.dumps(
        message_of(bot, f"checkin:{ben}:2026-11-30")["blocks"]
    )
    tick_at(bot, utc(2026, 12, 7, 15))  # both answered: no reminders
    assert rows(bot, "checkin-reminder:") == []
    everything = json.dumps([call.params for call in bot.fake.calls])
    assert "SECRET" not in everything
    shared = [c for c in bot.fake.calls if "Loved the" in json.dumps(c.params)]
    assert [c.method for c in shared] == ["chat.update"]
    assert shared[0].params["channel"] == rows(bot, key_ana)[0].message_channel


def test_someone_elses_click_is_refused_and_late_clicks_fill_only_blanks(bot) -> None:
    _, _, _, ben = start_pair(bot)
    tick_at(bot, utc(2026, 12, 4, 15))
    ben_checkin = checkin_id(bot, ben)

    bot.slack.block_action(f"{ids.CHECKIN_MOOD}:1", user_id="UANA", value=f"{ben_checkin}:1")
    [told] = bot.fake.wait_for("response_url")
    assert "belongs to someone else" in told.params["text"]
    bot.slack.block_action(ids.CHECKIN_COMMENT, user_id="UANA", value=str(ben_checkin))
    assert "belongs to someone else" in bot.fake.wait_for("response_url", 2)[-1].params["text"]
    refused = bot.slack.view_submission(
        ids.CHECKIN_COMMENT_MODAL,
        comment_values("not mine", True),
        user_id="UANA",
        private_metadata=json.dumps({"checkin_id": ben_checkin}),
    ).json()
    assert "someone else" in refused["errors"]["comment"]
    assert checkin(bot, ben).mood is None and checkin(bot, ben).comment == ""
    assert bot.fake.calls_to("chat.update") == []

    # Two weeks later Ben answers the old check-in: what was blank still records...
    bot.services.clock.set(utc(2026, 12, 16, 12))
    bot.slack.block_action(f"{ids.CHECKIN_MOOD}:2", user_id="UBEN", value=f"{ben_checkin}:2")
    eventually(lambda: checkin(bot, ben).mood == 2, what="the late mood")
    bot.slack.block_action(f"{ids.CHECKIN_MET}:no", user_id="UBEN", value=f"{ben_checkin}:no")
    eventually(lambda: checkin(bot, ben).answered_at, what="the late answer")
    # ...but an answer given is not changed any more.
    bot.slack.block_action(f"{ids.CHECKIN_MOOD}:5", user_id="UBEN", value=f"{ben_checkin}:5")
    assert "already answered" in bot.fake.wait_for("response_url", 3)[-1].params["text"]
    assert checkin(bot, ben).mood == 2
    bot.slack.block_action(f"{ids.CHECKIN_MOOD}:9", user_id="UBEN", value=f"{ben_checkin}:x")
    assert "out of date" in bot.fake.wait_for("response_url", 4)[-1].params["text"]


def test_a_database_error_is_a_friendly_try_again(bot: RunningBot, monkeypatch) -> None:
    _, _, ana, _ = start_pair(bot)
    tick_at(bot, utc(2026, 12, 4, 15))
    ana_checkin = checkin_id(bot, ana)

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("database is down"))

    monkeypatch.setattr("bot.checkins.own", broken)
    bot.slack.block_action(f"{ids.CHECKIN_MOOD}:3", user_id="UANA", value=f"{ana_checkin}:3")
    [told] = bot.fake.wait_for("response_url")
    assert "try again in a minute" in told.params["text"]
    failed = bot.slack.view_submission(
        ids.CHECKIN_COMMENT_MODAL,
        comment_values("hello", True),
        user_id="UANA",
        private_metadata=json.dumps({"checkin_id": ana_checkin}),
    ).json()
    assert "try again" in failed["errors"]["comment"]


def test_ticking_twice_at_one_instant_plans_nothing_twice(bot: RunningBot) -> None:
    start_pair(bot)
    for instant in (utc(2026, 12, 4, 15), utc(2026, 12, 7, 15)):
        first = tick_at(bot, instant)
        again = tick_at(bot, instant)
        assert first.planned >= 2 and again.planned == 0
    assert len(rows(bot, "checkin:")) == 2 and len(rows(bot, "checkin-reminder:")) == 2


def test_answering_the_reminder_thanks_in_both_messages(bot: RunningBot) -> None:
    _, _, ana, _ = start_pair(bot)
    tick_at(bot, utc(2026, 12, 4, 9))
    bot.slack.block_action(
        f"{ids.CHECKIN_MOOD}:2", user_id="UANA", value=f"{checkin_id(bot, ana)}:2"
    )
    bot.fake.wait_for("chat.update")
    tick_at(bot, utc(2026, 12, 7, 9))  # mood alone is not an answer yet: one reminder
    reminder = message_of(bot, f"checkin-reminder:{ana}:2026-11-30")
    assert "Saved: mood 😕 Not great" in json.dumps(reminder["blocks"], ensure_ascii=False)

    bot.slack.block_action(
        f"{ids.CHECKIN_MET}:no", user_id="UANA", value=f"{checkin_id(bot, ana)}:no"
    )
    bot.fake.wait_for("chat.update", 3)
    for key in (f"checkin:{ana}:2026-11-30", f"checkin-reminder:{ana}:2026-11-30"):
        thanks = json.dumps(message_of(bot, key)["blocks"], ensure_ascii=False)
        assert "Thanks for checking in" in thanks and "You haven't met" in thanks
    assert checkin(bot, ana).answered_at == utc(2026, 12, 7, 9)
