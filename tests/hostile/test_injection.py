"""Text people type (and the names they give themselves in Slack) is shown back inert: a
poisoned string goes into every free-text input, organizers' too, then every flow that shows
it back runs (profile, status, Home tabs, the matching proposal and introductions, meetings,
check-ins, wins digest and publishing, the report, flags, invitations, announcements, leaving),
and no message, view or reply the bot produced carries a live `<!channel>`, `<!here>`,
mention, channel link or web link made of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.models import MatchProposal, Meeting, ProposalStatus, Win
from bot.slack import ids
from tests.conftest import RunningBot
from tests.hostile.conftest import (
    World,
    calls_since,
    injections,
    join_values,
    mark,
    program_values,
    selected,
    settle,
    state,
    text_input,
    ticked,
)
from tests.support.slack_requests import Response

# Short enough for a program name (80) and a skill (60).
POISON = "<!here><@U0EVIL><#C0EVIL><https://evil.example|x>"
LONG_POISON = (
    "<!channel> <!everyone> <!subteam^S0EVIL|@team> <mailto:evil@example.com|mail> "
    f"*bold* `code` {POISON} &amp; &lt;!channel&gt;"
)
ORGANIZER = "UORGANIZER"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def newest(bot: RunningBot, model, *where) -> int:
    with bot.services.sessions() as session:
        found = session.scalar(sa.select(model.id).where(*where).order_by(model.id.desc()))
        assert found is not None, f"no {model.__name__} was stored"
        return found


def test_poisoned_text_everywhere_is_shown_back_inert(hbot: RunningBot, world: World) -> None:
    bot = hbot
    since = mark(bot.fake)
    answers: list[Response] = []

    def keep(response: Response) -> Response:
        assert response.status == 200, response.text
        answers.append(response)
        settle(bot)
        return response

    # People's Slack names are theirs to choose, too.
    for user in ("UANA", "UEVE", "UFAY"):
        bot.fake.add_user(user, name=POISON, real_name=LONG_POISON)

    # The organizer names the program and its skills.
    saved = keep(
        bot.slack.view_submission(
            ids.PROGRAM_MODAL,
            program_values(
                f"P {POISON}",
                business_need=selected("static_select", "other"),
                business_need_other=text_input(f"Need {POISON}"),
                skills_catalogue=text_input(f"TikTok\n{POISON}\nBudgeting"),
                start_date={"type": "datepicker", "selected_date": "2026-11-30"},
                sponsor={"type": "users_select", "selected_user": "UBEN"},
                sponsor_message=text_input(LONG_POISON),
                checkin_cadence_weeks=selected("radio_buttons", "1"),
                length_weeks={"type": "number_input", "value": "12"},
            ),
            user_id=ORGANIZER,
            private_metadata=json.dumps({"program_id": world.program_id}),
        )
    )
    assert not saved.body, saved.text

    # Participants fill in everything they can type.
    for user in ("UANA", "UEVE"):
        keep(
            bot.slack.view_submission(
                ids.JOIN_MODAL,
                join_values(
                    role="mentor",
                    skills_offered=[POISON],
                    skills_wanted=["Budgeting"],
                    goals=LONG_POISON,
                    department=f"Dept {POISON}",
                    skills_offered_other=f"Other {POISON}",
                    skills_wanted_other=f"Wanted {POISON}",
                ),
                user_id=user,
                private_metadata=json.dumps({"participant_id": world.people[user]}),
            )
        )
    keep(bot.slack.command("profile", user_id="UANA"))
    for sharing in ("named", "anonymous"):
        keep(
            bot.slack.view_submission(
                ids.WIN_MODAL,
                state(text=text_input(LONG_POISON), sharing=selected("radio_buttons", sharing)),
                user_id="UANA",
                private_metadata=json.dumps(
                    {"program_id": world.program_id, "pairing_id": world.pairing_ab}
                ),
            )
        )
    keep(bot.slack.command(f"win {LONG_POISON}", user_id="UANA"))
    keep(
        bot.slack.view_submission(
            ids.CHECKIN_COMMENT_MODAL,
            state(comment=text_input(LONG_POISON), private=ticked()),
            user_id="UANA",
            private_metadata=json.dumps({"checkin_id": world.checkin_ana}),
        )
    )
    keep(
        bot.slack.view_submission(
            ids.SURVEY_MODAL,
            state(learn=text_input(LONG_POISON), teach=text_input(LONG_POISON)),
            user_id="UANA",
            private_metadata=json.dumps({"participant_id": world.people["UANA"], "kind": "start"}),
        )
    )
    keep(
        bot.slack.view_submission(
            ids.MEETING_MODAL,
            state(
                date={"type": "datepicker", "selected_date": "2026-12-02"},
                time={"type": "timepicker", "selected_time": "10:00"},
                duration=selected("static_select", "60"),
                format=selected("static_select", "coffee"),
                location=text_input(LONG_POISON),
                topic=text_input(LONG_POISON),
            ),
            user_id="UANA",
            private_metadata=json.dumps({"pairing_id": world.pairing_ab, "tz": "Europe/Berlin"}),
        )
    )
    meeting = newest(bot, Meeting, Meeting.proposed_by == "UANA")
    keep(bot.slack.block_action(ids.MEETING_ACCEPT, user_id="UBEN", value=str(meeting)))
    keep(bot.slack.command(f"log 30 {LONG_POISON}", user_id="UANA"))
    keep(
        bot.slack.view_submission(
            ids.TALK_MODAL,
            state(topic=selected("radio_buttons", "career_goals"), text=text_input(LONG_POISON)),
            user_id="UANA",
            private_metadata=json.dumps({"program_id": world.program_id}),
        )
    )

    # Organizers read, match, introduce, publish, dismiss, invite and announce.
    keep(
        bot.slack.view_submission(
            ids.FLAG_DISMISS_MODAL,
            state(note=text_input(LONG_POISON)),
            user_id=ORGANIZER,
            private_metadata=json.dumps({"flag_id": world.flag_id}),
        )
    )
    keep(
        bot.slack.view_submission(
            ids.KICKOFF_MODAL,
            state(
                kickoff_date={"type": "datepicker", "selected_date": "2026-12-10"},
                kickoff_time={"type": "timepicker", "selected_time": "16:00"},
                kickoff_place=text_input(LONG_POISON),
                kickoff_agenda=text_input(LONG_POISON),
                kickoff_followup=text_input(LONG_POISON),
            ),
            user_id=ORGANIZER,
            private_metadata=json.dumps({"program_id": world.program_id, "tz": "Europe/Berlin"}),
        )
    )
    keep(
        bot.slack.view_submission(
            ids.GUIDE_EDIT_MODAL,
            state(mentor=text_input(LONG_POISON), mentee=text_input(LONG_POISON)),
            user_id=ORGANIZER,
            private_metadata=json.dumps({"program_id": world.program_id}),
        )
    )
    keep(bot.slack.block_action(ids.GUIDE_OPEN, user_id="UANA", value=str(world.program_id)))
    keep(bot.slack.command("guide", user_id="UANA"))
    keep(bot.slack.command("guide mentee", user_id=ORGANIZER))
    keep(bot.slack.block_action(ids.TALK_TAKE, user_id=ORGANIZER, value=str(world.talk_request)))
    keep(bot.slack.command("kickoff", user_id=ORGANIZER))
    for text in ("status", "wins", "report", "match", f"status {POISON}", f"wins {POISON}"):
        keep(bot.slack.command(text, user_id=ORGANIZER))
    proposal = newest(bot, MatchProposal, MatchProposal.status == ProposalStatus.OPEN)
    keep(bot.slack.block_action(ids.MATCH_APPROVE, user_id=ORGANIZER, value=str(proposal)))
    for win in (
        newest(bot, Win, Win.sharing == "named"),
        newest(bot, Win, Win.sharing == "anonymous"),
    ):
        keep(bot.slack.block_action(ids.WIN_PUBLISH, user_id=ORGANIZER, value=str(win)))
        keep(
            bot.slack.view_submission(
                ids.WIN_PUBLISH_MODAL,
                state(channel={"type": "conversations_select", "selected_conversation": "C0NEWS"}),
                user_id=ORGANIZER,
                private_metadata=json.dumps({"win_id": win}),
            )
        )
    keep(bot.slack.command("announce <#C0NEWS|news>", user_id=ORGANIZER))
    keep(
        bot.slack.view_submission(
            ids.INVITE_MODAL,
            state(
                program=selected("static_select", str(world.program_id)),
                people={"type": "multi_users_select", "selected_users": ["UZED"]},
                emails=text_input(None),
            ),
            user_id=ORGANIZER,
        )
    )
    keep(
        bot.slack.view_submission(
            ids.JOIN_MODAL,
            join_values(goals=LONG_POISON, skills_offered=[POISON]),
            user_id="UZED",
            private_metadata=json.dumps({"program_id": world.program_id}),
        )
    )
    for user in (ORGANIZER, "UANA", "UBEN", "UEVE", "UZED"):
        keep(bot.slack.event({"type": "app_home_opened", "user": user, "tab": "home"}))
        keep(bot.slack.command("status", user_id=user))

    # A week and a half goes by: check-ins, reminders, follow-ups, nudges, the wins digest.
    for day in (1, 2, 3, 4, 7, 8, 11):
        for hour in (8, 9, 12, 16):
            bot.services.clock.set(at(2026, 12, day, hour))
            bot.services.tick()
    settle(bot)
    keep(bot.slack.block_action(ids.LEAVE_CONFIRM, user_id="UANA", value=str(world.people["UANA"])))

    calls = calls_since(bot.fake, since)
    shown = [c.params for c in calls] + [r.json() for r in answers if r.body]
    where = [
        f"{c.method} {c.params.get('channel') or c.params.get('user_id') or ''}" for c in calls
    ]
    where += ["an HTTP answer" for r in answers if r.body]
    live = sorted(
        {
            f"{place}: {hit}"
            for place, payload in zip(where, shown, strict=True)
            for hit in injections(payload)
        }
    )
    assert live == [], "\n".join(live)
    # The poison did travel through all of these (so the scan above had something to find).
    everything = json.dumps(shown, ensure_ascii=False, default=repr)
    assert everything.count("evil.example") > 50
    methods = {c.method for c in calls if "evil.example" in json.dumps(c.params, default=repr)}
    assert {"chat.postMessage", "views.publish", "views.open", "response_url"} <= methods
    texts = [
        str(c.params.get("text"))
        for c in calls
        if "evil.example" in json.dumps(c.params, default=repr)
    ]
    for expected in (
        "How is your mentoring going?",  # check-ins
        "Meet your reverse mentoring partner",  # introductions
        "new win",  # the digest
        "A win from",  # a published win
        "Welcome to",
        "You're invited",
        "has left",
        "Week 1 of",  # weekly prompts
    ):
        assert any(expected in text for text in texts), expected
