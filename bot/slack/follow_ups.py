"""Work a listener leaves once it has answered, by name, so that the front can hand it to the
work process (bot.slack.deferral) instead of doing it beside the next acknowledgements."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.bootstrap import Services

if TYPE_CHECKING:
    from bot.slack.listeners.join_form import SubmittedForm

log = logging.getLogger(__name__)


def refresh_home(services: Services, team_id: str, user_id: str) -> None:
    """Keep the Home tab in step with what just changed; it is rebuilt when opened anyway."""
    from bot.slack.listeners.home import publish_home

    try:
        publish_home(services, services.client, team_id, user_id)
    except Exception:  # best effort: the change itself is saved and confirmed already
        log.warning("could not refresh the Home tab of %s", user_id, exc_info=True)


def send_outbox(services: Services) -> None:
    services.send_soon()


def save_join_form(services: Services, form: SubmittedForm) -> None:
    """A submitted join (or profile) form, answered with "Saving…" (its listener's module)."""
    from bot.slack.listeners.join_form import save_form

    save_form(services, form)


FOLLOW_UPS: dict[str, Callable[..., None]] = {
    "home": refresh_home,
    "send": send_outbox,
    "join-form": save_join_form,
}


def run_follow_up(services: Services, name: str, args: tuple[Any, ...]) -> None:
    FOLLOW_UPS[name](services, *args)
