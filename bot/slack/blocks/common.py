"""Small Block Kit pieces shared by the builders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.slack import ids

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3000


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: no mentions, links or `<!channel>` from what people type."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def section(text: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT)},
    }


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, 150)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, 2000)}]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, primary: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75]},
        "action_id": action_id,
        "value": value,
    }
    if primary:
        element["style"] = "primary"
    return element


def join_button(program_id: int) -> dict[str, Any]:
    """The one Join button: invitations, announcements and the Home tab all use it."""
    return button("Join", ids.JOIN, str(program_id), primary=True)


def when(instant: datetime) -> str:
    """`<!date^…>`: Slack shows it in each reader's own zone; the fallback is UTC."""
    epoch = int(instant.timestamp())
    fallback = instant.strftime("%a %d %b %Y %H:%M UTC")
    return f"<!date^{epoch}^{{date_long_pretty}} at {{time}}|{fallback}>"
