"""Why two people were matched, in one line of plain words an organizer can check."""

from __future__ import annotations

from bot.matching.scoring import Candidate, PairScore


def _list(items: tuple[str, ...], limit: int = 3) -> str:
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def reason(mentor: Candidate, mentee: Candidate, score: PairScore) -> str:
    if score.excluded:
        return f"Not allowed: {score.excluded}."
    parts = []
    if score.taught:
        parts.append(f"{mentor.name} can teach {_list(score.taught)}, which {mentee.name} wants")
    if score.taught_back:
        parts.append(
            f"{mentee.name} can teach {_list(score.taught_back)}, which {mentor.name} wants"
        )
    if score.shared_hopes:
        parts.append(f"both hope for {_list(score.shared_hopes)}")
    if score.reverse_direction:
        parts.append(f"{mentor.name} is earlier in their career")
    if score.different_departments:
        parts.append("different departments")
    if score.shared_hours >= 1:
        hours = round(score.shared_hours)
        parts.append(f"{hours} h of shared working hours")
    else:
        parts.append("no shared working hours")
    if score.shared_formats:
        parts.append(f"both like {_list(score.shared_formats)}")
    if not score.taught and not score.taught_back:
        parts.insert(0, "no skills in common yet")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]
