"""`python app.py invite --program NAME --csv FILE`, run as an admin runs it: a real process,
the fake Slack and a real database."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from bot.models import Delivery, Invitation
from bot.slack import ids
from tests.conftest import BOT_TOKEN
from tests.factories import make_program
from tests.support.fake_slack import FakeSlack
from tests.test_cli import clean_env, run_app


@pytest.fixture
def database(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    make_program(make_session_factory(engine), "Digital Pilot")
    yield engine
    engine.dispose()


@pytest.fixture
def workspace(fake_slack: FakeSlack) -> FakeSlack:
    fake_slack.add_user("UANA", name="ana", email="ana@example.com")
    fake_slack.add_user("UBEA", name="bea", email="bea@example.com")
    fake_slack.add_user("UGONE", name="gone", email="gone@example.com", deleted=True)
    return fake_slack


def invite(
    tmp_path: Path, fake: FakeSlack, db_url: str, content: str | bytes, program="Digital Pilot"
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "export.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    env = clean_env(DATABASE_URL=db_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake.base_url)
    return run_app(["invite", "--program", program, "--csv", str(path)], env, tmp_path)


def stored(engine: Engine) -> tuple[list[tuple], int]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                Invitation.user_id,
                Invitation.email,
                Invitation.role_hint,
                Invitation.department_hint,
            ).order_by(Invitation.user_id)
        ).all()
        count = connection.scalar(sa.select(sa.func.count()).select_from(Delivery))
    return [tuple(row) for row in rows], count


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


EXPORT = (
    "Name,Email,Role,Department\n"
    "Ana,ana@example.com,mentor,Marketing\n"
    "Bea,bea@example.com,mentee,Sales\n"
    "Nobody,nobody@example.com,,\n"
    "Gone,gone@example.com,mentor,Sales\n"
)


def test_an_hr_export_invites_everyone_slack_knows_and_reports_each_row(
    database: Engine, workspace: FakeSlack, db_url: str, tmp_path: Path
) -> None:
    result = invite(tmp_path, workspace, db_url, EXPORT)

    assert result.returncode == 0, result.stderr
    assert "line 2: ana@example.com: invited" in result.stdout
    assert "line 3: bea@example.com: invited" in result.stdout
    assert "line 4: nobody@example.com: unknown email" in result.stdout
    assert "line 5: gone@example.com: deactivated" in result.stdout
    assert "2 invited, 1 unknown email, 1 deactivated" in result.stdout
    assert "sent 2 of 2 invitation(s)" in result.stdout
    sent = workspace.calls_to("chat.postMessage")
    assert sorted(call.params["channel"] for call in sent) == ["UANA", "UBEA"]
    for call in sent:
        [actions] = [b for b in call.params["blocks"] if b["type"] == "actions"]
        assert actions["elements"][0]["action_id"] == ids.JOIN
        assert "The organizers would like you to join *Digital Pilot*" in str(call.params)
    assert stored(database) == (
        [
            ("UANA", "ana@example.com", "mentor", "Marketing"),
            ("UBEA", "bea@example.com", "mentee", "Sales"),
        ],
        2,
    )

    again = invite(tmp_path, workspace, db_url, EXPORT)

    assert again.returncode == 0, again.stderr
    assert "line 2: ana@example.com: already invited" in again.stdout
    assert "2 already invited, 1 unknown email, 1 deactivated" in again.stdout
    assert len(workspace.calls_to("chat.postMessage")) == 2  # no second invitation
    assert stored(database)[1] == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Name,Mail\nAna,ana@example.com\n", ["line 1: the header has no email column"]),
        (
            "email,role\nana@example.com,mentor\nbob@,mentor\nbea@example.com,boss\n,mentee\n",
            [
                "line 3: “bob@” is not an email address",
                "line 4: role “boss” is not mentor or mentee",
                "line 5: no email address",
            ],
        ),
        ("", ["the file is empty"]),
        ("email,role\nana@example.com,mentor\n".encode("utf-16"), ["is not UTF-8 text"]),
        ("email\nMüller@example.com\n".encode("latin-1"), ["not UTF-8 text (line 2"]),
    ],
)
def test_a_bad_file_gets_one_error_per_problem_and_changes_nothing(
    database: Engine,
    workspace: FakeSlack,
    db_url: str,
    tmp_path: Path,
    content: str | bytes,
    expected: list[str],
) -> None:
    result = invite(tmp_path, workspace, db_url, content)

    assert result.returncode == 2
    lines = error_lines(result)
    assert len(lines) == len(expected), result.stderr
    for line, words in zip(lines, expected, strict=True):
        assert words in line
    assert stored(database) == ([], 0)
    assert workspace.calls_to("users.lookupByEmail") == []
    assert workspace.calls_to("chat.postMessage") == []


def test_an_unknown_program_or_file_is_one_clear_line(
    database: Engine, workspace: FakeSlack, db_url: str, tmp_path: Path
) -> None:
    unknown = invite(tmp_path, workspace, db_url, EXPORT, program="Spring Pilot")
    env = clean_env(DATABASE_URL=db_url, SLACK_BOT_TOKEN=BOT_TOKEN)
    missing = run_app(
        ["invite", "--program", "Digital Pilot", "--csv", str(tmp_path / "nope.csv")],
        env,
        tmp_path,
    )

    assert unknown.returncode == 2
    [line] = error_lines(unknown)
    assert "there is no program called 'Spring Pilot' (programs: Digital Pilot)" in line
    assert missing.returncode == 2
    [line] = error_lines(missing)
    assert "cannot find the file" in line and "nope.csv" in line
    assert stored(database) == ([], 0)
    assert workspace.calls_to("users.lookupByEmail") == []


def test_a_closed_program_takes_no_invitations(
    database: Engine, workspace: FakeSlack, db_url: str, tmp_path: Path
) -> None:
    make_program(make_session_factory(database), "Closed", enrolment_open=False)
    result = invite(tmp_path, workspace, db_url, EXPORT, program="closed")
    assert result.returncode == 2
    [line] = error_lines(result)
    assert "Enrolment for “Closed” is closed: open enrolment for it first" in line
    assert stored(database) == ([], 0)


def test_invite_has_help(tmp_path: Path) -> None:
    result = run_app(["invite", "--help"], clean_env(), tmp_path)
    assert result.returncode == 0
    assert "usage: python app.py invite" in result.stdout
    assert "--program NAME" in result.stdout and "--csv FILE" in result.stdout
