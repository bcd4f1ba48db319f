"""Slack adapters: the Bolt app, its listeners, Block Kit builders and the HTTP server."""
