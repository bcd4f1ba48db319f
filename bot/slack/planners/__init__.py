"""Planners (what the tick sends, rendered for Slack) and health rules, one module per feature."""
