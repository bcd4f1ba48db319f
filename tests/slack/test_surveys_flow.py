"""Surveys and the program's end, end to end: sent once each, modals validated and stored."""

from __future__ import annotations

import json

import sqlalchemy as sa

from bot.models import (
    Delivery,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
    Program,
    ProgramStatus,
    SurveyKind,
    SurveyResponse,
)
from bot.slack import ids
from tests.conftest import TEAM, RunningBot
from tests.slack.test_checkins_flow import (
    PAIR_CHANNEL,
    drive,
    message_of,
    rows,
    start_pair,
    tick_at,
)
from tests.support.block_kit import block_kit_problems
from tests.support.waiting import eventually
from tests.test_checkins import utc


def text_answer(text: str) -> dict:
    return {"type": "plain_text_input", "value": text}


def submit(bot: RunningBot, user: str, participant_id: int, kind: str, **answers) -> dict:
    values = {}
    for key, answer in answers.items():
        if key == "recommend":
            option = {"value": answer} if answer is not None else None
            values[key] = {key: {"type": "static_select", "selected_option": option}}
        else:
            values[key] = {key: text_answer(answer)}
    response = bot.slack.view_submission(
        ids.SURVEY_MODAL,
        values,
        user_id=user,
        private_metadata=json.dumps({"participant_id": participant_id, "kind": kind}),
    )
    return response.json() if response.body else {}


def posts_with_key(bot: RunningBot, prefix: str) -> list:
    """What the bot posted for outbox keys starting with `prefix` (others post too)."""
    return [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params.get("metadata", {}).get("event_payload", {}).get("key", "").startswith(prefix)
    ]


def responses(bot: RunningBot) -> list[SurveyResponse]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(SurveyResponse).order_by(SurveyResponse.id)))


def survey_posts(bot: RunningBot, words: str) -> list:
    return [c for c in bot.fake.calls_to("chat.postMessage") if words in c.params.get("text", "")]


def test_start_survey_once_each_then_validated_and_stored(bot: RunningBot) -> None:
    _, _, ana, ben = start_pair(bot)

    assert tick_at(bot, utc(2026, 11, 30, 8, 30)).planned >= 1  # 09:30 in Berlin
    assert tick_at(bot, utc(2026, 11, 30, 8, 30)).planned == 0
    tick_at(bot, utc(2026, 11, 30, 14, 30))  # 09:30 in New York
    drive(bot, utc(2026, 11, 30, 15), utc(2026, 12, 13, 18))
    starts = survey_posts(bot, "Starting survey")
    assert sorted(c.params["channel"] for c in starts) == ["UANA", "UBEN"]
    assert [r.sent_at for r in rows(bot, "survey:")] == [
        utc(2026, 11, 30, 8, 30),
        utc(2026, 11, 30, 14, 30),
    ]
    assert block_kit_problems(starts[0].params, "message") == []

    bot.slack.block_action(ids.SURVEY_OPEN, user_id="UBEN", value=f"{ana}:start")
    [told] = bot.fake.wait_for("response_url")
    assert "belongs to someone else" in told.params["text"]
    bot.slack.block_action(ids.SURVEY_OPEN, user_id="UANA", value=f"{ana}:start")
    [opened] = bot.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == ids.SURVEY_MODAL
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        "learn",
        "teach",
    ]
    assert block_kit_problems(view, "modal") == []

    bad = submit(bot, "UANA", ana, "start", learn="x" * 2001, teach="")
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {"learn", "teach"}
    assert (
        "someone else" in submit(bot, "UBEN", ana, "start", learn="a", teach="b")["errors"]["learn"]
    )
    assert responses(bot) == []

    assert submit(bot, "UANA", ana, "start", learn="Reels", teach="<b>Budgets</b>") == {}
    bot.fake.wait_for("chat.update")
    thanks = message_of(bot, f"survey:{ana}:start")
    assert "Thank you" in thanks["text"] and ids.SURVEY_OPEN in json.dumps(thanks["blocks"])
    submit(bot, "UANA", ana, "start", learn="Reels and Shorts", teach="Budgets")
    [stored] = responses(bot)
    assert (stored.participant_id, stored.kind) == (ana, SurveyKind.START)
    assert stored.answers == {"learn": "Reels and Shorts", "teach": "Budgets"}

    bot.slack.block_action(ids.SURVEY_OPEN, user_id="UANA", value=f"{ana}:start")
    again = bot.fake.wait_for("views.open", 2)[-1].params["view"]
    assert "Reels and Shorts" in json.dumps(again)  # the earlier answers, to change them
    assert ben  # Ben's survey waits for him


def test_middle_survey_in_the_middle_week(bot: RunningBot) -> None:
    _, _, ana, ben = start_pair(bot, weeks=6)
    drive(bot, utc(2026, 11, 30, 0), utc(2026, 12, 27, 18))
    middles = [r for r in rows(bot, "survey:") if r.key.endswith(":middle")]
    assert [(r.key, r.sent_at) for r in middles] == [
        (f"survey:{ana}:middle", utc(2026, 12, 21, 9)),  # Monday of week 4, first tick after
        (f"survey:{ben}:middle", utc(2026, 12, 21, 15)),
    ]
    assert len(survey_posts(bot, "Halfway survey")) == 2
    assert submit(bot, "UBEN", ben, "middle", going="")["errors"] == {
        "going": "Please answer this one."
    }
    assert submit(bot, "UBEN", ben, "middle", going="Great so far") == {}
    [stored] = responses(bot)
    assert stored.answers == {"going": "Great so far", "help": ""}


def test_program_end_sends_totals_and_the_final_survey_then_stops(bot: RunningBot) -> None:
    program, pairing_id, ana, ben = start_pair(bot)
    with bot.services.sessions() as session:
        for minutes in (60, 45, 75):
            session.add(
                Meeting(
                    team_id=TEAM,
                    pairing_id=pairing_id,
                    proposed_by="UANA",
                    starts_at=utc(2026, 12, 2, 12),
                    status=MeetingStatus.HELD,
                    minutes_held=minutes,
                )
            )
        session.commit()

    drive(bot, utc(2026, 12, 27, 0), utc(2026, 12, 28, 8))
    assert rows(bot, "program-end:") == []
    report = tick_at(bot, utc(2026, 12, 28, 8, 30))  # 09:30 in Berlin, the mentor's zone
    assert report.planned >= 3
    assert [r.key for r in rows(bot, "program-end:")] == [f"program-end:{pairing_id}"]
    [closing] = [
        c for c in posts_with_key(bot, "program-end:") if c.params["channel"] == PAIR_CHANNEL
    ]
    shown = json.dumps(closing.params["blocks"])
    assert "Digital &lt;Pilot&gt; has come to an end" in shown
    assert "<@UANA> and <@UBEN>" in shown
    assert "met *3 times* for *3 h*, 75% of the program's target of 4 h" in shown
    assert block_kit_problems(closing.params, "message") == []
    finals = survey_posts(bot, "Final survey")
    assert sorted(c.params["channel"] for c in finals) == ["UANA", "UBEN"]
    with bot.services.sessions() as session:
        ended = session.get(Program, program.id)
        assert (ended.status, ended.ended_at) == (ProgramStatus.ENDED, utc(2026, 12, 28, 8, 30))
        assert session.get(Pairing, pairing_id).status is PairingStatus.ENDED

    bot.slack.block_action(ids.SURVEY_OPEN, user_id="UBEN", value=f"{ben}:end")
    view = bot.fake.wait_for("views.open")[-1].params["view"]
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        "learned",
        "taught",
        "recommend",
        "anything",
    ]
    assert block_kit_problems(view, "modal") == []
    missing = submit(bot, "UBEN", ben, "end", learned="Reels", taught="Forecasts", recommend=None)
    assert list(missing["errors"]) == ["recommend"]
    assert submit(bot, "UBEN", ben, "end", learned="Reels", taught="Forecasts", recommend="9") == {}
    stored = eventually(lambda: responses(bot))
    assert [(r.participant_id, r.kind, r.recommend_score) for r in stored] == [
        (ben, SurveyKind.END, 9)
    ]

    def planned_for_program() -> int:
        with bot.services.sessions() as session:
            return session.scalar(
                sa.select(sa.func.count())
                .select_from(Delivery)
                .where(Delivery.program_id == program.id)
            )

    planned, posted = planned_for_program(), len(bot.fake.calls_to("chat.postMessage"))
    drive(bot, utc(2026, 12, 28, 9), utc(2027, 1, 31, 18))
    assert planned_for_program() == planned
    assert len(bot.fake.calls_to("chat.postMessage")) == posted
    assert len(rows(bot, f"survey:{ana}:end")) == 1


def test_a_pair_without_a_conversation_is_told_by_direct_message(bot: RunningBot) -> None:
    _, pairing_id, ana, ben = start_pair(bot, weeks=1, channel=None)
    tick_at(bot, utc(2026, 12, 7, 8, 30))
    assert sorted(r.key for r in rows(bot, "program-end:")) == [
        f"program-end:{pairing_id}:{ana}",
        f"program-end:{pairing_id}:{ben}",
    ]
    ended = [
        c for c in bot.fake.calls_to("chat.postMessage") if "come to an end" in c.params["text"]
    ]
    assert sorted(c.params["channel"] for c in ended) == ["UANA", "UBEN"]
    assert "no meetings logged" in json.dumps(ended[0].params["blocks"])
