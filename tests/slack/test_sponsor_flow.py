"""The executive sponsor end to end: named in the program modal (and refused when Slack says the
person can't be one), credited in the announcement, the invitations and the welcome, and sent a
summary once a month while the program runs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot import sponsor, wins
from bot.models import (
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    Program,
    ProgramStatus,
)
from bot.slack import ids
from bot.sponsor import SlackUser
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.slack.test_join import fill, open_join_modal
from tests.slack.test_program_modal import program_values, text
from tests.support.block_kit import block_kit_problems

MESSAGE = "Reverse mentoring is how I keep learning.\n<!channel> read <https://evil.example|this>"
QUOTED = "> Reverse mentoring is how I keep learning."
CREDIT = "— <@UCEO>, executive sponsor"


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    bot.fake.add_user("UCEO", name="cleo", real_name="Cleo CEO", tz="America/New_York")
    bot.fake.add_user("UGONE", name="gone", deleted=True)
    bot.fake.add_user("UROBOT", name="robot", is_bot=True)
    bot.fake.add_user("UANA", name="ana")
    return bot


def leadership(sponsor_id: str | None, message: str | None = None, **kickoff: Any) -> dict:
    """The sponsor and kickoff fields of the program modal, as Slack submits them."""
    return {
        "sponsor": {"type": "users_select", "selected_user": sponsor_id},
        "sponsor_message": text(message),
        "kickoff_date": {"type": "datepicker", "selected_date": kickoff.get("day")},
        "kickoff_time": {"type": "timepicker", "selected_time": kickoff.get("at")},
        "kickoff_place": text(kickoff.get("place")),
        "kickoff_agenda": text(None),
        "kickoff_followup": text(None),
    }


def submit(bot: RunningBot, metadata: dict, **fields: Any) -> Any:
    values = program_values(**fields)
    return bot.slack.view_submission(
        ids.PROGRAM_MODAL,
        values,
        user_id="UORGANIZER",
        private_metadata=json.dumps(metadata),
    )


def stored(bot: RunningBot) -> list[Program]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Program).order_by(Program.id)))


def test_an_organizer_names_the_sponsor_and_their_message_in_the_program_modal(people) -> None:
    bot = people
    bot.slack.block_action(ids.PROGRAM_NEW, user_id="UORGANIZER", value="new")
    [opened] = bot.fake.wait_for("views.open")
    modal = opened.params["view"]
    assert block_kit_problems(modal, "modal") == []
    assert len(modal["blocks"]) < 100
    by_id = {block.get("block_id"): block for block in modal["blocks"]}
    assert by_id["sponsor"]["element"]["type"] == "users_select"
    assert by_id["sponsor_message"]["optional"]
    assert "Europe/Berlin" in json.dumps(modal)  # kickoff times in the organizer's zone
    metadata = json.loads(modal["private_metadata"])

    response = submit(bot, metadata, **leadership("UCEO", MESSAGE))

    assert response.status == 200 and response.body in (b"", b"{}")
    [program] = stored(bot)
    assert (program.sponsor_user_id, program.sponsor_message) == ("UCEO", MESSAGE)
    assert sponsor.timezone_of(program) == "America/New_York"  # the summary's morning

    bot.slack.block_action(ids.PROGRAM_EDIT, user_id="UORGANIZER", value=str(program.id))
    edit = bot.fake.wait_for("views.open", 2)[-1].params["view"]
    by_id = {block.get("block_id"): block for block in edit["blocks"]}
    assert by_id["sponsor"]["element"]["initial_user"] == "UCEO"
    assert by_id["sponsor_message"]["element"]["initial_value"] == MESSAGE


def test_a_sponsor_slack_cannot_vouch_for_is_refused_on_the_field_and_nothing_is_stored(people):
    bot = people
    for who, words in (
        ("UNOBODY", "can't find that person"),
        ("UGONE", "deactivated"),
        ("UROBOT", "bot"),
    ):
        answer = submit(bot, {"program_id": None}, **leadership(who, "Hi")).json()
        assert answer["response_action"] == "errors"
        assert words in answer["errors"]["sponsor"], (who, answer)
    assert stored(bot) == []

    # Editing: a bad sponsor (or a kickoff in the past) keeps every stored field as it was.
    submit(bot, {"program_id": None}, **leadership("UCEO", "Go team"))
    [program] = stored(bot)
    answer = submit(
        bot,
        {"program_id": program.id, "tz": "Europe/Berlin"},
        name=text("Renamed Pilot"),
        **leadership("UGONE", "Changed"),
    ).json()
    assert "deactivated" in answer["errors"]["sponsor"]
    past = submit(
        bot,
        {"program_id": program.id, "tz": "Europe/Berlin"},
        name=text("Renamed Pilot"),
        **leadership("UCEO", "Go team", day="2026-11-29", at="10:00", place="Room 1"),
    ).json()
    assert "in the past" in past["errors"]["kickoff_date"]
    [unchanged] = stored(bot)
    assert (unchanged.name, unchanged.sponsor_user_id, unchanged.sponsor_message) == (
        "Digital Pilot",
        "UCEO",
        "Go team",
    )
    assert unchanged.kickoff_at is None

    bot.fake.fail("users.info", "fatal_error")
    answer = submit(bot, {"program_id": program.id}, **leadership("UCEO", "Hi")).json()
    assert "couldn't check that person" in answer["errors"]["sponsor"]


def name_sponsor(bot: RunningBot, program_id: int, message: str = MESSAGE) -> None:
    with bot.services.sessions() as session:
        program = session.get(Program, program_id)
        found = SlackUser("UCEO", True, timezone="America/New_York")
        sponsor.apply(program, sponsor.validate(found, message))
        session.commit()


def quoted(blocks: list[dict]) -> bool:
    shown = json.dumps(blocks, ensure_ascii=False)
    return QUOTED in shown and CREDIT in shown and "<!channel>" not in shown


def test_the_sponsors_message_is_credited_in_the_announcement_invitations_and_welcome(people):
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")
    name_sponsor(bot, program.id)

    bot.slack.command("announce <#C0NEWS> Digital Pilot", user_id="UORGANIZER")
    [announced] = bot.fake.wait_for("chat.postMessage")
    assert announced.params["channel"] == "C0NEWS"
    assert quoted(announced.params["blocks"])
    assert "&lt;!channel&gt;" in json.dumps(announced.params["blocks"])  # shown, inert

    bot.slack.view_submission(
        ids.INVITE_MODAL,
        {
            "program": {
                "program": {
                    "type": "static_select",
                    "selected_option": {"value": str(program.id)},
                }
            },
            "people": {"people": {"type": "multi_users_select", "selected_users": ["UANA"]}},
            "emails": {"emails": {"type": "plain_text_input", "value": None}},
        },
        user_id="UORGANIZER",
    )
    posts = bot.fake.wait_for("chat.postMessage", 3)  # the invitation and the report
    [invitation] = [c for c in posts if c.params["channel"] == "UANA"]
    assert quoted(invitation.params["blocks"])

    view = open_join_modal(bot, program.id)
    bot.slack.view_submission(
        ids.JOIN_MODAL,
        fill(view, role="mentor"),
        user_id="UANA",
        private_metadata=view["private_metadata"],
    )
    posts = bot.fake.wait_for("chat.postMessage", 4)
    [welcome] = [c for c in posts if c.params["channel"] == "UANA" and c is not invitation]
    assert "Welcome to" in welcome.params["text"]
    assert quoted(welcome.params["blocks"])


def test_no_quote_without_a_message(people) -> None:
    bot = people
    program = make_program(bot.services.sessions, "Digital Pilot")
    name_sponsor(bot, program.id, message="")
    bot.slack.command("announce <#C0NEWS> Digital Pilot", user_id="UORGANIZER")
    [announced] = bot.fake.wait_for("chat.postMessage")
    assert "executive sponsor" not in json.dumps(announced.params["blocks"])


# -- the monthly summary -------------------------------------------------------------------------


def running_program(bot: RunningBot, name: str = "Digital Pilot", **fields: Any) -> int:
    """Running since Monday 2 November, with Ana and Ben paired and a shared win."""
    made = make_program(bot.services.sessions, name, length_weeks=20, **fields)
    name_sponsor(bot, made.id)
    with bot.services.sessions() as session:
        program = session.get(Program, made.id)
        program.start_date = date(2026, 11, 2)
        program.status = ProgramStatus.RUNNING
        people = [
            Participant(
                team_id=TEAM,
                program_id=made.id,
                user_id=user,
                display_name=display,
                role=role,
                consent=True,
            )
            for user, display, role in (
                ("UANA", "Ana", ParticipantRole.MENTOR),
                ("UBEN", "Ben", ParticipantRole.MENTEE),
            )
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(team_id=TEAM, program_id=made.id, status=PairingStatus.ACTIVE)
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.flush()
        wins.record(
            session,
            team_id=TEAM,
            user_id="UBEN",
            program_id=made.id,
            pairing_id=pairing.id,
            text="Ben ran his first <b>live</b> stream",
            sharing="named",
            now=bot.services.clock.now(),
        )
        session.commit()
    return made.id


def summaries(bot: RunningBot) -> list:
    return [
        call for call in bot.fake.calls_to("chat.postMessage") if call.params["channel"] == "UCEO"
    ]


def test_the_sponsor_gets_a_summary_at_nine_on_the_first_exactly_once_a_month(people) -> None:
    bot = people
    clock = bot.services.clock
    running_program(bot)
    draft = make_program(bot.services.sessions, "Next Cohort")  # has a sponsor, not running
    name_sponsor(bot, draft.id)

    nine_in_new_york = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    for at in (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), nine_in_new_york - timedelta(minutes=1)):
        clock.set(at)
        bot.services.tick()
    assert summaries(bot) == []

    clock.set(nine_in_new_york)
    bot.services.tick()
    [summary] = summaries(bot)
    blocks = summary.params["blocks"]
    assert block_kit_problems({"blocks": blocks, "text": summary.params["text"]}, "message") == []
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "Digital Pilot" in shown and "week 5 of 20" in shown
    [figures] = [
        b["text"]["text"] for b in blocks if b["type"] == "section" and "*Pairs:*" in str(b)
    ]
    assert figures.count("\n") == 1  # the status in two lines
    assert "1 active: 1 on track" in figures and "*Meetings:* 0 meetings" in figures
    assert "Ben ran his first &lt;b&gt;live&lt;/b&gt; stream" in shown
    assert "Ana (reverse mentor) and Ben" in shown
    assert "Next Cohort" not in shown

    for at in (nine_in_new_york + timedelta(minutes=1), datetime(2026, 12, 24, tzinfo=UTC)):
        clock.set(at)
        bot.services.tick()
    assert len(summaries(bot)) == 1

    clock.set(datetime(2027, 1, 1, 14, 0, tzinfo=UTC))
    bot.services.tick()
    assert len(summaries(bot)) == 2
