"""Who may do what: every organizer action (subcommands, buttons, modal submissions) and every
action on a pairing's or a person's own things, tried by people who may not, then by one who
may.

Refused means: the database is exactly as before, Slack was asked nothing but to answer the
person (who is told why), and nothing private was shown to them. Someone from another Slack
workspace gets no effect at all (a slash command is told it belongs to another workspace).
The same request by the right person then has its effect, so every row proves its request
is one the bot really acts on.

The tables are checked against bot/slack/ids.py and the subcommands: a new action id or
organizers-only subcommand that is not classified here fails the suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot import checkins, surveys
from bot.slack import ids
from bot.slack.blocks.reports import REPORT_PROGRAM
from bot.slack.commands import SUBCOMMANDS
from tests.conftest import RunningBot
from tests.hostile.conftest import (
    OTHER_TEAM,
    World,
    calls_since,
    changed_tables,
    is_reply_to,
    join_values,
    mark,
    program_values,
    reply_texts,
    selected,
    settle,
    snapshot,
    state,
    text_input,
    ticked,
)
from tests.support.fake_slack import Call
from tests.support.slack_requests import Response

Send = Callable[[RunningBot, World, str, str | None], Response]
Effect = Callable[[dict, dict, list[Call], Response], bool]

ORGANIZERS_ONLY = "Only program organizers"
OTHER_WORKSPACE = "another Slack workspace"
# What only organizers (or the people concerned) may read: never shown to someone refused.
SECRETS = ("Weekly TikTok posts now", "No meeting for 2 weeks")


@dataclass(frozen=True)
class Case:
    send: Send
    effect: Effect
    refusal: str = ORGANIZERS_ONLY  # what a refused person of the workspace is told
    owner: str = "UORGANIZER"  # who may: the control
    refused: tuple[str, ...] = field(default=("UANA", "UCARA"))


# -- building requests -----------------------------------------------------------------------


def command(text: str | Callable[[World], str]) -> Send:
    def send(bot: RunningBot, world: World, user: str, team: str | None) -> Response:
        typed = text(world) if callable(text) else text
        return bot.slack.command(typed, user_id=user, team_id=team)

    return send


def click(action_id: str, value: Callable[[World], str], **extra: Any) -> Send:
    def send(bot: RunningBot, world: World, user: str, team: str | None) -> Response:
        return bot.slack.block_action(
            action_id, user_id=user, value=value(world), team_id=team, **extra
        )

    return send


def pick(action_id: str, value: Callable[[World], str]) -> Send:
    """An overflow menu's choice."""

    def send(bot: RunningBot, world: World, user: str, team: str | None) -> Response:
        return bot.slack.block_action(
            action_id,
            user_id=user,
            action_type="overflow",
            selected_option={"value": value(world)},
            team_id=team,
        )

    return send


def submit(
    callback_id: str,
    values: Callable[[World], dict],
    metadata: Callable[[World], dict] | None = None,
) -> Send:
    def send(bot: RunningBot, world: World, user: str, team: str | None) -> Response:
        return bot.slack.view_submission(
            callback_id,
            values(world),
            user_id=user,
            private_metadata=json.dumps(metadata(world)) if metadata else "",
            team_id=team,
        )

    return send


# -- telling that a request had its effect ---------------------------------------------------


def wrote(*tables: str) -> Effect:
    return lambda before, after, calls, response: set(tables) <= set(changed_tables(before, after))


def asked(method: str, channel: str | None = None) -> Effect:
    def effect(before: dict, after: dict, calls: list[Call], response: Response) -> bool:
        return any(
            c.method == method and (channel is None or c.params.get("channel") == channel)
            for c in calls
        )

    return effect


def opened(callback_id: str) -> Effect:
    def effect(before: dict, after: dict, calls: list[Call], response: Response) -> bool:
        return any(
            c.method == "views.open" and c.params["view"].get("callback_id") == callback_id
            for c in calls
        )

    return effect


def answered_with(words: str) -> Effect:
    return lambda before, after, calls, response: words in reply_texts(calls, response)


# -- the organizer actions -------------------------------------------------------------------

ORGANIZER_COMMANDS: dict[str, Case] = {
    "organizers": Case(command("organizers add <@UZED|zed>"), wrote("organizers")),
    "invite": Case(command("invite Digital Pilot"), opened(ids.INVITE_MODAL)),
    "match": Case(command("match Digital Pilot"), wrote("match_proposals")),
    "repair": Case(command("repair <@UCARA|cara> not a fit"), wrote("pairings", "deliveries")),
    "program": Case(command("program new"), opened(ids.PROGRAM_MODAL)),
    "announce": Case(
        command("announce <#C0NEWS|news> Digital Pilot"), asked("chat.postMessage", "C0NEWS")
    ),
    "wins": Case(command("wins"), answered_with("Weekly TikTok posts now (named)")),
    "report": Case(command("report Digital Pilot"), asked("files.completeUploadExternal")),
    "guide edit": Case(command("guide edit Digital Pilot"), opened(ids.GUIDE_EDIT_MODAL)),
    "kickoff": Case(command("kickoff Digital Pilot"), opened(ids.KICKOFF_MODAL)),
}

ORGANIZER_ACTIONS: dict[str, Case] = {
    # Programs
    ids.PROGRAM_NEW: Case(click(ids.PROGRAM_NEW, lambda w: ""), opened(ids.PROGRAM_MODAL)),
    ids.PROGRAM_EDIT: Case(
        click(ids.PROGRAM_EDIT, lambda w: str(w.program_id)), opened(ids.PROGRAM_MODAL)
    ),
    ids.PROGRAM_MODAL: Case(
        submit(
            ids.PROGRAM_MODAL,
            lambda w: program_values("Renamed Pilot"),
            lambda w: {"program_id": w.program_id},
        ),
        wrote("programs"),
    ),
    # Invitations
    ids.INVITE_OPEN: Case(
        click(ids.INVITE_OPEN, lambda w: str(w.program_id)), opened(ids.INVITE_MODAL)
    ),
    ids.INVITE_MODAL: Case(
        submit(
            ids.INVITE_MODAL,
            lambda w: state(
                program=selected("static_select", str(w.program_id)),
                people={"type": "multi_users_select", "selected_users": ["UZED"]},
                emails=text_input(None),
            ),
        ),
        wrote("invitations", "deliveries"),
    ),
    # Matching
    ids.MATCH_RUN: Case(
        click(ids.MATCH_RUN, lambda w: str(w.program_id)), wrote("match_proposals")
    ),
    ids.MATCH_RERUN: Case(
        click(ids.MATCH_RERUN, lambda w: str(w.program_id)), wrote("match_proposals")
    ),
    ids.MATCH_APPROVE: Case(
        click(ids.MATCH_APPROVE, lambda w: str(w.proposal_id)), wrote("pairings", "deliveries")
    ),
    ids.MATCH_DROP: Case(
        click(ids.MATCH_DROP, lambda w: f"{w.proposal_id}:0"), wrote("match_proposals")
    ),
    ids.MATCH_UNMATCHED_MENU: Case(
        pick(ids.MATCH_UNMATCHED_MENU, lambda w: f"{w.proposal_id}:{w.unmatched}:waitlist"),
        wrote("match_proposals"),
    ),
    ids.MATCH_SWAP_OPEN: Case(
        click(ids.MATCH_SWAP_OPEN, lambda w: str(w.proposal_id)), opened(ids.MATCH_SWAP_MODAL)
    ),
    ids.MATCH_SWAP_MODAL: Case(
        submit(
            ids.MATCH_SWAP_MODAL,
            lambda w: state(
                first={"type": "users_select", "selected_user": w.swap_users[0]},
                second={"type": "users_select", "selected_user": w.swap_users[1]},
            ),
            lambda w: {"proposal_id": w.proposal_id},
        ),
        wrote("match_proposals"),
    ),
    ids.MATCH_WEIGHTS_OPEN: Case(
        click(ids.MATCH_WEIGHTS_OPEN, lambda w: str(w.program_id)),
        opened(ids.MATCH_WEIGHTS_MODAL),
    ),
    ids.MATCH_WEIGHTS_MODAL: Case(
        submit(
            ids.MATCH_WEIGHTS_MODAL,
            lambda w: {
                **state(
                    **{
                        name: {"type": "number_input", "value": "7"}
                        for name in (
                            "teach",
                            "teach_back",
                            "hopes",
                            "direction",
                            "departments",
                            "timezone",
                            "formats",
                        )
                    }
                ),
                **state(allow_repeats=ticked()),
            },
            lambda w: {"program_id": w.program_id},
        ),
        wrote("programs"),
    ),
    # Flags
    ids.FLAG_NUDGE: Case(click(ids.FLAG_NUDGE, lambda w: str(w.flag_id)), wrote("flags")),
    ids.FLAG_REPAIR: Case(
        click(ids.FLAG_REPAIR, lambda w: str(w.flag_id)), wrote("flags", "pairings")
    ),
    ids.FLAG_PAUSE: Case(click(ids.FLAG_PAUSE, lambda w: str(w.flag_id)), wrote("flags")),
    ids.FLAG_DISMISS: Case(
        click(ids.FLAG_DISMISS, lambda w: str(w.flag_id)), opened(ids.FLAG_DISMISS_MODAL)
    ),
    ids.FLAG_DISMISS_MODAL: Case(
        submit(
            ids.FLAG_DISMISS_MODAL,
            lambda w: state(note=text_input("They are on holiday")),
            lambda w: {"flag_id": w.flag_id},
        ),
        wrote("flags"),
    ),
    # Wins and the report
    ids.WIN_PUBLISH: Case(
        click(ids.WIN_PUBLISH, lambda w: str(w.win_named)), opened(ids.WIN_PUBLISH_MODAL)
    ),
    ids.WIN_PUBLISH_MODAL: Case(
        submit(
            ids.WIN_PUBLISH_MODAL,
            lambda w: state(
                channel={"type": "conversations_select", "selected_conversation": "C0NEWS"}
            ),
            lambda w: {"win_id": w.win_named},
        ),
        wrote("wins"),
    ),
    ids.RUN_AGAIN: Case(click(ids.RUN_AGAIN, lambda w: str(w.program_id)), wrote("programs")),
    # Guides, talking to an organizer, the kickoff
    ids.GUIDE_EDIT: Case(
        click(ids.GUIDE_EDIT, lambda w: str(w.program_id)), opened(ids.GUIDE_EDIT_MODAL)
    ),
    ids.GUIDE_EDIT_MODAL: Case(
        submit(
            ids.GUIDE_EDIT_MODAL,
            lambda w: state(
                mentor=text_input("Show what you use every day."),
                mentee=text_input("Share how decisions get made."),
            ),
            lambda w: {"program_id": w.program_id},
        ),
        wrote("programs"),
    ),
    ids.TALK_TAKE: Case(
        click(ids.TALK_TAKE, lambda w: str(w.talk_request)), wrote("talk_requests")
    ),
    ids.KICKOFF_MODAL: Case(
        submit(
            ids.KICKOFF_MODAL,
            lambda w: state(
                kickoff_date={"type": "datepicker", "selected_date": "2026-12-10"},
                kickoff_time={"type": "timepicker", "selected_time": "16:00"},
                kickoff_place=text_input("The big meeting room"),
                kickoff_agenda=text_input(None),
                kickoff_followup=text_input(None),
            ),
            lambda w: {"program_id": w.program_id, "tz": "Europe/Berlin"},
        ),
        wrote("programs"),
    ),
    REPORT_PROGRAM: Case(
        click(f"{REPORT_PROGRAM}:1", lambda w: str(w.program_id)),
        asked("files.completeUploadExternal"),
    ),
}

# -- actions on one pairing's or one person's own things -------------------------------------

IN_PAIRING = "Only the people in this pairing"
NOT_YOUR_BUTTON = "That button belongs to someone else"
OUTSIDERS = ("UCARA", "UORGANIZER")  # a member of another pairing, and an organizer


def own(send: Send, effect: Effect, owner: str, refusal: str) -> Case:
    return Case(send, effect, refusal=refusal, owner=owner, refused=OUTSIDERS)


PAIR_ACTIONS: dict[str, Case] = {
    ids.SCHEDULE_COFFEE: own(
        click(ids.SCHEDULE_COFFEE, lambda w: str(w.pairing_ab)),
        opened(ids.MEETING_MODAL),
        "UANA",
        IN_PAIRING,
    ),
    ids.MEETING_MODAL: own(
        submit(
            ids.MEETING_MODAL,
            lambda w: state(
                date={"type": "datepicker", "selected_date": "2026-12-09"},
                time={"type": "timepicker", "selected_time": "10:00"},
                duration=selected("static_select", "60"),
                format=selected("static_select", "coffee"),
                location=text_input("Lobby"),
                topic=text_input(None),
            ),
            lambda w: {"pairing_id": w.pairing_ab, "tz": "Europe/Berlin"},
        ),
        wrote("meetings"),
        "UANA",
        IN_PAIRING,
    ),
    ids.MEETING_ACCEPT: own(
        click(ids.MEETING_ACCEPT, lambda w: str(w.meeting_proposed)),
        wrote("meetings"),
        "UBEN",
        IN_PAIRING,
    ),
    ids.MEETING_DECLINE: own(
        click(ids.MEETING_DECLINE, lambda w: str(w.meeting_proposed)),
        wrote("meetings"),
        "UBEN",
        IN_PAIRING,
    ),
    ids.MEETING_COUNTER: own(
        click(ids.MEETING_COUNTER, lambda w: str(w.meeting_proposed)),
        opened(ids.MEETING_MODAL),
        "UBEN",
        IN_PAIRING,
    ),
    ids.MEETING_CANCEL: own(
        click(ids.MEETING_CANCEL, lambda w: str(w.meeting_proposed)),
        wrote("meetings"),
        "UANA",
        IN_PAIRING,
    ),
    ids.MEETING_MET: own(
        click(ids.MEETING_MET, lambda w: str(w.meeting_confirmed)),
        opened(ids.MEETING_MINUTES_MODAL),
        "UANA",
        IN_PAIRING,
    ),
    ids.MEETING_NOT_MET: own(
        click(ids.MEETING_NOT_MET, lambda w: str(w.meeting_confirmed)),
        wrote("meetings"),
        "UANA",
        IN_PAIRING,
    ),
    ids.MEETING_MOVED: own(
        click(ids.MEETING_MOVED, lambda w: str(w.meeting_confirmed)),
        wrote("meetings"),
        "UANA",
        IN_PAIRING,
    ),
    ids.MEETING_MINUTES_MODAL: own(
        submit(
            ids.MEETING_MINUTES_MODAL,
            lambda w: state(minutes=text_input("45")),
            lambda w: {"meeting_id": w.meeting_confirmed},
        ),
        wrote("meetings"),
        "UANA",
        IN_PAIRING,
    ),
    ids.CHECKIN_MOOD: own(
        click(f"{ids.CHECKIN_MOOD}:4", lambda w: f"{w.checkin_ana}:4"),
        wrote("checkins"),
        "UANA",
        checkins.NOT_YOURS,
    ),
    ids.CHECKIN_MET: own(
        click(f"{ids.CHECKIN_MET}:yes", lambda w: f"{w.checkin_ana}:yes"),
        wrote("checkins"),
        "UANA",
        checkins.NOT_YOURS,
    ),
    ids.CHECKIN_COMMENT: own(
        click(ids.CHECKIN_COMMENT, lambda w: str(w.checkin_ana)),
        opened(ids.CHECKIN_COMMENT_MODAL),
        "UANA",
        checkins.NOT_YOURS,
    ),
    ids.CHECKIN_COMMENT_MODAL: own(
        submit(
            ids.CHECKIN_COMMENT_MODAL,
            lambda w: state(comment=text_input("Going well"), private=ticked("private")),
            lambda w: {"checkin_id": w.checkin_ana},
        ),
        wrote("checkins"),
        "UANA",
        checkins.NOT_YOURS,
    ),
    ids.SURVEY_OPEN: own(
        click(ids.SURVEY_OPEN, lambda w: f"{w.people['UANA']}:start"),
        opened(ids.SURVEY_MODAL),
        "UANA",
        surveys.NOT_YOURS,
    ),
    ids.SURVEY_MODAL: own(
        submit(
            ids.SURVEY_MODAL,
            lambda w: state(learn=text_input("Budgets"), teach=text_input("TikTok")),
            lambda w: {"participant_id": w.people["UANA"], "kind": "start"},
        ),
        wrote("survey_responses"),
        "UANA",
        surveys.NOT_YOURS,
    ),
    ids.SHARE_WIN: own(
        click(ids.SHARE_WIN, lambda w: str(w.pairing_ab)),
        opened(ids.WIN_MODAL),
        "UANA",
        "Only the people in this pairing can share",
    ),
    ids.WIN_MODAL: own(
        submit(
            ids.WIN_MODAL,
            lambda w: state(
                text=text_input("We shipped it"), sharing=selected("radio_buttons", "named")
            ),
            lambda w: {"program_id": w.program_id, "pairing_id": w.pairing_ab},
        ),
        wrote("wins"),
        "UANA",
        "Only the people in this pairing can share",
    ),
    ids.PROFILE_EDIT: own(
        click(ids.PROFILE_EDIT, lambda w: str(w.people["UANA"])),
        opened(ids.JOIN_MODAL),
        "UANA",
        NOT_YOUR_BUTTON,
    ),
    ids.JOIN_MODAL: own(
        submit(
            ids.JOIN_MODAL,
            lambda w: join_values(goals="Learn how budgets are made"),
            lambda w: {"participant_id": w.people["UANA"]},
        ),
        wrote("participants"),
        "UANA",
        NOT_YOUR_BUTTON,
    ),
    ids.LEAVE_CONFIRM: own(
        click(ids.LEAVE_CONFIRM, lambda w: str(w.people["UANA"])),
        wrote("participants", "pairings"),
        "UANA",
        NOT_YOUR_BUTTON,
    ),
    ids.LEAVE_AND_ERASE: own(
        click(ids.LEAVE_AND_ERASE, lambda w: str(w.people["UANA"])),
        wrote("participants", "pairings", "wins"),
        "UANA",
        NOT_YOUR_BUTTON,
    ),
}

# What anyone in the program does for themselves: talk to an organizer about a check-in of
# their own (or the program), answer the kickoff invitation. Someone outside the program, or
# an organizer who is not in it, is refused.
NOT_IN_PROGRAM = ("UZED", "UORGANIZER")
PAIR_ACTIONS |= {
    ids.TALK_OPEN: own(
        click(ids.TALK_OPEN, lambda w: f"checkin:{w.checkin_ana}"),
        opened(ids.TALK_MODAL),
        "UANA",
        "belongs to someone else",
    ),
    ids.TALK_MODAL: Case(
        submit(
            ids.TALK_MODAL,
            lambda w: state(
                topic=selected("radio_buttons", "my_pairing"), text=text_input("Can we talk?")
            ),
            lambda w: {"program_id": w.program_id},
        ),
        wrote("talk_requests"),
        refusal="not taking part",
        owner="UANA",
        refused=NOT_IN_PROGRAM,
    ),
    ids.KICKOFF_GOING: Case(
        click(ids.KICKOFF_GOING, lambda w: w.kickoff_token),
        wrote("kickoff_replies"),
        refusal="Only people enrolled in the program",
        owner="UANA",
        refused=NOT_IN_PROGRAM,
    ),
    ids.KICKOFF_NOT_GOING: Case(
        click(ids.KICKOFF_NOT_GOING, lambda w: w.kickoff_token),
        wrote("kickoff_replies"),
        refusal="Only people enrolled in the program",
        owner="UANA",
        refused=NOT_IN_PROGRAM,
    ),
}

# Open to anyone in the workspace: Join opens the join modal (which refuses what it must),
# "stay" only says that nothing changed, and a guide is the reader's own role's (or, for
# someone not in the program, a polite no).
PUBLIC_ACTIONS: dict[str, Case] = {
    ids.JOIN: Case(
        click(ids.JOIN, lambda w: str(w.program_id)), opened(ids.JOIN_MODAL), owner="UZED"
    ),
    ids.LEAVE_CANCEL: Case(
        click(ids.LEAVE_CANCEL, lambda w: str(w.people["UANA"])),
        answered_with("Glad you're staying"),
        owner="UANA",
    ),
    ids.GUIDE_OPEN: Case(
        click(ids.GUIDE_OPEN, lambda w: str(w.program_id)), asked("views.open"), owner="UANA"
    ),
}


# -- the tables are complete -----------------------------------------------------------------


def every_id() -> set[str]:
    """Every action and callback id the bot's Block Kit uses."""
    found = {v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
    return found | {REPORT_PROGRAM}


def test_every_action_and_callback_id_is_classified() -> None:
    tables = [set(ORGANIZER_ACTIONS), set(PAIR_ACTIONS), set(PUBLIC_ACTIONS)]
    classified = set().union(*tables)
    assert sum(len(t) for t in tables) == len(classified), "an id is in two tables"
    assert every_id() - classified == set(), "classify these ids in the authorization matrix"
    assert classified - every_id() == set(), "these ids no longer exist"


def test_every_organizers_only_subcommand_is_in_the_matrix() -> None:
    organizers_only = {name for name, sub in SUBCOMMANDS.items() if sub.organizers_only}
    assert set(ORGANIZER_COMMANDS) == organizers_only


# -- the matrix ------------------------------------------------------------------------------


def run(bot: RunningBot, world: World, case: Case, user: str, team: str | None):
    before, since = snapshot(bot), mark(bot.fake)
    response = case.send(bot, world, user, team)
    settle(bot)
    return before, snapshot(bot), calls_since(bot.fake, since), response


def check_refused(bot: RunningBot, world: World, case: Case, who: str) -> None:
    before, after, calls, response = run(bot, world, case, who, None)
    said = reply_texts(calls, response)
    assert response.status == 200, (who, response.status, response.text)
    assert changed_tables(before, after) == [], f"{who} changed something"
    assert [c.method for c in calls if not is_reply_to(c, who)] == [], f"{who} had an effect"
    assert case.refusal in said, f"{who} was not told why: {said[:500]}"
    assert not [secret for secret in SECRETS if secret in said], f"{who} was shown {said[:500]}"


def check_other_workspace(bot: RunningBot, world: World, case: Case, who: str) -> None:
    before, after, calls, response = run(bot, world, case, who, OTHER_TEAM)
    assert response.status == 200, response.text
    assert changed_tables(before, after) == []
    assert [c.method for c in calls] == []
    assert not [secret for secret in SECRETS if secret in response.text]


def check_allowed(bot: RunningBot, world: World, case: Case) -> None:
    before, after, calls, response = run(bot, world, case, case.owner, None)
    assert response.status == 200, response.text
    assert case.effect(before, after, calls, response), (
        f"{case.owner} was allowed but nothing happened: tables {changed_tables(before, after)},"
        f" calls {[c.method for c in calls]}, answer {response.text[:300]}"
    )


@pytest.mark.parametrize("name", sorted(ORGANIZER_COMMANDS))
def test_organizer_subcommands_are_refused_to_everyone_else(
    hbot: RunningBot, world: World, name: str
) -> None:
    case = ORGANIZER_COMMANDS[name]
    for who in case.refused:
        check_refused(hbot, world, case, who)
    before, after, calls, response = run(hbot, world, case, "UORGANIZER", OTHER_TEAM)
    assert response.status == 200
    assert OTHER_WORKSPACE in response.text
    assert changed_tables(before, after) == []
    assert [c.method for c in calls] == []
    check_allowed(hbot, world, case)


@pytest.mark.parametrize("action_id", sorted(ORGANIZER_ACTIONS))
def test_organizer_actions_are_refused_to_everyone_else(
    hbot: RunningBot, world: World, action_id: str
) -> None:
    case = ORGANIZER_ACTIONS[action_id]
    for who in case.refused:
        check_refused(hbot, world, case, who)
    check_other_workspace(hbot, world, case, "UORGANIZER")
    check_allowed(hbot, world, case)


@pytest.mark.parametrize("action_id", sorted(PAIR_ACTIONS))
def test_actions_on_someone_elses_pairing_or_answers_are_refused(
    hbot: RunningBot, world: World, action_id: str
) -> None:
    case = PAIR_ACTIONS[action_id]
    for who in case.refused:
        check_refused(hbot, world, case, who)
    check_other_workspace(hbot, world, case, case.owner)
    check_allowed(hbot, world, case)


@pytest.mark.parametrize("action_id", sorted(PUBLIC_ACTIONS))
def test_open_actions_still_ignore_other_workspaces(
    hbot: RunningBot, world: World, action_id: str
) -> None:
    case = PUBLIC_ACTIONS[action_id]
    check_other_workspace(hbot, world, case, case.owner)
    check_allowed(hbot, world, case)


def test_the_organizer_list_is_the_workspaces_own(hbot: RunningBot, world: World) -> None:
    """An organizer of this workspace is nobody's organizer elsewhere, and organizers added
    here are not organizers of another workspace's requests."""
    hbot.slack.command("organizers add <@UZED|zed>", user_id="UORGANIZER")
    settle(hbot)
    before, since = snapshot(hbot), mark(hbot.fake)
    answer = hbot.slack.command("organizers add <@UANA|ana>", user_id="UZED", team_id=OTHER_TEAM)
    settle(hbot)
    assert OTHER_WORKSPACE in answer.json()["text"]
    assert changed_tables(before, snapshot(hbot)) == []
    assert calls_since(hbot.fake, since) == []
