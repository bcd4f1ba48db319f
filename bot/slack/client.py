"""The Web API client every part of the bot uses."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

REQUEST_TIMEOUT_SECONDS = 10
# A call a person waits on (a form's answer, or a "Saving…" view) fails within this long.
ANSWERING_TIMEOUT_SECONDS = 2


def make_client(token: str | None, base_url: str) -> WebClient:
    """A client that honours SLACK_API_URL and retries 429s (after `Retry-After`) and 5xx."""
    client = WebClient(token=token, base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return client


def answering_client(client: WebClient) -> WebClient:
    """For the few Slack calls a person watches a form wait on (is the sponsor a real person,
    before the program form's answer; who is joining, while the join form says "Saving…"): a
    rate limit or a slow Slack fails at once, and the form asks to try again, instead of the
    person waiting out a `Retry-After` (past Slack's 3 s, for an answer)."""
    return WebClient(
        token=client.token, base_url=client.base_url, timeout=ANSWERING_TIMEOUT_SECONDS
    )
