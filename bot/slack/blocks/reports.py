"""The program report in words: the summary an organizer reads in Slack, and Run again.

Pure functions of `bot.reports.Report`. Everything typed by people (departments, skills,
survey answers, wins) is escaped and cut short; the full detail is in the chart and the CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models import (
    FlagReason,
    MeetingStatus,
    PairingStatus,
    ParticipantRole,
    Program,
    SurveyKind,
    WinSharing,
)
from bot.reports import Report, Survey
from bot.slack import ids
from bot.slack.blocks.common import (
    Block,
    button,
    context,
    divider,
    escape,
    header,
    plural,
    section,
    truncate,
)

# The program-picking buttons of `/mentoring report` when several programs exist.
REPORT_PROGRAM = "report_program"  # action ids "report_program:<id>", value: program id
DEPARTMENTS_SHOWN = 8
RECENT_WEEKS = 4
QUOTE_LENGTH = 200
SKILL_LENGTH = 60

FLAG_REASONS = {
    FlagReason.NO_MEETING: "no meeting for a while",
    FlagReason.UNANSWERED_CHECKINS: "unanswered check-ins",
    FlagReason.LOW_MOOD: "low mood",
    FlagReason.DECLINED_MEETINGS: "declined meetings",
    FlagReason.MEMBER_LEFT: "someone left",
    FlagReason.REPORTED_CLASH: "a reported clash",
    FlagReason.DELIVERY_FAILED: "a message that could not be delivered",
}
OUTCOMES = {
    "open": "still open",
    "resolved": "recovered by themselves",
    "resolved_after_action": "recovered after an organizer stepped in",
    "nudged_again": "nudged again by an organizer",
    "suggested_repairing": "re-paired",
    "paused": "paused",
    "dismissed": "dismissed",
    "acted": "handled by an organizer",
}
SURVEYS = {
    SurveyKind.START: ("Start survey", {"learn": "hope to learn", "teach": "hope to teach"}),
    SurveyKind.MIDDLE: ("Middle survey", {"going": "how it is going", "help": "what would help"}),
    SurveyKind.END: ("End survey", {"learned": "learned", "taught": "taught"}),
}
ROLE_WORDS = {ParticipantRole.MENTOR: "reverse mentor", ParticipantRole.MENTEE: "mentee"}


def hours(minutes: int) -> str:
    """90 -> "1 h 30 min"; 60 -> "1 h"; 45 -> "45 min"."""
    whole, rest = divmod(max(minutes, 0), 60)
    if not whole:
        return f"{rest} min"
    return f"{whole:,} h {rest} min" if rest else f"{whole:,} h"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "n/a"


def report_message(report: Report) -> tuple[str, list[Block]]:
    """The summary DM: a section per topic, then the Run again button."""
    name = escape(report.program_name)
    current = report.weeks[-1].number if report.weeks else 0
    when = f"week {current} of {report.length_weeks}" if current else "not started yet"
    day = report.starts
    start = f"from {day.day} {day:%b %Y}" if day else "no start date yet"
    blocks: list[Block] = [
        header(f"Report: {report.program_name}"),
        context(
            f"{report.status.value.title()} · {when} · {start} · "
            f"target {report.target_minutes} min a week per pair"
        ),
        section(_enrolment(report)),
        section(_pairings(report)),
        section(_meetings(report)),
        section(_checkins(report)),
        *(section(text) for text in _surveys(report)),
        section(_skills(report)),
        section(_wins(report)),
        section(_flags(report)),
        divider(),
        context(
            ("The chart and a CSV" if report.weeks else "A CSV")
            + " of every pairing, meeting and check-in "
            + ("follow" if report.weeks else "follows")
            + ". The CSV holds private check-in comments: keep it among organizers."
        ),
        {
            "type": "actions",
            "block_id": "report_actions",
            "elements": [button("Run again", ids.RUN_AGAIN, str(report.program_id), primary=True)],
        },
        context("*Run again* copies this program's settings into a new draft: the next cohort."),
    ]
    held = report.meetings_held
    live = report.pairings.get(PairingStatus.ACTIVE, 0) + report.pairings.get(
        PairingStatus.PAUSED, 0
    )
    text = (
        f"Report for {name}: {plural(live, 'live pair')}, {plural(held, 'meeting')} held, "
        f"check-in response rate {percent(report.checkins_answered, report.checkins_sent)}."
    )
    return text, blocks


def _enrolment(report: Report) -> str:
    roles = report.by_role
    total = sum(roles.values())
    lines = [
        f"*Enrolment* · {plural(total, 'person', 'people')}: "
        f"{plural(roles[ParticipantRole.MENTOR], 'reverse mentor')} and "
        f"{plural(roles[ParticipantRole.MENTEE], 'mentee')}"
        + (f" ({report.left} left)" if report.left else "")
    ]
    departments = report.by_department
    for department, count in departments[:DEPARTMENTS_SHOWN]:
        split = ", ".join(
            plural(report.enrolment.get((role, department), 0), word)
            for role, word in ROLE_WORDS.items()
            if report.enrolment.get((role, department), 0)
        )
        label = escape(truncate(department, 60)) if department else "_no department_"
        lines.append(f"• {label}: {count} ({split})")
    if len(departments) > DEPARTMENTS_SHOWN:
        rest = sum(count for _, count in departments[DEPARTMENTS_SHOWN:])
        lines.append(f"• {len(departments) - DEPARTMENTS_SHOWN} more departments: {rest}")
    return "\n".join(lines)


def _pairings(report: Report) -> str:
    if not report.pairings:
        return "*Pairings* · none yet"
    parts = [
        f"{report.pairings[status]} {status.value}"
        for status in PairingStatus
        if report.pairings.get(status)
    ]
    return f"*Pairings* · {sum(report.pairings.values())}: " + ", ".join(parts)


def _meetings(report: Report) -> str:
    held = report.meetings_held
    others = ", ".join(
        f"{report.meetings[status]} {status.value}"
        for status in (MeetingStatus.MISSED, MeetingStatus.CANCELLED, MeetingStatus.DECLINED)
        if report.meetings.get(status)
    )
    lines = [
        f"*Meetings* · {plural(held, 'meeting')} held, {hours(report.minutes_held)} in all"
        + (f" ({others})" if others else "")
    ]
    if report.weeks:
        met = sum(week.minutes for week in report.weeks)
        lines.append(
            f"In the program's weeks: {hours(met)} of a {hours(report.target_so_far)} target "
            f"({percent(met, report.target_so_far)})"
        )
        for week in report.weeks[-RECENT_WEEKS:]:
            lines.append(
                f"• Week {week.number}: {plural(week.meetings, 'meeting')}, {hours(week.minutes)}"
                f" of {hours(week.target_minutes)} "
                f"({plural(week.live_pairings, 'live pair')})"
            )
    return "\n".join(lines)


def _checkins(report: Report) -> str:
    if not report.checkins_sent:
        return "*Check-ins* · none sent yet"
    lines = [
        f"*Check-ins* · {report.checkins_answered} of {report.checkins_sent} answered "
        f"({percent(report.checkins_answered, report.checkins_sent)})"
    ]
    moods = [(week.number, week.mood) for week in report.weeks if week.mood is not None]
    if moods:
        trend = " → ".join(f"{mood:.1f} (week {number})" for number, mood in moods[-RECENT_WEEKS:])
        lines.append(f"Average mood out of 5: {trend}")
    if report.checkin_comments:
        lines.append(
            f"{plural(report.checkin_comments, 'comment')}, {report.private_comments} of them "
            "private to organizers (in the CSV)"
        )
    return "\n".join(lines)


def _surveys(report: Report) -> list[str]:
    """One section per survey, so quoted answers never push a section over Slack's limit."""
    texts = []
    for kind, (title, questions) in SURVEYS.items():
        survey = report.surveys.get(kind)
        heading = "*Surveys*\n" if kind is SurveyKind.START else ""
        if survey is None or not survey.sent:
            texts.append(f"{heading}• {title}: not sent yet")
            continue
        lines = [
            f"{heading}• {title}: {survey.answered} of {survey.sent} answered "
            f"({percent(survey.answered, survey.sent)}){_score(survey)}"
        ]
        for key, label in questions.items():
            quotes = survey.quotes.get(key) or []
            if quotes:
                said = "; ".join(f"“{escape(truncate(q, QUOTE_LENGTH))}”" for q in quotes)
                lines.append(f"   _{label}_: {said}")
        texts.append("\n".join(lines))
    return texts


def _score(survey: Survey) -> str:
    if survey.average_score is None:
        return ""
    return (
        f"; would recommend it {survey.average_score:.1f}/10 on average "
        f"(net promoter score {survey.net_promoter:+d})"
    )


def _skills(report: Report) -> str:
    def listed(skills: Sequence[tuple[str, int]]) -> str:
        if not skills:
            return "none matched yet"
        return ", ".join(
            f"{escape(truncate(skill, SKILL_LENGTH))} ({plural(n, 'pair')})" for skill, n in skills
        )

    return (
        "*Skills exchanged most*\n"
        f"• Reverse mentors taught: {listed(report.skills_taught)}\n"
        f"• Mentees taught back: {listed(report.skills_taught_back)}"
    )


def _wins(report: Report) -> str:
    total = sum(report.wins.values())
    if not total:
        return "*Wins* · none shared yet"
    private = report.wins.get(WinSharing.ORGANIZERS, 0)
    lines = [
        f"*Wins* · {total} told, {report.wins_published} published"
        + (f", {private} for organizers only" if private else "")
    ]
    lines += [f"• “{escape(truncate(text, QUOTE_LENGTH))}”" for text in report.recent_wins]
    return "\n".join(lines)


def _flags(report: Report) -> str:
    total = sum(report.flags.values())
    if not total:
        return "*Flags* · none raised"
    by_reason: dict[FlagReason, list[str]] = {}
    for (reason, outcome), count in sorted(
        report.flags.items(), key=lambda item: (-item[1], item[0][0].value, item[0][1])
    ):
        by_reason.setdefault(reason, []).append(f"{count} {OUTCOMES.get(outcome, outcome)}")
    lines = [f"*Flags* · {total}, {report.flags_raised} of them reached organizers"]
    lines += [
        f"• {FLAG_REASONS.get(reason, reason.value).capitalize()}: {', '.join(outcomes)}"
        for reason, outcomes in by_reason.items()
    ]
    return "\n".join(lines)


# -- files, program picking and Run again ------------------------------------------------------


def chart_alt_text(report: Report) -> str:
    return truncate(
        f"{report.program_name}: hours met each week against the weekly target, and the "
        "average check-in mood of each week.",
        1000,
    )


def pick_program(programs: Sequence[Program]) -> dict[str, Any]:
    text = "Which program do you want a report for?"
    # Slack refuses two elements with one action_id in a block: each gets its program's id.
    buttons = [button(p.name, f"{REPORT_PROGRAM}:{p.id}", str(p.id)) for p in programs[:25]]
    return {"text": text, "blocks": [section(text), {"type": "actions", "elements": buttons}]}


def cohort_created(source: Program, cohort: Program) -> tuple[str, list[Block]]:
    """What Run again answers: the new draft, and a button to edit it."""
    text = (
        f"*{escape(cohort.name)}* is ready as a draft, with the settings of "
        f"*{escape(source.name)}*: no start date yet and enrolment closed. Edit it to pick "
        "the dates, then open enrolment for the next cohort."
    )
    return text, [
        section(text),
        {
            "type": "actions",
            "block_id": "cohort_actions",
            "elements": [button("Edit", ids.PROGRAM_EDIT, str(cohort.id), primary=True)],
        },
    ]
