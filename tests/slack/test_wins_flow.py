"""Wins end to end: shared from a command or a prompt, stored, sent to organizers on Monday,
listed ready to paste and published to a channel, credited exactly as the person agreed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot import wins
from bot.models import Pairing, PairingMember, PairingStatus, Participant, ParticipantRole, Win
from bot.organizers import add_organizer
from bot.slack import ids
from bot.slack.planners import wins as wins_planner
from tests.conftest import START, TEAM, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PAIR_CHANNEL = "G0PAIR"
SHOWN = (
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "response_url",
    "views.open",
    "views.push",
    "views.update",
    "views.publish",
)
NAMES = re.compile(r"\b(ana|ben|uana|uben)\b", re.IGNORECASE)
CREDITS = {
    "named": "Ana (reverse mentor) and Ben",
    "anonymous": "a pair in Digital Pilot",
    "organizers": "Ana (reverse mentor) and Ben",
}


@pytest.fixture
def pilot(bot: RunningBot) -> dict[str, int]:
    """Ana (reverse mentor) and Ben in Digital Pilot, introduced in G0PAIR; Eve is no one's
    partner. The wins digest runs with the configured organizers, as the bot wires it."""
    bot.services.planners = [
        wins_planner.make_planner(bot.services.settings.organizers)
        if planner is wins_planner.plan
        else planner
        for planner in bot.services.planners
    ]
    for user, name in (("UANA", "ana"), ("UBEN", "ben"), ("UEVE", "eve"), ("UORG2", "otto")):
        bot.fake.add_user(user, name=name, tz="UTC", tz_offset=0)
    program = make_program(bot.services.sessions, "Digital Pilot", start_date=START.date())
    with bot.services.sessions() as session:
        people = [
            Participant(
                team_id=TEAM,
                program_id=program.id,
                user_id=user,
                display_name=name,
                role=role,
                consent=True,
            )
            for user, name, role in (
                ("UANA", "Ana", ParticipantRole.MENTOR),
                ("UBEN", "Ben", ParticipantRole.MENTEE),
            )
        ]
        session.add_all(people)
        session.flush()
        pairing = Pairing(
            team_id=TEAM,
            program_id=program.id,
            status=PairingStatus.ACTIVE,
            channel_id=PAIR_CHANNEL,
            introduced_at=START,
        )
        pairing.members = [PairingMember(team_id=TEAM, participant_id=p.id) for p in people]
        session.add(pairing)
        session.commit()
    bot.services.clock.set(START + timedelta(hours=2))  # Monday 30 Nov 10:00: in week 49
    return {"program": program.id, "pairing": pairing.id}


def share(
    bot: RunningBot, text: str, sharing: str | None, metadata: dict, user: str = "UANA", **extra
) -> dict:
    values = {
        "text": {"text": {"type": "plain_text_input", "value": text}},
        "sharing": {
            "sharing": {
                "type": "radio_buttons",
                "selected_option": {"value": sharing} if sharing else None,
            }
        },
        **extra,
    }
    response = bot.slack.view_submission(
        ids.WIN_MODAL, values, user_id=user, private_metadata=json.dumps(metadata)
    )
    assert response.status == 200
    return response.json() if response.body else {}


def publish(bot: RunningBot, win_id: int, channel: str, user: str = "UORGANIZER") -> dict:
    values = {
        "channel": {"channel": {"type": "conversations_select", "selected_conversation": channel}}
    }
    response = bot.slack.view_submission(
        ids.WIN_PUBLISH_MODAL, values, user_id=user, private_metadata=json.dumps({"win_id": win_id})
    )
    assert response.status == 200
    return response.json() if response.body else {}


def stored(bot: RunningBot) -> list[Win]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Win).order_by(Win.id)))


def tick_at(bot: RunningBot, when: datetime) -> None:
    bot.services.clock.set(when)
    bot.services.tick()


def posts_to(bot: RunningBot, channel: str) -> list:
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == channel]


def digests_to(bot: RunningBot, user: str) -> list:
    return [c for c in posts_to(bot, user) if "new win" in c.params["text"]]


def shown(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def showing(bot: RunningBot, marker: str) -> list:
    """Every call the fake recorded that shows the story to someone."""
    return [c for m in SHOWN for c in bot.fake.calls_to(m) if marker in shown(c)]


def publish_buttons(call) -> list[tuple[str, str]]:
    return [
        (b["accessory"]["action_id"], b["accessory"]["value"])
        for b in call.params["blocks"]
        if "accessory" in b
    ]


@pytest.mark.parametrize("sharing", ["named", "anonymous", "organizers"])
def test_each_sharing_choice_from_the_modal_to_the_channel(
    bot: RunningBot, pilot: dict[str, int], sharing: str
) -> None:
    story = f"We rebuilt the onboarding deck in Canva together ({sharing})"
    assert bot.slack.command(f"win {story}", user_id="UANA").status == 200
    [opened] = bot.fake.wait_for("views.open")
    modal = opened.params["view"]
    assert block_kit_problems(modal, "modal") == []
    assert modal["callback_id"] == ids.WIN_MODAL
    fields = {b.get("block_id"): b for b in modal["blocks"]}
    assert fields["text"]["element"]["initial_value"] == story
    assert fields["text"]["element"]["max_length"] == 2000
    radio = fields["sharing"]["element"]
    assert "initial_option" not in radio  # no default: the person chooses
    assert [o["value"] for o in radio["options"]] == ["named", "anonymous", "organizers"]
    metadata = json.loads(modal["private_metadata"])
    assert metadata == {"program_id": pilot["program"], "pairing_id": pilot["pairing"]}

    assert share(bot, story, sharing, metadata) == {}
    [win] = stored(bot)
    assert (win.sharing.value, win.pairing_id, win.text) == (sharing, pilot["pairing"], story)
    [thanks] = bot.fake.wait_for("chat.postMessage")
    assert thanks.params["channel"] == "UANA"
    assert {
        "named": "with your name",
        "anonymous": "without any names",
        "organizers": "Only the organizers",
    }[sharing] in thanks.params["text"]

    tick_at(bot, MONDAY_9 - timedelta(minutes=1))
    assert digests_to(bot, "UORGANIZER") == []
    tick_at(bot, MONDAY_9)
    [digest] = digests_to(bot, "UORGANIZER")
    assert block_kit_problems(digest.params, "message") == []
    assert story in shown(digest) and CREDITS[sharing] in shown(digest)
    if sharing == "organizers":
        assert "Only for the organizers" in shown(digest)
        assert publish_buttons(digest) == []
    else:
        assert publish_buttons(digest) == [(ids.WIN_PUBLISH, str(win.id))]

    listed = bot.slack.command("wins", user_id="UORGANIZER").json()
    named_list = bot.slack.command("wins digital pilot", user_id="UORGANIZER").json()
    assert json.dumps(listed).count(str(story)) == json.dumps(named_list).count(str(story))
    if sharing == "organizers":
        assert story not in json.dumps(listed, ensure_ascii=False)
        assert "No wins to share yet" in listed["text"]
    else:
        assert f"“{story}” — {CREDITS[sharing]}" in json.dumps(listed, ensure_ascii=False)
        assert block_kit_problems(listed, "message") == []

    bot.slack.block_action(ids.WIN_PUBLISH, user_id="UORGANIZER", value=str(win.id))
    if sharing == "organizers":
        [refused] = bot.fake.wait_for("response_url")
        assert "organizers only" in refused.params["text"]
        forged = publish(bot, win.id, "C0NEWS")  # a modal Slack never opened for it
        assert "organizers only" in forged["errors"]["channel"]
        assert len(bot.fake.calls_to("views.open")) == 1 and posts_to(bot, "C0NEWS") == []
        assert stored(bot)[0].published_channel is None
        return
    publish_modal = bot.fake.wait_for("views.open", 2)[-1].params["view"]
    assert block_kit_problems(publish_modal, "modal") == []
    picker = next(b for b in publish_modal["blocks"] if b.get("block_id") == "channel")
    assert picker["element"]["type"] == "conversations_select"
    assert picker["element"]["filter"]["include"] == ["public", "private"]
    done = publish(bot, win.id, "C0NEWS")
    assert done["response_action"] == "update" and "<#C0NEWS>" in json.dumps(done)
    [post] = posts_to(bot, "C0NEWS")
    assert block_kit_problems(post.params, "message") == []
    assert f"“{story}” — {CREDITS[sharing]}" in shown(post)
    published = stored(bot)[0]
    assert published.published_channel == "C0NEWS" and published.published_by == "UORGANIZER"
    assert published.published_ts == post.response["ts"]

    bot.slack.block_action(ids.WIN_PUBLISH, user_id="UORGANIZER", value=str(win.id))
    [again] = bot.fake.wait_for("response_url")
    assert "already published in <#C0NEWS> by <@UORGANIZER>" in again.params["text"]
    late = publish(bot, win.id, "C0OTHER")  # a second modal left open
    assert "already published in <#C0NEWS>" in json.dumps(late)
    assert len(posts_to(bot, "C0NEWS")) == 1 and posts_to(bot, "C0OTHER") == []

    if sharing == "anonymous":
        seen = showing(bot, story)
        kinds = {c.method for c in seen}
        assert {"views.open", "chat.postMessage"} <= kinds and len(seen) >= 4
        for call in seen:
            assert not NAMES.search(shown(call)), (call.method, shown(call))
        for reply in (listed, named_list, done, late):
            assert not NAMES.search(json.dumps(reply, ensure_ascii=False))


def test_organizers_only_is_never_listed_or_published_and_only_organizers_may_try(
    bot: RunningBot, pilot: dict[str, int]
) -> None:
    metadata = {"program_id": pilot["program"], "pairing_id": pilot["pairing"]}
    share(bot, "A private story for the organizers", "organizers", metadata)
    share(bot, "A story for everyone", "named", metadata)
    private, public = stored(bot)

    refused = bot.slack.command("wins", user_id="UANA").json()
    assert "Only program organizers" in refused["text"] and "story" not in json.dumps(refused)
    listed = json.dumps(bot.slack.command("wins", user_id="UORGANIZER").json())
    assert "A story for everyone" in listed and "private story" not in listed

    bot.slack.block_action(ids.WIN_PUBLISH, user_id="UANA", value=str(public.id))
    bot.slack.block_action(ids.WIN_PUBLISH, user_id="UORGANIZER", value=str(private.id))
    bot.slack.block_action(ids.WIN_PUBLISH, user_id="UORGANIZER", value="not-a-number")
    told = [c.params["text"] for c in bot.fake.wait_for("response_url", 3)]
    assert any("Only program organizers" in t for t in told)
    assert any("organizers only" in t for t in told)
    assert any("out of date" in t for t in told)
    assert (
        "Only program organizers"
        in publish(bot, public.id, "C0NEWS", user="UANA")["errors"]["channel"]
    )
    assert "organizers only" in publish(bot, private.id, "C0NEWS")["errors"]["channel"]
    assert "no longer exists" in publish(bot, 9999, "C0NEWS")["errors"]["channel"]
    assert bot.fake.calls_to("views.open") == [] and posts_to(bot, "C0NEWS") == []
    assert all(w.published_channel is None for w in stored(bot))


def test_the_digest_comes_once_a_week_to_each_organizer_per_program(
    bot: RunningBot, pilot: dict[str, int]
) -> None:
    with bot.services.sessions() as session:
        add_organizer(session, TEAM, "UORG2", added_by="UORGANIZER")
        session.commit()
    other = make_program(bot.services.sessions, "Sales Pilot", start_date=START.date())
    with bot.services.sessions() as session:
        session.add(
            Participant(
                team_id=TEAM, program_id=other.id, user_id="UANA", role=ParticipantRole.MENTOR
            )
        )
        session.commit()
    metadata = {"program_id": pilot["program"], "pairing_id": pilot["pairing"]}
    share(bot, "First win", "named", metadata)
    share(bot, "Second win", "anonymous", metadata)
    share(bot, "A sales win", "named", {"program_id": other.id})

    for when in (MONDAY_9, MONDAY_9 + timedelta(minutes=1), MONDAY_9 + timedelta(days=3)):
        tick_at(bot, when)
    for organizer in ("UORGANIZER", "UORG2"):
        digests = digests_to(bot, organizer)
        assert sorted(d.params["text"] for d in digests) == [
            "1 new win in Sales Pilot",
            "2 new wins in Digital Pilot",
        ]
    bot.services.clock.set(MONDAY_9 + timedelta(hours=2))
    share(bot, "A win after the digest", "named", metadata)
    tick_at(bot, MONDAY_9 + timedelta(days=6, hours=14))
    assert len(digests_to(bot, "UORGANIZER")) == 2  # it waits for next Monday
    tick_at(bot, MONDAY_9 + timedelta(days=7))
    latest = digests_to(bot, "UORGANIZER")[-1]
    assert latest.params["text"] == "1 new win in Digital Pilot"
    assert "A win after the digest" in shown(latest) and "First win" not in shown(latest)
    tick_at(bot, MONDAY_9 + timedelta(days=14))
    assert len(digests_to(bot, "UORGANIZER")) == 3  # a quiet week sends nothing


def test_what_people_type_is_made_inert_everywhere(bot: RunningBot, pilot: dict[str, int]) -> None:
    story = "<!channel> read <https://evil.example|this> & thank <@UEVE> *now*"
    share(bot, story, "named", {"program_id": pilot["program"], "pairing_id": pilot["pairing"]})
    [win] = stored(bot)
    assert win.text == story  # stored as typed, escaped wherever it is shown
    tick_at(bot, MONDAY_9)
    listed = bot.slack.command("wins", user_id="UORGANIZER").json()
    bot.slack.block_action(ids.WIN_PUBLISH, user_id="UORGANIZER", value=str(win.id))
    bot.fake.wait_for("views.open")
    publish(bot, win.id, "C0NEWS")
    seen = [*showing(bot, "evil.example"), *[c for c in posts_to(bot, "C0NEWS")]]
    assert len(seen) >= 3
    for text in [shown(c) for c in seen] + [json.dumps(listed)]:
        assert "<!channel>" not in text and "<@UEVE>" not in text and "<https://" not in text
        assert "&lt;!channel&gt;" in text and "&amp;" in text
    [post] = posts_to(bot, "C0NEWS")
    assert all(b["text"].get("verbatim") for b in post.params["blocks"][1:])


def test_a_story_too_long_or_without_a_sharing_choice_is_refused_on_its_field(
    bot: RunningBot, pilot: dict[str, int]
) -> None:
    metadata = {"program_id": pilot["program"], "pairing_id": pilot["pairing"]}
    too_long = share(bot, "x" * 2001, "named", metadata)
    assert too_long["response_action"] == "errors"
    assert "2,000 characters" in too_long["errors"]["text"]
    no_choice = share(bot, "A fine story", None, metadata)
    assert list(no_choice["errors"]) == ["sharing"]
    blank = share(bot, "   ", "named", metadata)
    assert "Tell us what happened" in blank["errors"]["text"]
    outsider = share(bot, "Not mine", "named", metadata, user="UEVE")
    assert "Only the people in this pairing" in outsider["errors"]["text"]
    assert stored(bot) == [] and bot.fake.calls_to("chat.postMessage") == []


def test_share_a_win_from_the_weekly_prompt_and_from_several_programs(
    bot: RunningBot, pilot: dict[str, int]
) -> None:
    tick_at(bot, MONDAY_9 + timedelta(minutes=30))  # the weekly prompt, 09:30 in UTC
    prompt = next(c for c in posts_to(bot, PAIR_CHANNEL) if c.params["text"].startswith("Week"))
    buttons = [e for b in prompt.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (ids.SHARE_WIN, str(pilot["pairing"])) in [(b["action_id"], b["value"]) for b in buttons]

    bot.slack.block_action(ids.SHARE_WIN, user_id="UEVE", value=str(pilot["pairing"]))
    [refused] = bot.fake.wait_for("response_url")
    assert "Only the people in this pairing" in refused.params["text"]
    bot.slack.block_action(ids.SHARE_WIN, user_id="UBEN", value=str(pilot["pairing"]))
    [opened] = bot.fake.wait_for("views.open")
    assert json.loads(opened.params["view"]["private_metadata"])["pairing_id"] == pilot["pairing"]

    nobody = bot.slack.command("win", user_id="UEVE").json()
    assert "Only people taking part in a program" in nobody["text"]
    other = make_program(bot.services.sessions, "Sales Pilot", start_date=START.date())
    with bot.services.sessions() as session:
        session.add(
            Participant(
                team_id=TEAM, program_id=other.id, user_id="UANA", role=ParticipantRole.MENTEE
            )
        )
        session.commit()
    bot.slack.command("win Thanks to <@UBEN|ben> I &amp; my team use Looker", user_id="UANA")
    modal = bot.fake.wait_for("views.open", 2)[-1].params["view"]
    assert json.loads(modal["private_metadata"]) == {}
    fields = {b.get("block_id"): b for b in modal["blocks"]}
    assert fields["text"]["element"]["initial_value"] == "Thanks to @ben I & my team use Looker"
    options = fields["program"]["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["Digital Pilot", "Sales Pilot"]
    nothing = {"program": {"program": {"type": "static_select", "selected_option": None}}}
    unchosen = share(bot, "A sales story", "named", {}, **nothing)
    assert "Choose the program" in unchosen["errors"]["program"]
    chosen = {
        "program": {
            "program": {"type": "static_select", "selected_option": {"value": str(other.id)}}
        }
    }
    assert share(bot, "A sales story", "named", {}, **chosen) == {}
    [win] = stored(bot)
    assert (win.program_id, win.pairing_id) == (other.id, None)


def test_a_channel_the_bot_is_not_in_and_long_lists(bot: RunningBot, pilot: dict[str, int]) -> None:
    with bot.services.sessions() as session:
        for number in range(25):
            wins.record(
                session,
                team_id=TEAM,
                user_id="UANA",
                program_id=pilot["program"],
                pairing_id=None,
                text=f"Win number {number} " + "é&" * 900,
                sharing="anonymous" if number % 2 else "named",
                now=START + timedelta(hours=number + 1),
            )
        session.commit()
    first = stored(bot)[0]
    bot.fake.fail("chat.postMessage", "not_in_channel")
    outside = publish(bot, first.id, "C0PRIVATE")
    assert "I'm not in that channel yet" in outside["errors"]["channel"]
    assert stored(bot)[0].published_channel is None  # the claim was released
    assert publish(bot, first.id, "C0PRIVATE")["response_action"] == "update"
    assert stored(bot)[0].published_channel == "C0PRIVATE"

    listed = bot.slack.command("wins Digital Pilot", user_id="UORGANIZER").json()
    assert block_kit_problems(listed, "message") == []
    assert "Win number 24" in json.dumps(listed) and "Win number 4 " not in json.dumps(listed)
    assert "The 20 newest of 25" in json.dumps(listed)
    unknown = bot.slack.command("wins Nowhere", user_id="UORGANIZER").json()
    assert "I can't find a program called “Nowhere”" in unknown["text"]

    tick_at(bot, MONDAY_9)
    [digest] = digests_to(bot, "UORGANIZER")  # the fake refuses blocks over Slack's limits
    assert digest.status == 200 and "And 5 more wins" in shown(digest)
