"""Invitation rules, without Slack: parsing what organizers give, and inviting each person once."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from bot import invitations
from bot.invitations import Outcome, Person, Row
from bot.models import (
    Delivery,
    Invitation,
    Participant,
    ParticipantRole,
    ProgramStatus,
)
from bot.outbox import store
from bot.slack import ids
from bot.slack.blocks.invitations import invitation_message, program_pitch, report_message
from tests.conftest import START, TEAM
from tests.factories import make_program
from tests.support.block_kit import block_kit_problems

MESSAGE = store.Message(channel="", text="You're invited", blocks=None)


class Directory:
    """A workspace of people, counting the look-ups it answers."""

    def __init__(self, *people: tuple[str, str | None, dict]) -> None:
        self.by_address = {email.lower(): Person(uid, **kw) for uid, email, kw in people if email}
        self.by_user = {uid: Person(uid, **kw) for uid, _, kw in people}
        self.asked: list[str] = []
        self.fail_with: str | None = None

    def by_email(self, email: str) -> Person | None:
        return self._answer(email, self.by_address.get(email.lower()))

    def by_id(self, user_id: str) -> Person | None:
        return self._answer(user_id, self.by_user.get(user_id))

    def _answer(self, asked: str, person: Person | None) -> Person | None:
        if self.fail_with:
            raise invitations.DirectoryUnavailable(self.fail_with)
        self.asked.append(asked)
        return person


WORKSPACE = Directory(
    ("UANA", "ana@example.com", {}),
    ("UBEA", "bea@example.com", {}),
    ("UGONE", "gone@example.com", {"deleted": True}),
    ("UROBOT", None, {"is_bot": True}),
)


# -- parsing ------------------------------------------------------------------------------


def test_pasted_addresses_are_split_however_people_paste_them() -> None:
    text = (
        "ana@example.com, bea@example.com;cid@example.com\n\n"
        "  dan@example.com  eve@example.com\t"
        '"Lima, Flo" <flo@example.com>; Gus <gus@example.com>, mailto:hal@example.com'
    )
    parsed = invitations.parse_emails(text)
    assert parsed.problems == []
    assert [row.email for row in parsed.rows] == [
        f"{name}@example.com" for name in ("ana", "bea", "cid", "dan", "eve", "flo", "gus", "hal")
    ]


def test_pasted_text_that_is_not_an_address_is_named() -> None:
    parsed = invitations.parse_emails("ana@example.com bob@ @carl carl@example dan@exa mple.com")
    assert [p.given for p in parsed.problems] == [
        "bob@",
        "@carl",
        "carl@example",
        "dan@exa",
        "mple.com",
    ]
    assert "“bob@” is not an email address" in str(parsed.problems[0])


def test_an_hr_export_gives_rows_with_their_lines_roles_and_departments() -> None:
    text = (
        "\ufeffName,Email,Role,Department\n"
        "Ana,ana@example.com,Mentor, Marketing \n"
        "\n"
        '"Bea, B.",bea@example.com,senior,"Sales,\nEMEA"\n'
        "Cid,cid@example.com,,\n"
        ",,,\n"
        "Dan,dan@example.com,reverse mentor,Finance,\n"  # a trailing empty cell is fine
    )
    parsed = invitations.parse_csv(text)
    assert parsed.problems == []
    assert parsed.rows == [
        Row(email="ana@example.com", line=2, role=ParticipantRole.MENTOR, department="Marketing"),
        Row(
            email="bea@example.com",
            line=4,
            role=ParticipantRole.MENTEE,
            department="Sales, EMEA",
        ),
        Row(email="cid@example.com", line=6),
        Row(email="dan@example.com", line=8, role=ParticipantRole.MENTOR, department="Finance"),
    ]


def test_semicolon_exports_from_spreadsheets_are_read_too() -> None:
    parsed = invitations.parse_csv("email;department\nana@example.com;Sales, EMEA\n")
    assert parsed.rows == [Row(email="ana@example.com", line=2, department="Sales, EMEA")]


def test_every_malformed_row_is_reported_by_line() -> None:
    text = (
        "email,role,department\n"
        "ana@example.com,mentor,Sales\n"
        "bob@,mentor,Sales\n"
        ",mentee,Sales\n"
        "cid@example.com,boss,Sales\n"
        "dan@example.com,mentee,Sales,extra\n"
        f"eve@example.com,mentee,{'x' * 121}\n"
    )
    parsed = invitations.parse_csv(text)
    assert [str(problem) for problem in parsed.problems] == [
        "line 3: “bob@” is not an email address",
        "line 4: no email address",
        "line 5: role “boss” is not mentor or mentee (or leave it blank)",
        "line 6: has 4 values but the header has 3 columns",
        "line 7: keep the department to 120 characters",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("\n  \n", "the file is empty"),
        ("name,mail address\nAna,ana@example.com\n", "line 1: the header has no email column"),
        ("ana@example.com\nbea@example.com\n", "line 1: the header has no email column"),
        ("email,role\n", "the file has a header but nobody to invite"),
    ],
)
def test_a_file_without_people_to_invite_says_why(text: str, expected: str) -> None:
    parsed = invitations.parse_csv(text)
    assert parsed.rows == []
    [problem] = parsed.problems
    assert str(problem).startswith(expected)


# -- resolving ----------------------------------------------------------------------------


def test_each_person_is_looked_up_once() -> None:
    directory = Directory(("UANA", "ana@example.com", {}))
    rows = [Row(email="ana@example.com"), Row(email="ANA@example.com"), Row(user_id="UANA")]
    resolved = invitations.resolve(rows * 2, directory)
    assert [r.person.user_id for r in resolved] == ["UANA"] * 6
    assert directory.asked == ["ana@example.com", "UANA"]


def test_a_directory_that_cannot_answer_stops_everything() -> None:
    directory = Directory(("UANA", "ana@example.com", {}))
    directory.fail_with = "ratelimited"
    with pytest.raises(invitations.DirectoryUnavailable):
        invitations.resolve([Row(email="ana@example.com")], directory)


# -- inviting -----------------------------------------------------------------------------


def invite(sessions, program, rows: list[Row], directory: Directory = WORKSPACE):
    resolved = invitations.resolve(rows, directory)
    with sessions() as session, session.begin():
        program = session.merge(program)
        return invitations.invite(session, program, resolved, "UORGANIZER", START, message=MESSAGE)


def stored(sessions) -> tuple[list[tuple], list[tuple]]:
    with sessions() as session:
        rows = session.execute(
            sa.select(
                Invitation.user_id,
                Invitation.email,
                Invitation.role_hint,
                Invitation.department_hint,
                Invitation.invited_by,
            ).order_by(Invitation.id)
        ).all()
        deliveries = session.execute(
            sa.select(Delivery.key, Delivery.channel, Delivery.text).order_by(Delivery.id)
        ).all()
    return [tuple(r) for r in rows], [tuple(d) for d in deliveries]


def test_invitations_are_stored_with_one_message_each(sessions) -> None:
    program = make_program(sessions, "Pilot")
    report = invite(
        sessions,
        program,
        [
            Row(email="ana@example.com", line=2, role=ParticipantRole.MENTOR, department="Sales"),
            Row(user_id="UBEA"),
        ],
    )
    assert report.invited == ["UANA", "UBEA"]
    assert report.summary() == "2 invited"
    invitations_, deliveries = stored(sessions)
    assert invitations_ == [
        ("UANA", "ana@example.com", "mentor", "Sales", "UORGANIZER"),
        ("UBEA", None, None, None, "UORGANIZER"),
    ]
    assert deliveries == [
        (f"invite:{program.id}:UANA", "UANA", "You're invited"),
        (f"invite:{program.id}:UBEA", "UBEA", "You're invited"),
    ]


def test_inviting_someone_again_sends_nothing_new(sessions) -> None:
    program = make_program(sessions, "Pilot")
    invite(sessions, program, [Row(user_id="UANA")])
    report = invite(sessions, program, [Row(email="ana@example.com"), Row(user_id="UBEA")])
    assert [r.outcome for r in report.results] == [Outcome.ALREADY_INVITED, Outcome.INVITED]
    assert report.summary() == "1 invited, 1 already invited"
    _, deliveries = stored(sessions)
    assert [channel for _, channel, _ in deliveries] == ["UANA", "UBEA"]


def test_people_who_cannot_be_invited_are_reported_and_skipped(sessions) -> None:
    program = make_program(sessions, "Pilot")
    with sessions() as session, session.begin():
        session.add(
            Participant(
                team_id=TEAM, program_id=program.id, user_id="UBEA", role=ParticipantRole.MENTEE
            )
        )
    report = invite(
        sessions,
        program,
        [
            Row(email="nobody@example.com", line=2),
            Row(email="gone@example.com", line=3),
            Row(user_id="UROBOT"),
            Row(user_id="UNKNOWN"),
            Row(user_id="UBEA"),
            Row(email="ana@example.com", line=7),
            Row(user_id="UANA"),
        ],
    )
    assert [(r.outcome, r.user_id) for r in report.results] == [
        (Outcome.UNKNOWN_EMAIL, None),
        (Outcome.DEACTIVATED, "UGONE"),
        (Outcome.BOT, "UROBOT"),
        (Outcome.UNKNOWN_USER, "UNKNOWN"),
        (Outcome.ALREADY_ENROLLED, "UBEA"),
        (Outcome.INVITED, "UANA"),
        (Outcome.DUPLICATE, "UANA"),
    ]
    invitations_, deliveries = stored(sessions)
    assert [row[0] for row in invitations_] == ["UANA"]
    assert len(deliveries) == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"enrolment_open": False}, "open enrolment for it first"),
        ({"status": ProgramStatus.ENDED}, "has ended"),
    ],
)
def test_only_programs_open_for_enrolment_take_invitations(sessions, changes, words) -> None:
    program = make_program(sessions, "Pilot")
    with sessions() as session, session.begin():
        program = session.merge(program)
        for key, value in changes.items():
            setattr(program, key, value)
    with pytest.raises(invitations.InvitationRefused, match=words):
        invite(sessions, program, [Row(user_id="UANA")])
    assert stored(sessions) == ([], [])


# -- what people read ---------------------------------------------------------------------


def test_the_invitation_explains_the_program_and_has_a_join_button(sessions) -> None:
    program = make_program(
        sessions,
        "Gen <Z> & Us",
        business_need="Younger customers",
        format="group",
        group_size=4,
        length_weeks=10,
        meeting_target_minutes=90,
        checkin_cadence_weeks=2,
        start_date=date(2027, 1, 4),
        is_pilot=True,
    )
    message = invitation_message(program, "UORGANIZER")
    assert block_kit_problems({"text": message.text, "blocks": message.blocks}, "message") == []
    text = str(message.blocks)
    for words in (
        "<@UORGANIZER> would like you to join *Gen &lt;Z&gt; &amp; Us*",
        "Younger customers",
        "Small groups of 4",
        "10 weeks",
        "About 1 hour 30 minutes a week",
        "Monday 4 January 2027",
        "Both sides teach, both sides learn",
        "private is seen only by the program's organizers",
        "pilot",
    ):
        assert words in text
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    [button] = actions["elements"]
    assert (button["action_id"], button["value"]) == (ids.JOIN, str(program.id))
    assert "The organizers would like you" in str(invitation_message(program, None).blocks)
    assert program_pitch(program)[0]["type"] == "header"


def test_a_report_of_hundreds_of_rows_stays_within_slacks_limits() -> None:
    report = invitations.InviteReport(1, "Pilot")
    for n in range(600):
        row = Row(email=f"person.with.a.long.address.{n}@example.com")
        outcome = list(Outcome)[n % len(Outcome)]
        user = None if outcome is Outcome.UNKNOWN_EMAIL else f"U{n:08d}"
        report.results.append(invitations.Result(row, outcome, user))
    text, blocks = report_message(report)
    assert block_kit_problems({"text": text, "blocks": blocks}, "message") == []
    assert "75 invited, 75 already invited" in text
