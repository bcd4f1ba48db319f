"""The Home tab: what a participant and an organizer see, within Slack's limits."""

from __future__ import annotations

import json

from bot.models import (
    Pairing,
    PairingMember,
    PairingStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
)
from bot.slack import ids
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems


def enrol(bot: RunningBot, program_id: int, user: str, role: ParticipantRole, **kw) -> Participant:
    with bot.services.sessions() as session:
        participant = Participant(
            team_id=TEAM, program_id=program_id, user_id=user, role=role, consent=True, **kw
        )
        session.add(participant)
        session.commit()
        return participant


def pair(bot: RunningBot, program_id: int, *participants: Participant) -> None:
    with bot.services.sessions() as session:
        pairing = Pairing(
            team_id=TEAM, program_id=program_id, status=PairingStatus.ACTIVE, channel_id="G1"
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in participants]
        session.add(pairing)
        session.commit()


def open_home(bot: RunningBot, user: str) -> dict:
    before = len(bot.fake.calls_to("views.publish"))
    bot.slack.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
    call = bot.fake.wait_for("views.publish", before + 1)[-1]
    assert call.params["user_id"] == user
    view = call.params["view"]
    assert block_kit_problems(view, "home") == []
    return view


def buttons(view: dict) -> list[tuple[str, str]]:
    found = []
    for block in view["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        if block.get("accessory", {}).get("type") == "button":
            elements = [block["accessory"]]
        found += [(e["action_id"], e["value"]) for e in elements if e["type"] == "button"]
    return found


def test_a_participant_sees_their_program_partner_and_what_they_can_join(bot) -> None:
    pilot = make_program(bot.services.sessions, "Digital Pilot", meeting_target_minutes=60)
    other = make_program(bot.services.sessions, "Sustainability Circle")
    make_program(bot.services.sessions, "Closed Draft", enrolment_open=False)
    ana = enrol(bot, pilot.id, "UANA", ParticipantRole.MENTOR)
    ben = enrol(bot, pilot.id, "UBEN", ParticipantRole.MENTEE)
    pair(bot, pilot.id, ana, ben)

    view = open_home(bot, "UANA")
    text = json.dumps(view, ensure_ascii=False)

    assert "Digital Pilot" in text
    assert "Your partner: <@UBEN>" in text
    assert "1 hour together a week" in text
    assert (ids.JOIN, str(other.id)) in buttons(view)  # open, not joined yet
    assert (ids.JOIN, str(pilot.id)) not in buttons(view)
    assert (ids.PROFILE_EDIT, str(ana.id)) in buttons(view)
    assert "Closed Draft" not in text
    assert "Programs you organize" not in text  # not an organizer


def test_someone_waiting_for_matching_is_told_what_happens_next(bot) -> None:
    pilot = make_program(bot.services.sessions, "Digital Pilot")
    enrol(bot, pilot.id, "UCARL", ParticipantRole.MENTEE)
    view = open_home(bot, "UCARL")
    assert "once the organizers have run matching" in json.dumps(view, ensure_ascii=False)


def test_an_organizer_sees_programs_with_enrolment_by_role_and_actions(bot) -> None:
    pilot = make_program(bot.services.sessions, "Digital Pilot", is_pilot=True)
    for n in range(3):
        enrol(bot, pilot.id, f"UM{n}", ParticipantRole.MENTOR)
    enrol(bot, pilot.id, "UE1", ParticipantRole.MENTEE)
    enrol(bot, pilot.id, "UGONE", ParticipantRole.MENTEE, status=ParticipantStatus.LEFT)

    view = open_home(bot, "UORGANIZER")
    text = json.dumps(view, ensure_ascii=False)

    assert "Programs you organize" in text
    assert "3 reverse mentors (sharing new skills) · 1 mentee (learning)" in text
    assert "pilot" in text
    assert "0 on track · 0 at risk · 0 stalled" in text  # the status dashboard
    assert (ids.PROGRAM_NEW, "new") in buttons(view)
    assert (ids.PROGRAM_EDIT, str(pilot.id)) in buttons(view)
    assert (ids.INVITE_OPEN, str(pilot.id)) in buttons(view)
    assert (ids.MATCH_RUN, str(pilot.id)) in buttons(view)


def test_the_home_tab_fits_slacks_limits_however_many_programs(bot) -> None:
    for n in range(60):
        program = make_program(bot.services.sessions, f"Program {n:02d}")
        enrol(bot, program.id, "UORGANIZER", ParticipantRole.MENTEE)

    view = open_home(bot, "UORGANIZER")

    assert len(view["blocks"]) <= 100
    text = json.dumps(view, ensure_ascii=False)
    assert "…and 50 more programs." in text  # enrolments beyond the first 10
    assert "…and 45 more programs." in text  # organized beyond the first 15


def test_another_workspace_gets_no_home_tab_of_ours(bot) -> None:
    make_program(bot.services.sessions, "Digital Pilot")
    bot.slack.event(
        {"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "home"},
        team_id="T0OTHER",
    )
    open_home(bot, "UBEN")  # a later event of our own workspace is the only publish
    [call] = bot.fake.calls_to("views.publish")
    assert call.params["user_id"] == "UBEN"


def test_the_messages_tab_publishes_nothing(bot) -> None:
    bot.slack.event({"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "messages"})
    open_home(bot, "UANA")  # a later home event is the only publish
    assert len(bot.fake.calls_to("views.publish")) == 1


def test_the_match_button_on_the_home_tab_works_without_a_message(bot) -> None:
    pilot = make_program(bot.services.sessions, "Digital Pilot")
    bot.fake.add_user("UM1", name="m1")
    bot.fake.add_user("UE1", name="e1")
    enrol(bot, pilot.id, "UM1", ParticipantRole.MENTOR)
    enrol(bot, pilot.id, "UE1", ParticipantRole.MENTEE)
    home = {"type": "home", "id": "V0HOME", "blocks": []}
    bot.slack.block_action(ids.MATCH_RUN, user_id="UORGANIZER", value=str(pilot.id), view=home)
    dms = bot.fake.wait_for("chat.postMessage", 2)
    texts = [c.params["text"] for c in dms if c.params["channel"] == "UORGANIZER"]
    assert any("Working out the best matching" in t for t in texts)
    assert any("Proposed matching for Digital Pilot" in t for t in texts)
