"""Matching end to end: propose, review, edit, approve once, introductions, re-pairing."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from bot.models import (
    CareerStage,
    MatchProposal,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantRole,
    ProgramFormat,
    ProposalStatus,
)
from bot.slack import ids
from tests.conftest import TEAM, RunningBot
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems
from tests.support.waiting import eventually

MENTOR, MENTEE = ParticipantRole.MENTOR, ParticipantRole.MENTEE


def enrol(bot: RunningBot, program, user: str, role, offers=(), wants=(), **kw) -> Participant:
    bot.fake.add_user(user, name=user.lower())
    with bot.services.sessions() as session:
        participant = Participant(
            team_id=TEAM,
            program_id=program.id,
            user_id=user,
            display_name=user[1:].title(),
            role=role,
            skills_offered=list(offers),
            skills_wanted=list(wants),
            consent=True,
            **kw,
        )
        session.add(participant)
        session.commit()
        return participant


def small_pool(bot: RunningBot, **program_fields):
    program = make_program(bot.services.sessions, "Digital Pilot", **program_fields)
    people = {
        "ana": enrol(
            bot, program, "UANA", MENTOR, ["TikTok"], ["Budgeting"], career_stage=CareerStage.EARLY
        ),
        "kim": enrol(bot, program, "UKIM", MENTOR, ["Excel"], ["Golf"]),
        "ben": enrol(
            bot,
            program,
            "UBEN",
            MENTEE,
            ["Budgeting"],
            ["TikTok"],
            career_stage=CareerStage.EXECUTIVE,
        ),
        "cho": enrol(bot, program, "UCHO", MENTEE, ["Golf"], ["Excel"]),
    }
    return program, people


def proposal_dm(bot: RunningBot, count: int = 1):
    dms = [
        c
        for c in bot.fake.wait_for("chat.postMessage", count)
        if c.params["channel"] == "UORGANIZER"
    ]
    call = dms[-1]
    assert block_kit_problems(call.params, "message") == []
    return call


def latest_proposal(bot: RunningBot) -> MatchProposal:
    with bot.services.sessions() as session:
        return session.scalars(sa.select(MatchProposal).order_by(MatchProposal.id.desc())).first()


def posted_proposal(bot: RunningBot) -> MatchProposal:
    """The newest proposal, once the bot has recorded where its message is (to edit it)."""
    return eventually(
        lambda: (p := latest_proposal(bot)) and p.message_ts and p, what="the proposal message"
    )


def pairings(bot: RunningBot) -> list[Pairing]:
    with bot.services.sessions() as session:
        return list(session.scalars(sa.select(Pairing).order_by(Pairing.id)))


def test_propose_then_approve_introduces_each_pair_once(bot: RunningBot) -> None:
    small_pool(bot)

    reply = bot.slack.command("match", user_id="UORGANIZER").json()
    assert "Working out the best matching for *Digital Pilot*" in reply["text"]
    dm = proposal_dm(bot)
    shown = json.dumps(dm.params["blocks"])
    assert "2 pairs · 0 unmatched" in dm.params["text"]
    assert (
        "Ana can teach TikTok, which Ben wants; Ben can teach Budgeting, which Ana wants" in shown
    )
    assert pairings(bot) == []  # nobody is told before approval
    proposal = posted_proposal(bot)
    assert proposal.message_ts == dm.response["ts"]

    bot.slack.block_action(ids.MATCH_APPROVE, user_id="UORGANIZER", value=str(proposal.id))
    bot.fake.wait_for("chat.update")
    intros = [
        c
        for c in bot.fake.wait_for("chat.postMessage", 3)
        if "Meet your reverse mentoring partner" in c.params.get("text", "")
    ]
    assert len(intros) == 2
    opened = sorted(c.params["users"] for c in bot.fake.calls_to("conversations.open"))
    assert opened == ["UANA,UBEN", "UKIM,UCHO"]
    ana_ben = next(c for c in intros if "<@UANA>" in c.params["text"])
    text = json.dumps(ana_ben.params["blocks"])
    assert "<@UANA> is the reverse mentor" in text and "<@UBEN> is the mentee" in text
    assert "60 minutes together a week" in text
    assert ids.SCHEDULE_COFFEE in text
    assert "show TikTok in action" in text  # a first topic each way
    created = pairings(bot)
    assert [p.status for p in created] == [PairingStatus.ACTIVE] * 2
    recorded = eventually(
        lambda: all(p.channel_id for p in pairings(bot)) and pairings(bot),
        what="each pair's conversation to be recorded",
    )
    assert all(p.channel_id.startswith("G") for p in recorded)
    assert "Approved: 2 pairs" in bot.fake.calls_to("chat.update")[-1].params["text"]

    again = bot.slack.block_action(ids.MATCH_APPROVE, user_id="UORGANIZER", value=str(proposal.id))
    assert again.status == 200
    told = bot.fake.wait_for("response_url")[-1]
    assert "already approved" in told.params["text"]
    assert len(pairings(bot)) == 2
    intro_count = sum(
        "Meet your reverse" in c.params.get("text", "")
        for c in bot.fake.calls_to("chat.postMessage")
    )
    assert intro_count == 2


def test_a_participant_cannot_approve_and_nothing_happens(bot: RunningBot) -> None:
    small_pool(bot)
    bot.slack.command("match", user_id="UORGANIZER")
    proposal_dm(bot)
    proposal = posted_proposal(bot)

    bot.slack.block_action(ids.MATCH_APPROVE, user_id="UANA", value=str(proposal.id))
    [told] = bot.fake.wait_for("response_url")
    assert "Only program organizers" in told.params["text"]
    assert pairings(bot) == []
    assert latest_proposal(bot).status is ProposalStatus.OPEN
    refused = bot.slack.command("match", user_id="UANA").json()
    assert "Only program organizers" in refused["text"]


def test_approving_a_stale_proposal_is_refused(bot: RunningBot) -> None:
    program, _ = small_pool(bot)
    bot.slack.command("match", user_id="UORGANIZER")
    proposal_dm(bot)
    enrol(bot, program, "ULATE", MENTEE)  # joins after the proposal

    bot.slack.block_action(
        ids.MATCH_APPROVE, user_id="UORGANIZER", value=str(posted_proposal(bot).id)
    )
    [told] = bot.fake.wait_for("response_url")
    assert "Someone joined or left" in told.params["text"]
    assert pairings(bot) == []


def test_too_few_people_get_a_clear_message(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Digital Pilot")
    enrol(bot, program, "UANA", MENTOR)
    bot.slack.command("match Digital Pilot", user_id="UORGANIZER")
    dm = proposal_dm(bot)
    assert "not enough people to match" in dm.params["text"]
    assert latest_proposal(bot) is None


def test_drop_and_swap_edit_the_proposal_in_place(bot: RunningBot) -> None:
    small_pool(bot)
    bot.slack.command("match", user_id="UORGANIZER")
    proposal_dm(bot)
    proposal = posted_proposal(bot)

    bad = bot.slack.view_submission(
        ids.MATCH_SWAP_MODAL,
        {
            "first": {"first": {"type": "users_select", "selected_user": "UBEN"}},
            "second": {"second": {"type": "users_select", "selected_user": "UBEN"}},
        },
        user_id="UORGANIZER",
        private_metadata=json.dumps({"proposal_id": proposal.id}),
    ).json()
    assert "two different people" in bad["errors"]["first"]

    bot.slack.view_submission(
        ids.MATCH_SWAP_MODAL,
        {
            "first": {"first": {"type": "users_select", "selected_user": "UBEN"}},
            "second": {"second": {"type": "users_select", "selected_user": "UCHO"}},
        },
        user_id="UORGANIZER",
        private_metadata=json.dumps({"proposal_id": proposal.id}),
    )
    bot.fake.wait_for("chat.update")
    members = sorted(tuple(p["members"]) for p in latest_proposal(bot).pairs)
    with bot.services.sessions() as session:
        users = {p.id: p.user_id for p in session.scalars(sa.select(Participant))}
    assert sorted(tuple(users[m] for m in pair) for pair in members) == [
        ("UANA", "UCHO"),
        ("UKIM", "UBEN"),
    ]

    bot.slack.block_action(ids.MATCH_DROP, user_id="UORGANIZER", value=f"{proposal.id}:0")
    updated = bot.fake.wait_for("chat.update", 2)[-1]
    assert "1 pair · 2 unmatched" in updated.params["text"]
    assert "dropped by the organizer" in json.dumps(updated.params["blocks"])


def test_repairing_ends_kindly_and_never_rematches_old_partners(bot: RunningBot) -> None:
    small_pool(bot)
    bot.slack.command("match", user_id="UORGANIZER")
    proposal_dm(bot)
    bot.slack.block_action(
        ids.MATCH_APPROVE, user_id="UORGANIZER", value=str(posted_proposal(bot).id)
    )
    bot.fake.wait_for("chat.update")
    sent = len(bot.fake.wait_for("chat.postMessage", 3))

    reply = bot.slack.command(
        "repair <@UANA|ana> a clash of schedules", user_id="UORGANIZER"
    ).json()

    assert "has ended; both were told kindly" in reply["text"]
    notes = [
        c
        for c in bot.fake.wait_for("chat.postMessage", sent + 2)[sent:]
        if "says nothing about either of you" in c.params["text"]
    ]
    assert sorted(c.params["channel"] for c in notes) == ["UANA", "UBEN"]
    ended = [p for p in pairings(bot) if p.status is PairingStatus.REPAIRED]
    assert len(ended) == 1 and ended[0].end_reason == "a clash of schedules"

    run_again = reply["blocks"][1]["elements"][0]
    bot.slack.block_action(ids.MATCH_RUN, user_id="UORGANIZER", value=run_again["value"])
    proposal = eventually(
        lambda: (p := latest_proposal(bot)) and p.status is ProposalStatus.OPEN and p,
        what="the new proposal",
    )
    assert proposal.pairs == []  # Ana and Ben may not be matched again
    assert len(proposal.unmatched) == 2


def test_a_large_pool_is_summarised_with_the_full_list_as_csv(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Big Program")
    for n in range(30):
        enrol(bot, program, f"UM{n:02d}", MENTOR, ["TikTok"], ["Strategy"])
        enrol(bot, program, f"UE{n:02d}", MENTEE, ["Strategy"], ["TikTok"])
    enrol(bot, program, "UEXTRA", MENTEE)

    bot.slack.command("match", user_id="UORGANIZER")
    dm = proposal_dm(bot)
    assert len(dm.params["blocks"]) <= 50
    assert "…and 10 more pairs" in json.dumps(dm.params["blocks"], ensure_ascii=False)
    bot.fake.wait_for("files.completeUploadExternal")
    [upload] = bot.fake.files.values()
    rows = list(csv.reader(io.StringIO(upload["content"].decode())))
    assert len(rows) == 1 + 30 + 1  # header, every pair, the one left over
    assert "more people than places" in rows[-1][-1]


def test_small_groups_are_introduced_together(bot: RunningBot) -> None:
    program = make_program(bot.services.sessions, "Circles", format="group", group_size=3)
    enrol(bot, program, "UANA", MENTOR, ["TikTok"], ["Budgeting"])
    enrol(bot, program, "UBEN", MENTEE, ["Budgeting"], ["TikTok"])
    enrol(bot, program, "UCHO", MENTEE, ["Golf"], ["TikTok"])
    assert program.format is ProgramFormat.GROUP

    bot.slack.command("match", user_id="UORGANIZER")
    proposal_dm(bot)
    bot.slack.block_action(
        ids.MATCH_APPROVE, user_id="UORGANIZER", value=str(posted_proposal(bot).id)
    )
    bot.fake.wait_for("conversations.open")
    assert bot.fake.calls_to("conversations.open")[0].params["users"] == "UANA,UBEN,UCHO"


def test_an_organizer_adjusts_the_weights_and_the_matching_re_runs(bot: RunningBot) -> None:
    program, _ = small_pool(bot)
    bot.slack.command("match", user_id="UORGANIZER")
    first = proposal_dm(bot)
    assert "skills taught back 3" in json.dumps(first.params["blocks"])

    bot.slack.block_action(ids.MATCH_WEIGHTS_OPEN, user_id="UORGANIZER", value=str(program.id))
    modal = bot.fake.wait_for("views.open")[-1].params["view"]
    assert block_kit_problems(modal, "modal") == []

    def values(**changes: str) -> dict:
        numbers = {
            name: changes.get(name, "1")
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
        out = {n: {n: {"type": "number_input", "value": v}} for n, v in numbers.items()}
        out["allow_repeats"] = {
            "allow_repeats": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
        }
        return out

    metadata = modal["private_metadata"]
    refused = bot.slack.view_submission(
        ids.MATCH_WEIGHTS_MODAL, values(), user_id="UANA", private_metadata=metadata
    ).json()
    assert "Only program organizers" in refused["errors"]["teach"]
    bad = bot.slack.view_submission(
        ids.MATCH_WEIGHTS_MODAL, values(teach="-2"), user_id="UORGANIZER", private_metadata=metadata
    ).json()
    assert "from 0 to 100" in bad["errors"]["teach"]

    bot.slack.view_submission(
        ids.MATCH_WEIGHTS_MODAL,
        values(teach_back="10", formats="0"),
        user_id="UORGANIZER",
        private_metadata=metadata,
    )
    second = proposal_dm(bot, 2)
    assert "skills taught back 10" in json.dumps(second.params["blocks"])
    with bot.services.sessions() as session:
        settings = session.get(type(program), program.id).settings
    assert settings["matching_weights"]["teach_back"] == 10
    assert settings["allow_repeats"] is True


def test_with_several_programs_match_offers_one_button_each(bot: RunningBot) -> None:
    first = make_program(bot.services.sessions, "Pilot A")
    make_program(bot.services.sessions, "Pilot B")
    enrol(bot, first, "UANA", MENTOR, ["TikTok"], ["Budgeting"])
    enrol(bot, first, "UBEN", MENTEE, ["Budgeting"], ["TikTok"])
    reply = bot.slack.command("match", user_id="UORGANIZER").json()
    assert block_kit_problems(reply, "message") == []
    [pick_a, _] = reply["blocks"][1]["elements"]
    bot.slack.block_action(pick_a["action_id"], user_id="UORGANIZER", value=pick_a["value"])
    dm = proposal_dm(bot)
    assert "Proposed matching for Pilot A" in dm.params["text"]
