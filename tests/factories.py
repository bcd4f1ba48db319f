"""Rows for tests, made through the domain functions so they obey the same rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import programs
from bot.models import Program
from tests.conftest import START, TEAM


def make_program(
    sessions: sessionmaker[Session],
    name: str = "Digital Pilot",
    *,
    team_id: str = TEAM,
    created_by: str = "UORGANIZER",
    **fields: Any,
) -> Program:
    data = programs.ProgramInput(
        name=name,
        business_need=fields.pop("business_need", "Digital skills"),
        enrolment_open=fields.pop("enrolment_open", True),
        **fields,
    )
    with sessions() as session:
        valid = programs.validate(session, team_id, data, today=START.date())
        program = programs.create(session, team_id, valid, created_by=created_by)
        session.commit()
        return program
