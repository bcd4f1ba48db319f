"""Acknowledge first, work after, elsewhere: a burst of work never delays an acknowledgement.

Slack allows 3 s and retries what it did not see acknowledged. Most requests need nothing from
the bot in the acknowledgement itself: clicks, events, and commands that answer later (a status,
a form to open) are acknowledged with an empty 200 as they arrive, and the request is handed to
a *work app* (the same listeners, built again) that runs them:

- in `python app.py`, in a work process of its own (`ProcessDeferral`), so that the work (Home
  tabs of big programs, reports, CSV files) neither holds the front's interpreter lock nor
  waits behind it, and a second core is used;
- in tests (and by default in `bot.slack.app.build_app`), on threads of this process
  (`ThreadDeferral`).

Everything whose acknowledgement carries an answer (a form's errors or next view, a command's
reply) runs in the front as before; what such a listener leaves for after its answer (a Home
tab to refresh, the outbox to send, a join form to save) follows by name (bot.slack.follow_ups).

At most `WORK_QUEUE_LIMIT` requests wait or run in the work app at once. Beyond that, requests
are served in the front again, so the queue never grows so long that a form a click opens would
come after its trigger expired (3 s), or that answers would come minutes late.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queues
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from slack_bolt import App, BoltRequest, BoltResponse

from bot.bootstrap import Services
from bot.slack.commands import SUBCOMMANDS
from bot.slack.commands.router import answers_later
from bot.slack.follow_ups import run_follow_up
from bot.slack.request import SlackRequest

log = logging.getLogger(__name__)

WORK_THREADS = 8  # requests at work at once; mostly waiting on Slack or the database
WORK_QUEUE_LIMIT = 2 * WORK_THREADS
STOP_SECONDS = 10.0  # for the work in hand when the bot stops
# When the cores are busy, acknowledgements (the front) come before work that can wait.
WORK_NICENESS = 5

# What travels to the work app: the request as Slack sent it (body, query, headers), or a
# follow-up (its name and arguments).
Raw = tuple[str, dict[str, Any], dict[str, Any]]
Item = tuple[str, Any]  # (REQUEST, Raw) or (FOLLOW_UP, (name, arguments))
REQUEST, FOLLOW_UP = "request", "follow-up"


def acknowledged_first(body: dict[str, Any]) -> bool:
    """Whether a request's acknowledgement can be given before any of its work."""
    if body.get("type") in ("block_actions", "event_callback"):
        return True
    command = body.get("command")
    return isinstance(command, str) and answers_later(str(body.get("text") or ""), SUBCOMMANDS)


class Deferral(Protocol):
    def submit(self, request: BoltRequest) -> bool:
        """Hand the request to the work app; False when there is no room (serve it here)."""
        ...

    def follow_up(self, name: str, args: tuple[Any, ...]) -> bool:
        """Hand a follow-up to the work app; False when there is no room (do it here)."""
        ...

    def close(self) -> None: ...


def install_front(app: App, services: Services, deferral: Deferral) -> None:
    """The last global middleware, so a request the guard refuses or the sanitizer answers
    never reaches the work app."""

    @app.middleware
    def acknowledge_first(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body if isinstance(req.body, dict) else {}
        if acknowledged_first(body) and deferral.submit(req):
            return BoltResponse(status=200, body="")
        return next()


def raw(request: BoltRequest) -> Raw:
    return request.raw_body, dict(request.query or {}), dict(request.headers)


class Work:
    """The work side: the work app, and the services follow-ups run with."""

    def __init__(self, app: App, services: Services) -> None:
        self.app = app
        self.services = services

    def run(self, item: Item) -> None:
        """One request through the work app to the end of its listener, or one follow-up;
        never raises."""
        kind, what = item
        try:
            if kind == REQUEST:
                body, query, headers = what
                self.app.dispatch(SlackRequest(body=body, query=query, headers=headers))  # type: ignore[arg-type]
            else:
                name, args = what
                run_follow_up(self.services, name, args)
        except Exception:
            log.exception("work handed over from the front failed")


class _Handing:
    """What both deferrals share: a request or a follow-up becomes one item to hand over."""

    def submit(self, request: BoltRequest) -> bool:
        return self._hand((REQUEST, raw(request)))

    def follow_up(self, name: str, args: tuple[Any, ...]) -> bool:
        return self._hand((FOLLOW_UP, (name, args)))

    def _hand(self, item: Item) -> bool:
        raise NotImplementedError


class ThreadDeferral(_Handing):
    """The work app on threads of this process."""

    def __init__(self, work: Work) -> None:
        self._work = work
        self._pool = ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="work")
        self._lock = threading.Lock()
        self._in_hand = 0

    @property
    def busy(self) -> bool:
        """Whether any request handed over is waiting or running (tests wait on it)."""
        with self._lock:
            return self._in_hand > 0

    def _hand(self, item: Item) -> bool:
        with self._lock:
            if self._in_hand >= WORK_QUEUE_LIMIT:
                return False
            self._in_hand += 1

        def work() -> None:
            try:
                self._work.run(item)
            finally:
                self._done()

        try:
            self._pool.submit(work)
        except RuntimeError:  # shutting down
            self._done()
            return False
        return True

    def _done(self) -> None:
        with self._lock:
            self._in_hand -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class ProcessDeferral(_Handing):
    """The work app in a process of its own, started again as soon as it dies (what it held is
    lost, as on a restart: a Home tab not refreshed, a click to make again)."""

    def __init__(self, build_work: Callable[[], Work]) -> None:
        """`build_work` runs in the work process: a module-level function (or a partial of
        one), so it can cross."""
        self._context = multiprocessing.get_context("spawn")
        self._build = build_work
        self._lock = threading.Lock()
        self._closed = False
        self._start()
        threading.Thread(target=self._watch, name="work-watch", daemon=True).start()

    def _start(self) -> None:
        # A new queue and count each time: what a dead process held is never released.
        self._queue: Any = self._context.Queue()
        self._room: Any = self._context.BoundedSemaphore(WORK_QUEUE_LIMIT)
        self._process = self._context.Process(
            target=work_process,
            args=(self._build, self._queue, self._room),
            name="mentoring-work",
            daemon=True,
        )
        self._process.start()
        log.info("work process %s started", self._process.pid)

    def _watch(self) -> None:
        """The one place that waits for the work process to end, and replaces it."""
        while True:
            process = self._process
            process.join()
            with self._lock:
                if self._closed:
                    return
                log.error(
                    "the work process %s stopped (exit code %s); starting another",
                    process.pid,
                    process.exitcode,
                )
                self._start()

    def _hand(self, item: Item) -> bool:
        with self._lock:
            if self._closed or not self._room.acquire(block=False):
                return False
            self._queue.put(item)
            return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for _ in range(WORK_THREADS):
                self._queue.put(None)
        self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)


def work_process(build_work: Callable[[], Work], queue: Any, room: Any) -> None:
    """The work process: `WORK_THREADS` threads run what the front hands over, until it says
    stop or is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the front, which stops us
    os.nice(WORK_NICENESS)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    work = build_work()
    parent = multiprocessing.parent_process()

    def serve() -> None:
        while True:
            try:
                item = queue.get(timeout=1.0)
            except queues.Empty:
                if parent is not None and not parent.is_alive():
                    return
                continue
            if item is None:
                return
            try:
                work.run(item)
            finally:
                room.release()

    threads = [
        threading.Thread(target=serve, name=f"work-{n}", daemon=True) for n in range(WORK_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.info("work process %s stopped", os.getpid())
