"""`/mentoring report` end to end: the summary, the chart and the CSV in the organizer's DM,
organizers only, and Run again turning a program into the next cohort's draft."""

from __future__ import annotations

import csv
import io
import json
import struct
from dataclasses import replace

import sqlalchemy as sa

from bot.models import ParticipantRole, Program, ProgramStatus, SurveyKind
from bot.reports import Survey, build_report
from bot.slack import ids
from bot.slack.blocks.reports import REPORT_PROGRAM, SURVEYS, report_message
from tests.conftest import START, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems
from tests.test_reports import OPEN_C, PRIVATE_A, PRIVATE_B, small_program

ORGANIZER = "UORGANIZER"


def organizer_dms(bot: RunningBot, count: int = 1) -> list:
    calls = bot.fake.wait_for("chat.postMessage", count)
    dms = [call for call in calls if call.params["channel"] == ORGANIZER]
    for call in dms:
        assert block_kit_problems(call.params, "message") == []
    return dms


def programs_named(bot: RunningBot) -> dict[str, Program]:
    with bot.services.sessions() as session:
        return {p.name: p for p in session.scalars(sa.select(Program))}


def test_the_report_reaches_the_organizers_dm_with_a_chart_and_a_csv(bot: RunningBot) -> None:
    pilot = small_program(bot.services.sessions)

    reply = bot.slack.command("report", user_id=ORGANIZER).json()

    assert "Putting the report together for *Digital Pilot*" in reply["text"]
    [dm] = organizer_dms(bot)
    shown = json.dumps(dm.params["blocks"], ensure_ascii=False)
    assert "Report for Digital Pilot: 1 live pair, 7 meetings held" in dm.params["text"]
    assert "*Enrolment* · 5 people: 3 reverse mentors and 2 mentees (1 left)" in shown
    assert "Finance: 2 (2 mentees)" in shown and "Marketing: 2 (2 reverse mentors)" in shown
    assert "7 meetings held, 5 h in all (1 missed)" in shown
    assert "4 h 30 min of a 7 h target (64%)" in shown
    assert "Week 3: 2 meetings, 2 h of 2 h (2 live pairs)" in shown
    assert "4 of 5 answered (80%)" in shown
    assert "Start survey: 2 of 4 answered (50%)" in shown
    assert "would recommend it 7.5/10 on average (net promoter score +0)" in shown
    assert "Reverse mentors taught: AI tools (1 pair), TikTok (1 pair)" in shown
    assert "Mentees taught back: Negotiation (1 pair), Strategy (1 pair)" in shown
    assert "*Wins* · 2 told, 1 published" in shown
    assert "Low mood: 1 nudged again by an organizer" in shown
    assert PRIVATE_A not in shown and PRIVATE_B not in shown  # comments only in the file
    [actions] = [b for b in dm.params["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == ids.RUN_AGAIN
    assert actions["elements"][0]["value"] == str(pilot.program.id)

    bot.fake.wait_for("files.completeUploadExternal")
    files = sorted(bot.fake.files.values(), key=lambda f: f["filename"])
    assert [f["filename"].rsplit(".", 1)[1] for f in files] == ["csv", "png"]
    assert {f["channel_id"] for f in files} == {dm.response["channel"]}
    assert dm.response["channel"].startswith("D")  # the organizer's own DM
    chart, export = files[1]["content"], files[0]["content"].decode()
    assert chart[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", chart[16:24]) == (1000, 650)
    assert PRIVATE_A in export and PRIVATE_B in export and OPEN_C in export
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [r["section"] for r in rows].count("checkin") == 5


def test_participants_cannot_have_a_report_or_run_it_again(bot: RunningBot) -> None:
    pilot = small_program(bot.services.sessions)

    refused = bot.slack.command("report", user_id="UANA").json()
    assert "Only program organizers" in refused["text"]
    bot.slack.block_action(ids.RUN_AGAIN, user_id="UANA", value=str(pilot.program.id))
    [told] = bot.fake.wait_for("response_url")
    assert "Only program organizers" in told.params["text"]
    assert told.params["response_type"] == "ephemeral"
    assert set(programs_named(bot)) == {"Digital Pilot"}
    assert bot.fake.calls_to("chat.postMessage") == []
    assert bot.fake.files == {}


def test_run_again_creates_the_next_cohort_as_a_draft_to_edit(bot: RunningBot) -> None:
    program = make_program(
        bot.services.sessions,
        "Digital Pilot",
        is_pilot=True,
        length_weeks=8,
        meeting_target_minutes=90,
        skills_catalogue=["TikTok", "Strategy"],
    )
    with bot.services.sessions() as session:
        session.get(Program, program.id).settings = {"matching_weights": {"teach": 4.0}}
        session.commit()

    bot.slack.block_action(ids.RUN_AGAIN, user_id=ORGANIZER, value=str(program.id))
    [told] = organizer_dms(bot)
    bot.slack.block_action(ids.RUN_AGAIN, user_id=ORGANIZER, value=str(program.id))
    second = organizer_dms(bot, 2)[-1]

    made = programs_named(bot)
    cohort = made["Digital Pilot (next cohort)"]
    assert "Digital Pilot (next cohort) 2" in made
    assert "*Digital Pilot (next cohort)* is ready as a draft" in told.params["text"]
    assert "(next cohort) 2*" in second.params["text"]
    assert (cohort.status, cohort.start_date, cohort.enrolment_open) == (
        ProgramStatus.DRAFT,
        None,
        False,
    )
    assert (cohort.length_weeks, cohort.meeting_target_minutes) == (8, 90)
    assert cohort.skills_catalogue == ["TikTok", "Strategy"]
    assert cohort.settings == {"matching_weights": {"teach": 4.0}}
    assert cohort.created_by == ORGANIZER
    [edit] = next(b for b in told.params["blocks"] if b["type"] == "actions")["elements"]
    assert (edit["action_id"], edit["value"]) == (ids.PROGRAM_EDIT, str(cohort.id))

    bot.slack.block_action(ids.PROGRAM_EDIT, user_id=ORGANIZER, value=edit["value"])
    [opened] = bot.fake.wait_for("views.open")
    assert "Digital Pilot (next cohort)" in json.dumps(opened.params["view"])


def test_a_program_of_another_workspace_is_not_run_again(bot: RunningBot) -> None:
    theirs = make_program(bot.services.sessions, "Their Pilot", team_id="T0OTHER")

    bot.slack.block_action(ids.RUN_AGAIN, user_id=ORGANIZER, value=str(theirs.id))
    [told] = bot.fake.wait_for("response_url")
    assert "no longer exists" in told.params["text"]
    assert set(programs_named(bot)) == {"Their Pilot"}


def test_with_several_programs_the_organizer_picks_one(bot: RunningBot) -> None:
    small_program(bot.services.sessions)
    later = make_program(bot.services.sessions, "Sales Cohort")

    unknown = bot.slack.command("report Nope", user_id=ORGANIZER).json()
    assert "I can't find a program called “Nope”" in unknown["text"]
    reply = bot.slack.command("report", user_id=ORGANIZER).json()
    assert block_kit_problems(reply, "message") == []
    buttons = next(b for b in reply["blocks"] if b["type"] == "actions")["elements"]
    assert [(b["value"], b["text"]["text"]) for b in buttons] == [
        (str(later.id), "Sales Cohort"),
        (str(later.id - 1), "Digital Pilot"),
    ]
    assert buttons[0]["action_id"] == f"{REPORT_PROGRAM}:{later.id}"

    bot.slack.block_action(buttons[0]["action_id"], user_id=ORGANIZER, value=str(later.id))
    [dm] = organizer_dms(bot)
    assert "Report for Sales Cohort" in dm.params["text"]
    assert "not started yet" in json.dumps(dm.params["blocks"])
    bot.fake.wait_for("files.completeUploadExternal")
    [export] = list(bot.fake.files.values())  # no weeks yet: the CSV, no chart
    assert export["filename"].endswith(".csv")


def test_a_report_full_of_long_answers_stays_within_block_kit_limits(sessions) -> None:
    pilot = small_program(sessions)
    with sessions() as session:
        report = build_report(session, session.get(Program, pilot.program.id), START)
    long = "<!channel> " + "x" * 2500
    huge = replace(
        report,
        program_name="P" * 80,
        enrolment={(ParticipantRole.MENTOR, f"{long} {n}"): n + 1 for n in range(40)},
        surveys={
            kind: Survey(kind, 9, 9, {10: 9}, {key: [long] * 3 for key in SURVEYS[kind][1]})
            for kind in SurveyKind
        },
        skills_taught=[(long, 9)] * 5,
        skills_taught_back=[(long, 9)] * 5,
        recent_wins=[long] * 3,
    )

    text, blocks = report_message(huge)

    assert block_kit_problems({"text": text, "blocks": blocks}, "message") == []
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in shown
    assert "• 32 more departments: " in shown
