"""The Web API client every part of the bot uses."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

REQUEST_TIMEOUT_SECONDS = 10


def make_client(token: str | None, base_url: str) -> WebClient:
    """A client that honours SLACK_API_URL and retries 429s (after `Retry-After`) and 5xx."""
    client = WebClient(token=token, base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return client
