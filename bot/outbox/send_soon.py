"""Send the outbox now, in the background, instead of waiting for the next tick.

A join or an invitation should reach people in seconds, yet still go through the outbox (one
row per message, sent once). Calls while a pass is running ask for one more pass, never more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class SendSoon:
    def __init__(self, send: Callable[[], object]) -> None:
        self._send = send
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def __call__(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, name="send-soon", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                self._send()
            except Exception:
                log.exception("sending the outbox failed; the next tick will try again")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False
