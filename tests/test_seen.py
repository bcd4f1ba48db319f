"""Request ids are remembered long enough for Slack's retries, then forgotten."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot import seen
from bot.models import SeenRequest
from tests.conftest import TEAM


def test_a_request_is_first_once_per_workspace_and_forgotten_after_a_day(sessions, clock) -> None:
    now = clock.now()
    with sessions() as session:
        assert seen.first_delivery(session, TEAM, "event:Ev1", now)
        assert not seen.first_delivery(session, TEAM, "event:Ev1", now)
        assert seen.first_delivery(session, "T0OTHER", "event:Ev1", now)
        assert seen.first_delivery(session, TEAM, "event:Ev2", now + timedelta(hours=23))
        session.commit()
        assert seen.forget_old(session, now + timedelta(days=1, minutes=1)) == 2
        session.commit()
        assert session.scalars(sa.select(SeenRequest.key)).all() == ["event:Ev2"]
        # Once forgotten, an id counts as new again (Slack stopped retrying long before).
        assert seen.first_delivery(session, TEAM, "event:Ev1", now + timedelta(days=2))
