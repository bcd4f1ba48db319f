"""Entry point: `python app.py [migrate | tick [--now ISO-8601]]`. See `bot/cli.py`."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
