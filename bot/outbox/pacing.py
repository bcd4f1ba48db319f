"""Pacing the sender to Slack's published limits, so a weekly fan-out is not a 429 storm.

About one message per second per conversation, and a few hundred a minute per workspace (a
token bucket with a small burst). A 429 with `Retry-After` is still honoured on top of this.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PER_CHANNEL_SECONDS = 1.0
PER_MINUTE = 300
BURST = 20


class Pacer:
    def __init__(
        self,
        *,
        per_channel_seconds: float = PER_CHANNEL_SECONDS,
        per_minute: float = PER_MINUTE,
        burst: int = BURST,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._gap = per_channel_seconds
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._sleep = sleep
        self._monotonic = monotonic
        self._tokens = float(burst)
        self._refilled = monotonic()
        self._next_in_channel: dict[str, float] = {}

    @classmethod
    def unlimited(cls) -> Pacer:
        return cls(per_channel_seconds=0.0, per_minute=1e12, burst=10**9)

    def wait(self, channel: str) -> float:
        """Sleep until a message to `channel` is within the limits; returns seconds waited."""
        now = self._monotonic()
        self._refill(now)
        bucket_wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
        channel_wait = max(self._next_in_channel.get(channel, 0.0) - now, 0.0)
        delay = max(bucket_wait, channel_wait)
        if delay > 0:
            self._sleep(delay)
            now += delay
            self._refill(now)
        self._tokens -= 1
        self._next_in_channel[channel] = now + self._gap
        if len(self._next_in_channel) > 10_000:  # forget channels whose gap has passed
            self._next_in_channel = {c: t for c, t in self._next_in_channel.items() if t > now}
        return delay

    def _refill(self, now: float) -> None:
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
