"""A Slack bot that runs reverse mentoring programs."""
