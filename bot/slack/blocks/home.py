"""The App Home tab."""

from __future__ import annotations

from bot.slack.blocks.common import Block, context, divider, header, section


def welcome_home(*, is_organizer: bool) -> dict[str, object]:
    """What everyone sees before they join a program."""
    blocks: list[Block] = [
        header("Reverse mentoring"),
        section(
            "Here, early-career colleagues share what they know about new tools, social media "
            "and younger customers, and senior colleagues share how the business really works: "
            "strategy, company history, how decisions get made. *Both sides teach, both sides "
            "learn.*"
        ),
        section(
            "I take care of the logistics: matching you with a partner, booking coffee "
            "meetings, short check-ins, and telling the story of what you achieved."
        ),
        divider(),
        context("Type `/mentoring help` in any channel to see what you can do."),
    ]
    if is_organizer:
        blocks.insert(
            3, section("*You are an organizer.* Type `/mentoring help` to see your commands.")
        )
    return {"type": "home", "blocks": blocks}
