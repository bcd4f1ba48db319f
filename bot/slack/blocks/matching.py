"""The match proposal an organizer reviews, the swap modal, and the pair's introduction."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.matching.proposals import WAITLIST
from bot.matching.scoring import Weights
from bot.models import MatchProposal, Participant, ParticipantRole, Program
from bot.slack import ids
from bot.slack.blocks.common import (
    Block,
    button,
    context,
    escape,
    header,
    plural,
    section,
    truncate,
)

MAX_PAIRS_SHOWN = 20
MAX_UNMATCHED_SHOWN = 8

ROLE_NAMES = {ParticipantRole.MENTOR: "reverse mentor", ParticipantRole.MENTEE: "mentee"}
WEIGHT_NAMES = {
    "teach": "skills taught",
    "teach_back": "skills taught back",
    "hopes": "shared hopes",
    "direction": "reverse direction",
    "departments": "other department",
    "timezone": "shared hours",
    "formats": "meeting formats",
}


def _who(people: Mapping[int, Participant], ids_: Sequence[int]) -> str:
    return " + ".join(f"<@{people[i].user_id}>" for i in ids_ if i in people)


def proposal_message(
    program: Program,
    proposal: MatchProposal,
    people: Mapping[int, Participant],
    weights: Weights,
) -> tuple[str, list[Block]]:
    pairs, unmatched = proposal.pairs, proposal.unmatched
    total = sum(p["score"] for p in pairs)
    two_way = sum(1 for p in pairs if p.get("two_way"))
    share = f"{two_way * 100 // len(pairs)}%" if pairs else "no"
    summary = (
        f"{plural(len(pairs), 'pair')} · {len(unmatched)} unmatched · total score {total:.1f} · "
        f"{share} with skills taught both ways"
    )
    text = f"Proposed matching for {escape(program.name)}: {summary}"
    blocks: list[Block] = [
        header(truncate(f"Proposed matching: {program.name}", 150)),
        section(f"*{summary}*\nNobody is told anything until you approve."),
        context(
            "Score weights: "
            + ", ".join(f"{WEIGHT_NAMES[k]} {v:g}" for k, v in weights.as_dict().items())
        ),
    ]
    for index, pair in enumerate(pairs[:MAX_PAIRS_SHOWN]):
        line = section(
            f"{_who(people, pair['members'])} · score {pair['score']:.1f}\n"
            f"_{escape(truncate(pair['reason'], 2500))}_"
        )
        line["accessory"] = button("Drop", ids.MATCH_DROP, f"{proposal.id}:{index}")
        blocks.append(line)
    if len(pairs) > MAX_PAIRS_SHOWN:
        blocks.append(
            context(
                f"…and {len(pairs) - MAX_PAIRS_SHOWN} more pairs: every pair is in the CSV file."
            )
        )
    if unmatched:
        blocks.append(section("*Not matched* (choose what happens to each):"))
    for entry in unmatched[:MAX_UNMATCHED_SHOWN]:
        person = people.get(entry["participant"])
        if person is None:
            continue
        waiting = " · on the wait-list" if entry.get("choice") == WAITLIST else ""
        line = section(
            f"<@{person.user_id}> ({ROLE_NAMES[person.role]}){waiting}: {escape(entry['reason'])}"
        )
        line["accessory"] = _unmatched_menu(proposal.id, person)
        blocks.append(line)
    if len(unmatched) > MAX_UNMATCHED_SHOWN:
        blocks.append(context(f"…and {len(unmatched) - MAX_UNMATCHED_SHOWN} more: see the CSV."))
    approve = button("Approve and introduce", ids.MATCH_APPROVE, str(proposal.id), primary=True)
    approve["confirm"] = {
        "title": {"type": "plain_text", "text": "Introduce everyone?"},
        "text": {
            "type": "plain_text",
            "text": f"Each of the {plural(len(pairs), 'pair')} gets a group message introducing "
            "them. This cannot be undone.",
        },
        "confirm": {"type": "plain_text", "text": "Introduce them"},
        "deny": {"type": "plain_text", "text": "Not yet"},
    }
    blocks.append(
        {
            "type": "actions",
            "block_id": f"proposal_{proposal.id}",
            "elements": [
                approve,
                button("Swap two people", ids.MATCH_SWAP_OPEN, str(proposal.id)),
                button("Re-run", ids.MATCH_RERUN, str(proposal.program_id)),
                button("Adjust weights", ids.MATCH_WEIGHTS_OPEN, str(proposal.program_id)),
            ],
        }
    )
    return text, blocks


def _unmatched_menu(proposal_id: int, person: Participant) -> dict[str, Any]:
    choices = [("trio", "Add to a pair as a trio")]
    if person.role is ParticipantRole.MENTEE:
        choices.append(("second", "Ask a mentor to take two"))
    choices.append((WAITLIST, "Wait for late joiners"))
    return {
        "type": "overflow",
        "action_id": ids.MATCH_UNMATCHED_MENU,
        "options": [
            {
                "text": {"type": "plain_text", "text": label},
                "value": f"{proposal_id}:{person.id}:{choice}",
            }
            for choice, label in choices
        ],
    }


def approved_message(program: Program, count: int) -> tuple[str, list[Block]]:
    text = (
        f"Approved: {plural(count, 'pair')} of {escape(program.name)} are being introduced in "
        "group messages now."
    )
    return text, [section(f"✅ {text}")]


def proposal_csv(proposal: MatchProposal, people: Mapping[int, Participant]) -> str:
    """Every pair and every unmatched person, for organizers to read in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["pair", "reverse mentor", "mentee(s)", "score", "why", "unmatched reason"])
    for index, pair in enumerate(proposal.pairs, start=1):
        members = [people[m] for m in pair["members"] if m in people]
        mentors = [m.display_name or m.user_id for m in members if m.role is ParticipantRole.MENTOR]
        mentees = [m.display_name or m.user_id for m in members if m.role is ParticipantRole.MENTEE]
        writer.writerow(
            [index, "; ".join(mentors), "; ".join(mentees), pair["score"], pair["reason"], ""]
        )
    for entry in proposal.unmatched:
        person = people.get(entry["participant"])
        if person is not None:
            name = person.display_name or person.user_id
            mentor = name if person.role is ParticipantRole.MENTOR else ""
            mentee = name if person.role is ParticipantRole.MENTEE else ""
            writer.writerow(["", mentor, mentee, "", "", entry["reason"]])
    return out.getvalue()


def swap_modal(proposal_id: int) -> dict[str, Any]:
    def picker(block_id: str, label: str) -> Block:
        return {
            "type": "input",
            "block_id": block_id,
            "label": {"type": "plain_text", "text": label},
            "element": {"type": "users_select", "action_id": block_id},
        }

    return {
        "type": "modal",
        "callback_id": ids.MATCH_SWAP_MODAL,
        "private_metadata": json.dumps({"proposal_id": proposal_id}),
        "title": {"type": "plain_text", "text": "Swap partners"},
        "submit": {"type": "plain_text", "text": "Swap"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section("Pick two reverse mentors (or two mentees): each takes the other's partner."),
            picker("first", "First person"),
            picker("second", "Second person"),
        ],
    }


def introduction(
    program: Program,
    members: Sequence[Participant],
    topics: Sequence[str],
    pairing_id: int,
) -> tuple[str, list[Block]]:
    """The warm introduction in the pair's group conversation."""
    mentors = [m for m in members if m.role is ParticipantRole.MENTOR]
    mentees = [m for m in members if m.role is ParticipantRole.MENTEE]
    everyone = " and ".join(f"<@{m.user_id}>" for m in members)
    lines = []
    for person in [*mentors, *mentees]:
        skills = ", ".join(escape(s) for s in person.skills_offered[:4]) or "their experience"
        role = (
            "the reverse mentor, sharing new tools and trends"
            if person.role is ParticipantRole.MENTOR
            else "the mentee, sharing how the business works"
        )
        lines.append(f"• <@{person.user_id}> is {role}: can teach {skills}.")
    target = program.meeting_target_minutes
    rhythm = (
        f"Aim for about {target} minutes together a week: coffee, lunch, a walk or a video call."
        if target
        else "Meet as often as suits you both: coffee, lunch, a walk or a video call."
    )
    text = f"Meet your reverse mentoring partner: {everyone}"
    blocks: list[Block] = [
        header("Meet your reverse mentoring partner"),
        section(
            f"Hello {everyone}! You are matched in *{escape(program.name)}*, a program about "
            f"*{escape(program.business_need.lower() or 'learning from each other')}*. "
            "Both of you teach and both of you learn."
        ),
        section("\n".join(lines)),
        section(rhythm),
        section(
            "*Ideas for your first conversation*\n"
            + "\n".join(f"• {escape(t)}" for t in topics)  # they quote skills and the need
        ),
        {
            "type": "actions",
            "block_id": f"intro_{pairing_id}",
            "elements": [
                button("Schedule a coffee", ids.SCHEDULE_COFFEE, str(pairing_id), primary=True)
            ],
        },
        context(
            "What you say to each other stays between you. Check-in answers you mark private "
            "go only to the organizers."
        ),
    ]
    return text, blocks


def repaired_note(program: Program) -> tuple[str, list[Block]]:
    text = (
        f"A change in {program.name}: your pairing has ended so that each of you can get a new "
        "partner. This happens in good programs and says nothing about either of you. The "
        "organizers will introduce you to someone new soon. Thank you for the time you shared!"
    )
    return text, [section(escape(text))]


def weights_modal(program_id: int, weights: Weights, allow_repeats: bool) -> dict[str, Any]:
    """The organizer tunes what counts in a good pair for this program, then matching re-runs."""
    blocks: list[Block] = [
        section("Points for each part of a pair's score. 0 switches a part off.")
    ]
    for name, value in weights.as_dict().items():
        blocks.append(
            {
                "type": "input",
                "block_id": name,
                "label": {"type": "plain_text", "text": WEIGHT_NAMES[name].capitalize()},
                "element": {
                    "type": "number_input",
                    "action_id": name,
                    "is_decimal_allowed": True,
                    "initial_value": f"{value:g}",
                    "min_value": "0",
                    "max_value": "100",
                },
            }
        )
    repeats: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": "allow_repeats",
        "options": [
            {
                "text": {"type": "plain_text", "text": "Previous partners may be paired again"},
                "value": "yes",
            }
        ],
    }
    if allow_repeats:
        repeats["initial_options"] = repeats["options"]
    blocks.append(
        {
            "type": "input",
            "block_id": "allow_repeats",
            "optional": True,
            "label": {"type": "plain_text", "text": "Repeats"},
            "element": repeats,
        }
    )
    return {
        "type": "modal",
        "callback_id": ids.MATCH_WEIGHTS_MODAL,
        "private_metadata": json.dumps({"program_id": program_id}),
        "title": {"type": "plain_text", "text": "Matching weights"},
        "submit": {"type": "plain_text", "text": "Save and re-run"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
