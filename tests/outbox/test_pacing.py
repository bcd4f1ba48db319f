"""The sender paces itself to Slack's limits: a second per conversation, a few hundred a minute."""

from __future__ import annotations

import pytest

from bot.outbox import store
from bot.outbox.pacing import Pacer
from bot.outbox.sender import Sender
from tests.conftest import TEAM
from tests.outbox.test_sender import bare_client, sent_keys


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def pacer(fake: FakeTime, **kw) -> Pacer:
    return Pacer(sleep=fake.sleep, monotonic=fake.monotonic, **kw)


def test_one_message_per_second_per_conversation() -> None:
    fake = FakeTime()
    p = pacer(fake)
    assert p.wait("C1") == 0
    assert p.wait("C2") == 0  # another conversation need not wait
    assert p.wait("C1") == pytest.approx(1.0)
    fake.now += 5
    assert p.wait("C1") == 0


def test_the_workspace_rate_after_a_burst() -> None:
    fake = FakeTime()
    p = pacer(fake, per_minute=300, burst=20)
    waits = [p.wait(f"C{n}") for n in range(40)]
    assert waits[:20] == [0] * 20
    assert all(w == pytest.approx(0.2) for w in waits[20:])  # 300 a minute is 5 a second
    assert fake.now - 100 == pytest.approx(20 * 0.2)


def test_the_sender_waits_between_messages_to_one_conversation(sessions, clock, fake_slack) -> None:
    fake = FakeTime()
    with sessions() as session:
        for n in range(3):
            store.enqueue(
                session,
                team_id=TEAM,
                key=f"k{n}",
                message=store.Message("C0PAIR", f"hello {n}"),
                not_before=clock.now(),
            )
        session.commit()
    sender = Sender(sessions, bare_client(fake_slack), clock, pacer=pacer(fake))

    assert sender.send_due().sent == 3

    assert fake.slept == [1.0, 1.0]
    assert sent_keys(fake_slack) == ["k0", "k1", "k2"]
