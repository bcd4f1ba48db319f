"""A BoltRequest that parses form bodies by their keys.

Bolt 1.x treats any form body containing the letters "payload" as an interactivity payload, so
`/mentoring what is a payload` would arrive empty and be dropped as unhandled. Slash commands
carry people's free text, so we parse form bodies properly here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context


def parse_form_or_json(body: str, content_type: str | None) -> dict[str, Any]:
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return json.loads(body)
    params = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=False))
    if "payload" in params:
        return json.loads(params["payload"])
    return params


class SlackRequest(BoltRequest):
    def __init__(self, *, body: str, query: str, headers: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(body=body, query=query, headers=headers, **kwargs)
        parsed = parse_form_or_json(body, self.content_type)
        if not isinstance(parsed, dict):
            raise ValueError("a Slack request body must be an object")
        if parsed != self.body:
            self.body = parsed
            self.context = build_context(BoltContext(kwargs.get("context") or {}), parsed)

    def to_copyable(self) -> SlackRequest:
        # Lazy listeners run on a copy, which must be parsed the same way.
        return SlackRequest(
            body=self.raw_body,
            query=self.query,  # type: ignore[arg-type]
            headers=self.headers,
            context=self.context.to_copyable(),
            mode=self.mode,
        )
