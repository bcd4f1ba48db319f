"""The report's chart: meetings per week against the target, and mood over time, as a PNG.

Drawn with matplotlib's object API on the Agg canvas: no pyplot and no global state, so it is
safe on a server without a display and in the bot's worker threads.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.checkins import MOODS
from bot.reports import Report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 10, 6.5, 100  # inches, inches, dots per inch: a 1000 x 650 image
LABELLED_WEEKS = 26  # up to this many weeks, every week is labelled
MET = "#2e7d6b"
TARGET = "#c0392b"
MOOD = "#3f51b5"


def render_chart(report: Report) -> bytes:
    """Top: hours the pairs met each week (bars) against the weekly target for the pairs
    live that week (a line). Bottom: the average check-in mood of each period (1-5)."""
    # Imported here: matplotlib costs every process ~40 MiB, and only reports draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    meetings, mood = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    # parse_math off: a "$" in a program's name is text, not a formula to typeset.
    figure.suptitle(f"{report.program_name}: week by week", fontsize=13, parse_math=False)
    weeks = [week.number for week in report.weeks]
    if not weeks:
        meetings.text(0.5, 0.5, "No weeks to show yet", ha="center", va="center")
        mood.set_axis_off()
        meetings.set_axis_off()
        return _png(figure)

    hours_met = [week.minutes / 60 for week in report.weeks]
    target = [week.target_minutes / 60 for week in report.weeks]
    labelled = len(weeks) <= LABELLED_WEEKS
    held = sum(week.meetings for week in report.weeks)
    label = "hours met (on each bar: meetings)" if labelled else f"hours met ({held:,} meetings)"
    bars = meetings.bar(weeks, hours_met, color=MET, label=label)
    if labelled:
        meetings.bar_label(bars, labels=[str(w.meetings) for w in report.weeks], fontsize=8)
    meetings.stairs(
        target,
        [weeks[0] - 0.5, *(number + 0.5 for number in weeks)],
        baseline=None,  # no drop to zero at either end
        color=TARGET,
        linewidth=2,
        linestyle="--",
        label=f"target ({report.target_minutes} min a week per live pair)",
    )
    meetings.set_title("Meetings per week against the target", fontsize=11, loc="left")
    meetings.set_ylabel("hours")
    meetings.set_ylim(0, max([*hours_met, *target, 1]) * 1.2)
    meetings.legend(loc="upper left", fontsize=9, frameon=False)
    meetings.grid(axis="y", alpha=0.3)

    points = [(week.number, week.mood) for week in report.weeks if week.mood is not None]
    if points:
        mood.plot(
            [number for number, _ in points],
            [value for _, value in points],
            color=MOOD,
            marker="o",
            markersize=4,
            linewidth=2,
        )
    else:
        mood.text(0.5, 0.5, "No moods yet", ha="center", va="center", transform=mood.transAxes)
    mood.set_title("Average mood in check-ins", fontsize=11, loc="left")
    mood.set_ylim(0.8, 5.2)
    mood.set_yticks(list(MOODS), [f"{value} {word}" for value, word in MOODS.items()], fontsize=8)
    mood.grid(axis="y", alpha=0.3)
    mood.set_xlabel("program week")
    if labelled:
        mood.set_xticks(weeks)
    else:
        mood.xaxis.set_major_locator(MaxNLocator(integer=True))
    mood.set_xlim(0.4, weeks[-1] + 0.6)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    # No creation time or software version in the file: the same report, the same bytes.
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
