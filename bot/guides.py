"""Guides: a short, practical text for each role, the project's own or a program's replacement.

No Slack here. A participant reads the guide of their own role in their own program; a program's
replacement text is shown to that program's participants only; organizers may read any role's
guide and replace a program's texts. An empty replacement, or one identical to the default,
means "use the default", so programs keep getting the project's improvements to it.

Stored texts are capped at `MAX_LENGTH` (3,000 characters): the most one Slack text field
accepts (plain_text_input's max_length), so the organizer always edits the whole text in one
field, and about a page, which keeps a guide a guide. Shown back escaped, a text may grow past
one section's 3,000 characters; the Slack side splits it into several sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import programs
from bot.models import Participant, ParticipantRole, ParticipantStatus, Program, ProgramStatus

MAX_LENGTH = 3000

ROLE_NAMES = {ParticipantRole.MENTOR: "reverse mentor", ParticipantRole.MENTEE: "mentee"}
# What people type after `/mentoring guide`, longest first so "reverse mentor" wins over "mentor".
ROLE_WORDS: dict[str, ParticipantRole] = {
    "reverse mentors": ParticipantRole.MENTOR,
    "reverse mentor": ParticipantRole.MENTOR,
    "reverse-mentors": ParticipantRole.MENTOR,
    "reverse-mentor": ParticipantRole.MENTOR,
    "mentors": ParticipantRole.MENTOR,
    "mentor": ParticipantRole.MENTOR,
    "mentees": ParticipantRole.MENTEE,
    "mentee": ParticipantRole.MENTEE,
}

DEFAULT_GUIDES: dict[ParticipantRole, str] = {
    ParticipantRole.MENTOR: """\
You were asked because you know things your mentee doesn't: the tools you use every day, how \
people your age work, read and buy, what it's like on the front line. You don't need to be an \
expert or plan every minute; your curiosity and honesty are the point. And it goes both ways: \
ask your mentee to teach you how the business really works.

*Your first meeting*
• 30 to 45 minutes somewhere relaxed: a coffee, a walk or a video call.
• Start with people, not topics: what you each do, what you're curious about, one thing you'd \
each like to get out of this.
• Agree on one small thing to try, and book the next meeting before you part (`/mentoring meet`).

*Goals and how often to meet*
• Pick two or three goals together, at least one for each of you: say, "use an AI assistant \
for the weekly report" and "understand how our budget gets decided".
• Agree on a rhythm (the program suggests one) and keep the slot even when it's short. Moving \
a meeting is fine; dropping it isn't.
• Every few meetings, ask whether the goals still help, and change them when they don't.

*Candid feedback across seniority*
• What is said in the pair stays in the pair. Say so in your first meeting, and keep to it.
• Your mentee asked to learn from you, so you may say "that's not how people use it any \
more", kindly and with an example.
• Ask for feedback too ("Was that useful? Too fast?"): it makes honesty easier for both of you.
• If you're unsure how direct to be, say so: "Tell me if I overstep."

*Ideas for what to teach, each way*
• You: a tool you use daily, how you find and check information, a social platform from the \
inside, what your friends think of our brand, a hands-on session on their own laptop.
• Them: how decisions are really made, speaking up with senior people, reading the numbers, \
career moves they'd make again, a meeting you could shadow.

*If it's not working*
Meetings keep slipping, it feels one-sided, or you just don't click? It happens, and it's \
nobody's fault. Say so to each other first if you can. If not, use *Talk to an organizer*: it \
goes to the organizers only, never to your mentee, and they can help you reset or find a new \
partner.""",
    ParticipantRole.MENTEE: """\
You joined to learn from a colleague earlier in their career, and that takes some courage. The \
best mentees come curious, ask the questions they'd usually keep to themselves, and teach back \
what they know about how the business works.

*Your first meeting*
• 30 to 45 minutes somewhere relaxed: a coffee, a walk or a video call.
• Go first: what you do, what you find hard about new tools or trends, what you hope to change.
• Ask what your reverse mentor would like to learn from you.
• Leave with one thing to try and the next meeting booked (`/mentoring meet`).

*Goals and how often to meet*
• Agree on two or three goals, at least one of them theirs.
• Protect the slot. Your calendar wins most fights; don't let it win this one. If you must \
move a meeting, move it; don't drop it.
• Every few meetings, ask whether this is still useful, and change the goals when it isn't.

*Candid feedback across seniority*
• Your title makes honesty harder for them, so make it easy: "Tell me when I've got it wrong; \
I won't hold it against you."
• What is said in the pair stays in the pair, both ways: not with their manager, not with yours.
• Thank them for direct feedback, even when it stings, and show them what you did with it.
• Give your own feedback as a colleague, not a boss: specific, kind and about the work.

*Ideas for what to teach, each way*
• Learn: the tools they use every day, how their generation reads, shops and works, how our \
brand looks from outside, a hands-on session where you do it yourself.
• Teach back: how decisions get made here, reading the numbers, building a network, handling a \
tough meeting, the career choices you'd make again. Invite them to shadow one of your meetings.

*If it's not working*
Busy weeks, missed meetings or a pairing that doesn't click happen to everyone. Talk about it \
together first if you can. If not, use *Talk to an organizer*: only the organizers see it, \
never your reverse mentor, and they can help you reset or find a new match.""",
}


class GuideError(Exception):
    """Something the person can fix or should know, in plain words."""


class GuidesInvalid(GuideError):
    """Replacement texts that cannot be stored: a message per role."""

    def __init__(self, errors: dict[ParticipantRole, str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = errors


class NotInAProgram(GuideError):
    def __init__(self) -> None:
        super().__init__("not taking part in a program")


class UnknownProgram(GuideError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no program called {name!r}")
        self.name = name


class NotInThatProgram(GuideError):
    def __init__(self, program: Program) -> None:
        super().__init__(f"not taking part in {program.name}")
        self.program_name = program.name  # a plain value: the session is gone when it is read


class RoleNeeded(GuideError):
    """An organizer who takes no part must say which role's guide they want."""

    def __init__(self, program: Program | None) -> None:
        super().__init__("which role?")
        self.program_name = program.name if program is not None else None


@dataclass(frozen=True)
class Guide:
    role: ParticipantRole
    text: str  # mrkdwn as written (escape it to show it)
    program_id: int | None = None
    program_name: str | None = None
    custom: bool = False  # the program's own text, not the project's default
    own_role: bool = True  # the reader's own role (a participant reading their own guide)


@dataclass(frozen=True)
class GuideAnswer:
    guide: Guide
    other_programs: tuple[str, ...] = ()  # the reader's other programs, to name in a hint
    customised: tuple[str, ...] = ()  # programs with their own text for this role (organizers)


def parse_role(word: str | None) -> ParticipantRole | None:
    return ROLE_WORDS.get(" ".join((word or "").lower().split()))


def split_role(args: str) -> tuple[ParticipantRole | None, str]:
    """`mentor Digital Pilot` -> (MENTOR, "Digital Pilot"); a leading role word is optional."""
    words = " ".join(args.split())
    lowered = words.lower()
    for phrase, role in ROLE_WORDS.items():
        if lowered == phrase or lowered.startswith(phrase + " "):
            return role, words[len(phrase) :].strip()
    return None, words


def default_text(role: ParticipantRole) -> str:
    return DEFAULT_GUIDES[role]


def overrides_of(program: Program) -> dict[ParticipantRole, str]:
    """A program's replacement texts by role, ignoring anything unexpected in the JSON."""
    stored = program.guide_overrides or {}
    found: dict[ParticipantRole, str] = {}
    for key, text in stored.items():
        role = parse_role(key)
        if role is not None and isinstance(text, str) and text.strip():
            found[role] = text
    return found


def guide_for(program: Program | None, role: ParticipantRole, *, own_role: bool = True) -> Guide:
    """The guide shown for this role in this program: its replacement text, or the default."""
    if program is None:
        return Guide(role, default_text(role), own_role=own_role)
    custom = overrides_of(program).get(role)
    return Guide(
        role,
        custom or default_text(role),
        program.id,
        program.name,
        custom=custom is not None,
        own_role=own_role,
    )


def _normal(text: str | None) -> str:
    return "\n".join(
        line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")
    ).strip()


def clean_text(role: ParticipantRole, text: str | None) -> str | None:
    """What to store for one role: None means the default (an empty text, or the default
    itself); raises GuideError when it is too long."""
    cleaned = _normal(text)
    if not cleaned or cleaned == _normal(default_text(role)):
        return None
    if len(cleaned) > MAX_LENGTH:
        raise GuideError(
            f"Keep the guide to {MAX_LENGTH:,} characters (this one has {len(cleaned):,}); "
            "it is meant to be short enough to read before a first meeting."
        )
    return cleaned


def set_overrides(
    program: Program, texts: Mapping[ParticipantRole, str | None]
) -> dict[ParticipantRole, str]:
    """Replace the program's texts for the roles given (others are kept), all or nothing.
    Returns the replacement texts now in place."""
    errors: dict[ParticipantRole, str] = {}
    cleaned: dict[ParticipantRole, str | None] = {}
    for role, text in texts.items():
        try:
            cleaned[role] = clean_text(role, text)
        except GuideError as error:
            errors[role] = str(error)
    if errors:
        raise GuidesInvalid(errors)
    current = overrides_of(program)
    for role, text in cleaned.items():
        if text is None:
            current.pop(role, None)
        else:
            current[role] = text
    # A new dict: SQLAlchemy does not see a JSON dict changed in place.
    program.guide_overrides = {role.value: text for role, text in sorted(current.items())}
    return current


# -- who reads which guide ---------------------------------------------------------------------


def _enrolments(session: Session, team_id: str, user_id: str) -> list[tuple[Participant, Program]]:
    """Active enrolments, running programs first, then the oldest."""
    rows = session.execute(
        sa.select(Participant, Program)
        .join(Program, Program.id == Participant.program_id)
        .where(
            Participant.team_id == team_id,
            Participant.user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .order_by(Program.created_at, Program.id)
    ).all()
    return sorted(
        ((p, program) for p, program in rows), key=lambda row: row[1].status is ProgramStatus.ENDED
    )


def own_guide(session: Session, team_id: str, user_id: str, program_id: int) -> Guide:
    """The guide behind a "Read the guide" button: the clicker's role in that program."""
    for participant, program in _enrolments(session, team_id, user_id):
        if program.id == program_id:
            return guide_for(program, participant.role)
    program = programs.get(session, team_id, program_id)
    if program is None:
        raise UnknownProgram("")
    raise NotInThatProgram(program)


def find_guide(
    session: Session,
    team_id: str,
    user_id: str,
    *,
    is_organizer: bool,
    role: ParticipantRole | None = None,
    program_name: str = "",
) -> GuideAnswer:
    """`/mentoring guide [role] [program]`: participants get their own role in their own
    program unless they ask for the other role; a program's own text reaches its participants
    and organizers only; organizers who take no part say which role they want."""
    enrolled = _enrolments(session, team_id, user_id)
    if program_name:
        program = programs.find_by_name(session, team_id, program_name)
        if program is None:
            raise UnknownProgram(program_name)
        mine = next((p for p, prog in enrolled if prog.id == program.id), None)
        if mine is None and not is_organizer:
            raise NotInThatProgram(program)
        if mine is None and role is None:
            raise RoleNeeded(program)
        own = mine.role if mine is not None else None
        chosen = role or own
        assert chosen is not None
        return GuideAnswer(guide_for(program, chosen, own_role=chosen is own))
    if enrolled:
        participant, program = enrolled[0]
        chosen = role or participant.role
        others = tuple(
            prog.name for _, prog in enrolled[1:] if prog.status is not ProgramStatus.ENDED
        )
        return GuideAnswer(
            guide_for(program, chosen, own_role=chosen is participant.role), other_programs=others
        )
    if not is_organizer:
        raise NotInAProgram()
    if role is None:
        raise RoleNeeded(None)
    customised = tuple(
        program.name
        for program in programs.list_programs(session, team_id)
        if role in overrides_of(program)
    )
    return GuideAnswer(guide_for(None, role, own_role=False), customised=customised)
