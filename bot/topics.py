"""Conversation starters that go both ways: the junior shows something new, the senior shares
how the business works."""

from __future__ import annotations

SENIOR_STARTERS = (
    "the story of a decision that shaped the company",
    "how a big decision really gets made here",
    "what the industry looked like ten years ago, and what changed",
)


def first_topics(
    business_need: str, taught: tuple[str, ...], taught_back: tuple[str, ...]
) -> list[str]:
    """Two first-meeting topics: one each way."""
    junior = (
        f"show {taught[0]} in action, and talk about why it matters for {business_need.lower()}"
        if taught
        else f"share one tool or trend you use every day that matters for {business_need.lower()}"
    )
    senior = (
        f"share how {taught_back[0].lower()} works in practice here"
        if taught_back
        else f"share {SENIOR_STARTERS[0]}"
    )
    return [f"The reverse mentor could {junior}.", f"The mentee could {senior}."]


JUNIOR_TOPICS = (
    "show how you use {skill} day to day, and let your partner try it",
    "walk through a trend in {skill} that surprised you this year",
    "show a piece of content that works with younger customers, and why",
    "set up one tool together that would save your partner time",
    "share how people your age find, judge and share information",
)
SENIOR_TOPICS = (
    "share the story of a decision that shaped the company",
    "explain how {skill} really works here, with an example",
    "talk through how a budget or a priority gets decided",
    "share a mistake from your career and what it taught you",
    "map the organization together: who decides what, and who to ask",
)


def weekly_topic(
    business_need: str, taught: tuple[str, ...], taught_back: tuple[str, ...], week: int, seed: int
) -> str:
    """A topic for week `week`: odd weeks the junior shows something, even weeks the senior
    shares something, so two weeks in a row never repeat one."""
    junior_turn = week % 2 == 1
    topics = JUNIOR_TOPICS if junior_turn else SENIOR_TOPICS
    skills = taught if junior_turn else taught_back
    template = topics[(seed + week // 2) % len(topics)]
    skill = skills[(week // 2) % len(skills)] if skills else (business_need or "your field")
    who = "The reverse mentor could" if junior_turn else "The mentee could"
    return f"{who} {template.format(skill=skill.lower())}."
