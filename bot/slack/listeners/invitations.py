"""The invite modal: opening it from a button, and inviting people when it is submitted.

The submission is checked for format while Slack waits (errors show on the modal's fields),
then acknowledged; the Slack look-ups, which take a while for a hundred addresses, run after
the ack, and the organizer gets the per-row report as a direct message.
"""

from __future__ import annotations

import http.client
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot import invitations, programs
from bot.bootstrap import Services
from bot.db import unit_of_work
from bot.invitations import DirectoryUnavailable, InvitationRefused, Person, Row
from bot.slack import ids
from bot.slack.blocks.common import escape, truncate
from bot.slack.blocks.invitations import invitation_message, notice_modal, report_message
from bot.slack.commands.invitations import NOTHING_OPEN, invite_view
from bot.slack.interaction import (
    ORGANIZERS_ONLY,
    SOMETHING_WRONG,
    TRY_AGAIN,
    Actor,
    acting_organizer,
    actor,
    field_errors,
    int_or_none,
    view_values,
)

log = logging.getLogger(__name__)

NOT_FOUND_ERRORS = frozenset({"users_not_found", "user_not_found"})
FIELD_ERROR_LENGTH = 150


class SlackDirectory:
    """Who an address or a user id is, asked of Slack (users.lookupByEmail, users.info)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def by_email(self, email: str) -> Person | None:
        return self._ask(self._client.users_lookupByEmail, email=email)

    def by_id(self, user_id: str) -> Person | None:
        return self._ask(self._client.users_info, user=user_id)

    def _ask(self, method: Any, **params: str) -> Person | None:
        try:
            user = method(**params)["user"]
        except SlackApiError as error:
            code = error.response.get("error") or f"http_{error.response.status_code}"
            if code in NOT_FOUND_ERRORS:
                return None
            raise DirectoryUnavailable(str(code)) from None
        except (OSError, http.client.HTTPException) as error:
            raise DirectoryUnavailable(f"network: {error}") from None
        return Person(
            user_id=user["id"],
            deleted=bool(user.get("deleted")),
            is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        )


def lookup_failed_text(error: DirectoryUnavailable) -> str:
    """What to tell an organizer when Slack could not say who someone is."""
    hint = (
        " The app needs the `users:read.email` scope: reinstall it from manifest.yml."
        if "missing_scope" in str(error)
        else " Please try again in a minute."
    )
    return f"I couldn't look people up in Slack ({error}), so nobody was invited.{hint}"


def register(app: App, services: Services) -> None:
    @app.action(ids.INVITE_OPEN)
    def open_from_button(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        who = actor(body)
        if not acting_organizer(services, who):
            _tell(body, client, respond, ORGANIZERS_ONLY)
            return
        try:
            program_id = int(body["actions"][0].get("value") or "")
        except ValueError:
            program_id = -1
        view, problem = invite_view(services, who.team_id, program_id=program_id)
        if view is None:
            _tell(body, client, respond, problem or NOTHING_OPEN)
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(ids.INVITE_MODAL)
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        who = actor(body)
        try:
            if not acting_organizer(services, who):
                ack(response_action="update", view=notice_modal(ORGANIZERS_ONLY))
                return
            program_id, rows, errors = _check(services, who, view_values(body["view"]))
        except SQLAlchemyError:
            log.exception("database error checking an invitation")
            ack(**field_errors({"program": TRY_AGAIN}))  # keep the modal and what was typed
            return
        if errors:
            ack(**field_errors(errors))
            return
        ack()
        text, blocks = _invite(services, client, who, program_id, rows)
        client.chat_postMessage(channel=who.user_id, text=text, blocks=blocks)


def _tell(body: dict[str, Any], client: WebClient, respond: Respond, text: str) -> None:
    """An ephemeral line under a message; from the Home tab, which has none, a small modal."""
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=notice_modal(text))


def _check(
    services: Services, who: Actor, values: dict[str, Any]
) -> tuple[int, list[Row], dict[str, str]]:
    """The program and rows to invite, or errors by modal field; no Slack calls, so it is fast."""
    errors: dict[str, str] = {}
    program_id = int_or_none(values.get("program"))
    if program_id is None:  # no choice, or a value no program of ours can have
        program_id = -1
    with unit_of_work(services.sessions) as session:
        program = programs.get(session, who.team_id, program_id)
        if program is None:
            errors["program"] = "Choose one of this workspace's programs."
        elif reason := invitations.refusal(program):
            errors["program"] = reason
    picked = [Row(user_id=user) for user in values.get("people") or [] if isinstance(user, str)]
    pasted = invitations.parse_emails(values.get("emails") or "")
    if pasted.problems:
        errors["emails"] = _not_emails(pasted.problems)
    elif not picked and not pasted.rows:
        errors["people"] = "Pick at least one person, or paste email addresses below."
    return program_id, picked + pasted.rows, errors


def _not_emails(problems: list[invitations.Problem]) -> str:
    """Name as many bad entries as fit in a field error (Slack shows 150 characters)."""
    verb = "is not an email address" if len(problems) == 1 else "are not email addresses"
    tail = f" {verb}. Fix or remove, then send again."
    names = [f"“{truncate(p.given, 30)}”" for p in problems]
    shown: list[str] = []
    for name in names:
        more = len(names) - len(shown) - 1
        candidate = ", ".join([*shown, name]) + (f" and {more} more" if more else "") + tail
        if shown and len(candidate) > FIELD_ERROR_LENGTH:
            break
        shown.append(name)
    rest = len(names) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest else "") + tail


def _invite(
    services: Services, client: WebClient, who: Actor, program_id: int, rows: list[Row]
) -> tuple[str, list[dict[str, Any]] | None]:
    """Look everyone up, invite, send soon; the report (or why nothing happened) to show."""
    try:
        resolved = invitations.resolve(rows, SlackDirectory(client))
        with unit_of_work(services.sessions) as session:
            program = programs.get(session, who.team_id, program_id)
            if program is None:
                raise InvitationRefused("That program no longer exists.")
            report = invitations.invite(
                session,
                program,
                resolved,
                who.user_id,
                services.clock.now(),
                message=invitation_message(program, who.user_id),
            )
    except DirectoryUnavailable as error:
        return lookup_failed_text(error), None
    except InvitationRefused as refused:
        return f"Nobody was invited: {escape(str(refused))}", None
    except SQLAlchemyError:
        log.exception("database error while inviting")
        return TRY_AGAIN, None
    except Exception:
        log.exception("error while inviting")
        return SOMETHING_WRONG, None
    if report.invited:
        services.send_soon()
    return report_message(report)
