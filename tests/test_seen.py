"""Request ids are remembered long enough for Slack's retries, then forgotten; those of a
burst are written together."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot import seen
from bot.models import SeenRequest
from tests.conftest import TEAM
from tests.support.waiting import eventually


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


def test_first_deliveries_noted_in_a_burst_reach_the_database_together(sessions, clock) -> None:
    recorder = seen.Recorder(sessions)
    now = clock.now()
    keys = [f"trigger:burst.{n}" for n in range(50)]
    for key in keys:
        recorder.note(TEAM, key, now)
    recorder.note(TEAM, keys[0], now)  # the same id twice in a burst is one row
    # Written by the recorder's own thread, without anyone asking.
    eventually(lambda: len(stored(sessions)) == 50, what="the noted ids written")
    assert stored(sessions) == set(keys)
    # A retry of any of them, on any replica, now knows it is not the first delivery.
    assert not recorder.record(TEAM, keys[7], now)
    assert recorder.record(TEAM, "trigger:never.noted", now)
    # Noting an id already written again is harmless.
    recorder.note(TEAM, keys[3], now)
    assert recorder.flush() == 0
    # Stopping writes what is still noted.
    recorder.note(TEAM, "event:EvLAST", now)
    recorder.close()
    assert "event:EvLAST" in stored(sessions)


def test_an_outage_while_writing_noted_ids_is_logged_not_raised(tmp_path, clock, caplog) -> None:
    gone = sa.create_engine(f"sqlite:///{tmp_path}/no/such/folder/bot.db")
    recorder = seen.Recorder(sessionmaker(gone))
    recorder.note(TEAM, "event:EvLOST", clock.now())
    assert recorder.flush() == 0
    assert "could not record 1 request ids" in caplog.text


def stored(sessions) -> set[str]:
    with sessions() as session:
        return set(session.scalars(sa.select(SeenRequest.key)))
