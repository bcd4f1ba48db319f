"""Block Kit builders: pure functions from plain values to blocks, testable without Slack."""
