"""Buttons and modals with tampered values, against the real bot over signed HTTP: button
values that name nothing, another program's or another workspace's rows, or numbers no id can
be; modal metadata rewritten; modal fields filled with anything. The person who owns the
button (or the organizer, for organizer buttons) is the one clicking, so only the values can
be wrong.

Every answer is a 200 with a clear reply, never an error in the logs; when the values do not
name one of the workspace's own rows (or the bot refused the form), the database is unchanged.

Budget: a fixed number of derandomized examples per test (see SETTINGS).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.models import (
    Checkin,
    Flag,
    MatchProposal,
    Meeting,
    Pairing,
    Participant,
    Program,
    Win,
)
from bot.slack import ids
from bot.slack.blocks.reports import REPORT_PROGRAM
from tests.conftest import TEAM, RunningBot
from tests.hostile.conftest import (
    OTHER_TEAM,
    World,
    build_world,
    calls_since,
    changed_tables,
    is_reply_to,
    join_values,
    log_problems,
    mark,
    program_values,
    selected,
    settle,
    snapshot,
    state,
    text_input,
    ticked,
)
from tests.support.slack_requests import Response

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ORGANIZER = "UORGANIZER"


@pytest.fixture
def worlds(hbot: RunningBot, world: World) -> tuple[World, World]:
    """This workspace's rows, and another workspace's in the same database (the same person,
    Ana, takes part in both)."""
    return world, build_world(hbot, OTHER_TEAM)


def ids_of(bot: RunningBot, model: Any, team: str = TEAM, **where: Any) -> set[int]:
    with bot.services.sessions() as session:
        query = sa.select(model.id).where(model.team_id == team)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return set(session.scalars(query))


def normal(value: Any) -> str:
    """A value as the bot reads it: each `:` part that Python reads as a whole number becomes
    that number (" 07", "+7" and the Arabic-Indic seven are all 7)."""
    parts = []
    for part in str(value).split(":"):
        try:
            parts.append(str(int(part)))
        except ValueError:
            parts.append(part)
    return ":".join(parts)


# -- buttons ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    action_id: str
    clicker: str
    valid: Callable[[RunningBot, World], set[str]]  # values naming the clicker's own rows
    menu: bool = False  # an overflow menu: the value is the picked option's


def one(model: Any, **where: Any) -> Callable[[RunningBot, World], set[str]]:
    return lambda bot, world: {str(i) for i in ids_of(bot, model, **where)}


def anything(bot: RunningBot, world: World) -> set[str] | None:
    """The button carries no id: every value is as good as any other."""
    return None


def moods(bot: RunningBot, world: World) -> set[str]:
    return {f"{c}:{m}" for c in ids_of(bot, Checkin) for m in range(1, 6)}


def met(bot: RunningBot, world: World) -> set[str]:
    return {f"{c}:{a}" for c in ids_of(bot, Checkin) for a in ("yes", "no")}


def survey(bot: RunningBot, world: World) -> set[str]:
    return {f"{p}:{k}" for p in ids_of(bot, Participant) for k in ("start", "middle", "end")}


def drops(bot: RunningBot, world: World) -> set[str]:
    return {f"{p}:{i}" for p in ids_of(bot, MatchProposal) for i in range(10)}


def placements(bot: RunningBot, world: World) -> set[str]:
    return {
        f"{p}:{person}:{choice}"
        for p in ids_of(bot, MatchProposal)
        for person in ids_of(bot, Participant)
        for choice in ("waitlist", "trio", "second")
    }


BUTTONS = [
    Button(ids.PROGRAM_NEW, ORGANIZER, anything),
    Button(ids.PROGRAM_EDIT, ORGANIZER, one(Program)),
    Button(ids.INVITE_OPEN, ORGANIZER, one(Program)),
    Button(ids.MATCH_RUN, ORGANIZER, one(Program)),
    Button(ids.MATCH_RERUN, ORGANIZER, one(Program)),
    Button(ids.MATCH_APPROVE, ORGANIZER, one(MatchProposal)),
    Button(ids.MATCH_DROP, ORGANIZER, drops),
    Button(ids.MATCH_UNMATCHED_MENU, ORGANIZER, placements, menu=True),
    Button(ids.MATCH_SWAP_OPEN, ORGANIZER, one(MatchProposal)),
    Button(ids.MATCH_WEIGHTS_OPEN, ORGANIZER, one(Program)),
    Button(ids.FLAG_NUDGE, ORGANIZER, one(Flag)),
    Button(ids.FLAG_REPAIR, ORGANIZER, one(Flag)),
    Button(ids.FLAG_PAUSE, ORGANIZER, one(Flag)),
    Button(ids.FLAG_DISMISS, ORGANIZER, one(Flag)),
    Button(ids.WIN_PUBLISH, ORGANIZER, one(Win)),
    Button(ids.RUN_AGAIN, ORGANIZER, one(Program)),
    Button(f"{REPORT_PROGRAM}:1", ORGANIZER, one(Program)),
    Button(ids.JOIN, "UZED", one(Program)),
    Button(ids.PROFILE_EDIT, "UANA", one(Participant)),
    Button(ids.LEAVE_CONFIRM, "UANA", one(Participant)),
    Button(ids.LEAVE_AND_ERASE, "UANA", one(Participant)),
    Button(ids.LEAVE_CANCEL, "UANA", anything),
    Button(ids.SCHEDULE_COFFEE, "UANA", one(Pairing)),
    Button(ids.MEETING_ACCEPT, "UBEN", one(Meeting)),
    Button(ids.MEETING_DECLINE, "UBEN", one(Meeting)),
    Button(ids.MEETING_COUNTER, "UBEN", one(Meeting)),
    Button(ids.MEETING_CANCEL, "UANA", one(Meeting)),
    Button(ids.MEETING_MET, "UANA", one(Meeting)),
    Button(ids.MEETING_NOT_MET, "UANA", one(Meeting)),
    Button(ids.MEETING_MOVED, "UANA", one(Meeting)),
    Button(f"{ids.CHECKIN_MOOD}:3", "UANA", moods),
    Button(f"{ids.CHECKIN_MET}:yes", "UANA", met),
    Button(ids.CHECKIN_COMMENT, "UANA", one(Checkin)),
    Button(ids.SURVEY_OPEN, "UANA", survey),
    Button(ids.SHARE_WIN, "UANA", one(Pairing)),
]

WORDS = [
    "",
    " ",
    "yes",
    "no",
    "start",
    "middle",
    "end",
    "waitlist",
    "trio",
    "second",
    "1.5",
    "1e3",
    "0x1f",
    "+1",
    "-1",
    "0",
    "\u0661\u0662",
    "\uff11",
    "1_0",
    "None",
    "null",
    "[]",
    "{}",
    "\x00",
    "1\x00",
    "<!channel>",
    "9" * 19,
    "9" * 40,
    "1" * 5000,
]


def id_parts(known: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(known).map(str),
        st.integers(min_value=-5, max_value=60).map(str),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.sampled_from(WORDS),
        st.text(max_size=10),
    )


def button_values(known: list[int]) -> st.SearchStrategy[str]:
    part = id_parts(known)
    return st.one_of(part, st.lists(part, min_size=2, max_size=4).map(":".join))


def every_id(world: World) -> list[int]:
    return sorted(
        {
            world.program_id,
            world.pairing_ab,
            world.pairing_cd,
            world.proposal_id,
            world.flag_id,
            world.meeting_proposed,
            world.meeting_confirmed,
            world.checkin_ana,
            world.checkin_cara,
            world.win_named,
            world.win_anonymous,
            world.win_private,
            *world.people.values(),
        }
    )


def click(bot: RunningBot, button: Button, value: str) -> Response:
    if button.menu:
        return bot.slack.block_action(
            button.action_id,
            user_id=button.clicker,
            action_type="overflow",
            selected_option={"value": value},
        )
    return bot.slack.block_action(button.action_id, user_id=button.clicker, value=value)


@SETTINGS
@given(data=st.data())
def test_tampered_button_values_are_refused_politely_and_change_nothing(
    hbot: RunningBot, worlds: tuple[World, World], caplog: pytest.LogCaptureFixture, data
) -> None:
    ours, theirs = worlds
    known = every_id(ours) + every_id(theirs)
    button = data.draw(st.sampled_from(BUTTONS), label="button")
    value = data.draw(button_values(known), label="value")
    caplog.clear()
    valid = button.valid(hbot, ours)
    before, since = snapshot(hbot), mark(hbot.fake)

    response = click(hbot, button, value)
    settle(hbot)

    calls = calls_since(hbot.fake, since)
    assert response.status == 200, (response.status, response.text[:300])
    assert log_problems(caplog) == []
    if valid is not None and normal(value) not in valid:
        assert changed_tables(before, snapshot(hbot)) == [], (button.action_id, value)
        assert [c for c in calls if is_reply_to(c, button.clicker)], "nobody was told"
        assert [c.method for c in calls if not is_reply_to(c, button.clicker)] == []


def test_every_button_of_the_fuzz_has_a_listener(hbot: RunningBot, world: World) -> None:
    """A fuzz over buttons the bot ignores would prove nothing: each answers its owner."""
    for button in BUTTONS:
        since = mark(hbot.fake)
        click(hbot, button, "0")
        settle(hbot)
        assert [c for c in calls_since(hbot.fake, since) if is_reply_to(c, button.clicker)], (
            button.action_id
        )


# -- modal fields ----------------------------------------------------------------------------

TYPED = st.one_of(
    st.text(max_size=40),
    st.sampled_from(WORDS),
    st.builds(
        lambda piece, n: piece * n, st.sampled_from([*WORDS[1:], "é", "🎉"]), st.integers(1, 3000)
    ),
    st.none(),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["", "2026-13-45", "tomorrow", "2026-02-30", "0000-00-00", "\x00", "9" * 30]),
    st.none(),
)
TIMES = st.one_of(
    st.sampled_from(["10:00", "25:61", "", "noon", "9:", ":", "10:00:00", "-1:-1", "9" * 30]),
    st.none(),
)
PICKED = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.none())


@dataclass(frozen=True)
class Form:
    callback_id: str
    submitter: str
    metadata: Callable[[World], dict]
    values: Callable[[World, st.DataObject], dict]


def pick(data: st.DataObject, kind: str, label: str) -> dict:
    return selected(kind, data.draw(PICKED, label=label))


FORMS = [
    Form(
        ids.PROGRAM_MODAL,
        ORGANIZER,
        lambda w: {},
        lambda w, d: program_values(
            d.draw(TYPED, label="name") or "",
            business_need_other=text_input(d.draw(TYPED, label="need")),
            skills_catalogue=text_input(d.draw(TYPED, label="skills")),
            start_date={"type": "datepicker", "selected_date": d.draw(DATES, label="start")},
            length_weeks={"type": "number_input", "value": d.draw(TYPED, label="weeks")},
            format=pick(d, "radio_buttons", "format"),
        ),
    ),
    Form(
        ids.INVITE_MODAL,
        ORGANIZER,
        lambda w: {},
        lambda w, d: state(
            program=selected("static_select", str(w.program_id)),
            people={"type": "multi_users_select", "selected_users": ["UZED"]},
            emails=text_input(d.draw(TYPED, label="emails")),
        ),
    ),
    Form(
        ids.FLAG_DISMISS_MODAL,
        ORGANIZER,
        lambda w: {"flag_id": w.flag_id},
        lambda w, d: state(note=text_input(d.draw(TYPED, label="note"))),
    ),
    Form(
        ids.MATCH_WEIGHTS_MODAL,
        ORGANIZER,
        lambda w: {"program_id": w.program_id},
        lambda w, d: state(
            **{
                name: {"type": "number_input", "value": d.draw(TYPED, label=name)}
                for name in ("teach", "teach_back", "hopes", "direction")
            },
            **{
                name: {"type": "number_input", "value": "1"}
                for name in ("departments", "timezone", "formats")
            },
            allow_repeats=ticked(),
        ),
    ),
    Form(
        ids.MATCH_SWAP_MODAL,
        ORGANIZER,
        lambda w: {"proposal_id": w.proposal_id},
        lambda w, d: state(
            first={"type": "users_select", "selected_user": d.draw(PICKED, label="first")},
            second={"type": "users_select", "selected_user": w.swap_users[1]},
        ),
    ),
    Form(
        ids.WIN_PUBLISH_MODAL,
        ORGANIZER,
        lambda w: {"win_id": w.win_named},
        lambda w, d: state(
            channel={
                "type": "conversations_select",
                "selected_conversation": d.draw(PICKED, label="channel"),
            }
        ),
    ),
    Form(
        ids.JOIN_MODAL,
        "UANA",
        lambda w: {"participant_id": w.people["UANA"]},
        lambda w, d: join_values(
            goals=d.draw(TYPED, label="goals"),
            department=d.draw(TYPED, label="department"),
            skills_offered_other=d.draw(TYPED, label="offered"),
            role=d.draw(PICKED, label="role"),
            career_stage=d.draw(PICKED, label="stage"),
        ),
    ),
    Form(
        ids.JOIN_MODAL,
        "UZED",
        lambda w: {"program_id": w.program_id},
        lambda w, d: join_values(
            goals=d.draw(TYPED, label="goals"),
            skills_wanted_other=d.draw(TYPED, label="wanted"),
            meeting_formats=[d.draw(PICKED, label="format") or ""],
        ),
    ),
    Form(
        ids.MEETING_MODAL,
        "UANA",
        lambda w: {"pairing_id": w.pairing_ab, "tz": "Europe/Berlin"},
        lambda w, d: state(
            date={"type": "datepicker", "selected_date": d.draw(DATES, label="date")},
            time={"type": "timepicker", "selected_time": d.draw(TIMES, label="time")},
            duration=pick(d, "static_select", "duration"),
            format=selected("static_select", "coffee"),
            location=text_input(d.draw(TYPED, label="location")),
            topic=text_input(d.draw(TYPED, label="topic")),
        ),
    ),
    Form(
        ids.MEETING_MINUTES_MODAL,
        "UANA",
        lambda w: {"meeting_id": w.meeting_confirmed},
        lambda w, d: state(minutes=text_input(d.draw(TYPED, label="minutes"))),
    ),
    Form(
        ids.CHECKIN_COMMENT_MODAL,
        "UANA",
        lambda w: {"checkin_id": w.checkin_ana},
        lambda w, d: state(
            comment=text_input(d.draw(TYPED, label="comment")),
            private=ticked(*[v for v in [d.draw(PICKED, label="private")] if v]),
        ),
    ),
    Form(
        ids.SURVEY_MODAL,
        "UANA",
        lambda w: {"participant_id": w.people["UANA"], "kind": "end"},
        lambda w, d: state(
            learned=text_input(d.draw(TYPED, label="learned")),
            taught=text_input(d.draw(TYPED, label="taught")),
            anything=text_input(d.draw(TYPED, label="anything")),
            recommend=pick(d, "static_select", "recommend"),
        ),
    ),
    Form(
        ids.WIN_MODAL,
        "UANA",
        lambda w: {"program_id": w.program_id, "pairing_id": w.pairing_ab},
        lambda w, d: state(
            text=text_input(d.draw(TYPED, label="story")),
            sharing=pick(d, "radio_buttons", "sharing"),
        ),
    ),
]


def submit(bot: RunningBot, form: Form, values: dict, metadata: str) -> Response:
    return bot.slack.view_submission(
        form.callback_id, values, user_id=form.submitter, private_metadata=metadata
    )


def check_form_answer(
    bot: RunningBot, response: Response, values: dict, before: dict, caplog
) -> dict:
    """200, nothing logged as an error; a refused form names only its own fields and leaves the
    database as it was. Returns what the person sees (for a form saved after its
    answer, the outcome in place of "Saving…")."""
    assert response.status == 200, (response.status, response.text[:300])
    assert log_problems(caplog) == []
    answer = bot.form_answer(response)  # for a form saved after its answer, the outcome
    if answer.get("response_action") == "errors":
        errors = answer["errors"]
        assert errors and all(isinstance(m, str) and m for m in errors.values())
        assert set(errors) <= set(values), f"errors on fields the form lacks: {errors}"
        assert changed_tables(before, snapshot(bot)) == []
    elif answer.get("view", {}).get("callback_id") == ids.JOIN_MODAL:  # back, to fix
        assert answer["view"]["blocks"][0]["text"]["text"].startswith(":warning:")
        assert changed_tables(before, snapshot(bot)) == []
    return answer


@SETTINGS
@given(data=st.data())
def test_whatever_is_typed_into_a_modal_is_saved_or_refused_field_by_field(
    hbot: RunningBot, worlds: tuple[World, World], caplog: pytest.LogCaptureFixture, data
) -> None:
    ours, _ = worlds
    form = data.draw(st.sampled_from(FORMS), label="form")
    values = form.values(ours, data)
    caplog.clear()
    before = snapshot(hbot)

    response = submit(hbot, form, values, json.dumps(form.metadata(ours)))
    settle(hbot)

    check_form_answer(hbot, response, values, before, caplog)


# -- modal metadata --------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.sampled_from([1e300, -1e300, 0.5, 2.0]),
        st.text(max_size=12),
        st.sampled_from(WORDS),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
RAW_METADATA = st.one_of(
    st.sampled_from(["", "{", "null", "[]", "[1]", '"x"', "1", "{}", "not json", "\x00", "9" * 50]),
    st.text(max_size=40),
)


def metadata_strategy(form: Form, world: World, other: World) -> st.SearchStrategy[str]:
    """The form's metadata with each value replaced (by another row's id, another
    workspace's, a number no id can be, a string, a list...), or no JSON object at all."""
    real = form.metadata(world)
    theirs = form.metadata(other)
    known = every_id(world) + every_id(other)
    field_values = {
        key: st.one_of(
            st.just(value),
            st.just(theirs.get(key)),
            st.sampled_from(known),
            st.sampled_from(known).map(str),
            JSON_VALUES,
        )
        for key, value in real.items()
    }
    return st.one_of(
        st.fixed_dictionaries(field_values).map(json.dumps),
        st.fixed_dictionaries(field_values, optional={"extra": JSON_VALUES}).map(json.dumps),
        RAW_METADATA,
    )


def names_own_rows(metadata: str, form: Form, world: World) -> bool:
    """The metadata, read as the bot reads it, names this form's own rows."""
    try:
        given_ = json.loads(metadata)
    except ValueError:
        return False
    real = form.metadata(world)
    if not isinstance(given_, dict) or not real:
        return not real
    for key, value in real.items():
        got = given_.get(key)
        if isinstance(value, int):
            try:
                if int(got) != value:  # type: ignore[arg-type]
                    return False
            except (TypeError, ValueError, OverflowError):
                return False
        elif got != value:
            return False
    return True


@SETTINGS
@given(data=st.data())
@example(data=None)
def test_tampered_modal_metadata_is_refused_and_changes_nothing(
    hbot: RunningBot, worlds: tuple[World, World], caplog: pytest.LogCaptureFixture, data
) -> None:
    ours, theirs = worlds
    forms = [f for f in FORMS if f.metadata(ours)]
    if data is None:  # every form once with another workspace's ids, whatever is drawn
        cases = [(form, json.dumps(form.metadata(theirs))) for form in forms]
    else:
        form = data.draw(st.sampled_from(forms), label="form")
        cases = [(form, data.draw(metadata_strategy(form, ours, theirs), label="metadata"))]
    for form, metadata in cases:
        values = form.values(ours, _Fixed())
        caplog.clear()
        before, since = snapshot(hbot), mark(hbot.fake)

        response = submit(hbot, form, values, metadata)
        settle(hbot)

        answer = check_form_answer(hbot, response, values, before, caplog)
        if not names_own_rows(metadata, form, ours):
            assert changed_tables(before, snapshot(hbot)) == [], (form.callback_id, metadata)
            assert answer.get("response_action") in ("errors", "update"), "nobody was told"
            calls = calls_since(hbot.fake, since)
            assert [c.method for c in calls if not is_reply_to(c, form.submitter)] == []


class _Fixed:
    """Draws the same sensible value for every field, so only the metadata is wrong."""

    SENSIBLE = {
        "name": "Third Pilot",
        "emails": "zed@example.com",
        "note": "They are on holiday",
        "goals": "Learn",
        "department": "Sales",
        "offered": "Canva",
        "wanted": "Golf",
        "role": "mentor",
        "stage": "early",
        "format": "coffee",
        "date": "2026-12-09",
        "time": "10:00",
        "duration": "60",
        "location": "Lobby",
        "topic": "Budgets",
        "minutes": "45",
        "comment": "Fine",
        "private": "private",
        "learned": "A lot",
        "taught": "TikTok",
        "anything": "",
        "recommend": "9",
        "story": "We shipped it",
        "sharing": "named",
        "channel": "C0NEWS",
        "first": "UEVE",
        "need": None,
        "skills": "TikTok",
        "start": "2026-12-14",
        "weeks": "8",
    }

    def draw(self, strategy: Any, label: str) -> Any:
        return self.SENSIBLE.get(label, "3")


class _Override(_Fixed):
    """Sensible values except one field; records the fields the form has."""

    def __init__(self, label: str | None = None, value: Any = None) -> None:
        self.label, self.value, self.labels = label, value, []

    def draw(self, strategy: Any, label: str) -> Any:
        self.labels.append(label)
        return self.value if label == self.label else super().draw(strategy, label)


DATE_FIELDS, TIME_FIELDS = {"date", "start"}, {"time"}
PICKED_FIELDS = {"role", "stage", "format", "duration", "recommend", "sharing", "private"}
PICKED_FIELDS |= {"channel", "first"}
NASTY = {
    "text": ["\x00", "x" * 3001, "9" * 25, "<!channel>"],
    "date": ["2026-13-45", "x"],
    "time": ["25:61", "9" * 20 + ":00"],
    "picked": ["9" * 25, "<!channel>"],
}


def kind_of(label: str) -> str:
    if label in DATE_FIELDS:
        return "date"
    if label in TIME_FIELDS:
        return "time"
    return "picked" if label in PICKED_FIELDS else "text"


def test_each_field_of_each_form_survives_the_classic_bad_values(
    hbot: RunningBot, worlds: tuple[World, World], caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever the generator draws, every field of every form gets NUL, a huge value, a
    number no id can be and a mention (dates and times: impossible ones)."""
    ours, _ = worlds
    for form in FORMS:
        fields = _Override()
        form.values(ours, fields)
        for label in fields.labels:
            for nasty in NASTY[kind_of(label)]:
                values = form.values(ours, _Override(label, nasty))
                caplog.clear()
                before = snapshot(hbot)
                response = submit(hbot, form, values, json.dumps(form.metadata(ours)))
                settle(hbot)
                check_form_answer(hbot, response, values, before, caplog)
