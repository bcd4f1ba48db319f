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
