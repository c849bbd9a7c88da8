"""The quarter report's chart as a PNG: compliance (with full participation) per quarter, meetings
per pair per quarter, and the check-in scores of finished quarters (averages of enough answers).

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state, no display),
so it is safe in a scheduler thread. Sized and lettered to stay readable in Slack's preview,
which shows the image at roughly 480 pixels wide.
"""

from __future__ import annotations

import io
from typing import Any

from storage.reports import QuarterReport

WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.5, 4.8, 130
FONT_SIZE = 15
# Colour-blind-safe (Okabe-Ito): none, one, two or more meetings.
MEETING_BUCKETS = ("no meeting", "1 meeting", "2 or more")
BUCKET_COLOURS = ("#E69F00", "#56B4E9", "#0072B2")
COMPLIANCE_COLOUR = "#009E73"
PARTICIPATION_COLOUR = "#CC79A7"
SCORE_COLOURS = ("#F0E442", "#D55E00")  # usefulness, relationship
LATER_COLOUR = "#888888"


def quarter_chart_png(report: QuarterReport) -> bytes:
    # Imported here: matplotlib takes a moment to load, and only this job needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    title = f"{report.program_name}: {report.label} report".replace("$", r"\$")  # "$" starts math in matplotlib
    figure.suptitle(title, fontsize=FONT_SIZE + 3, fontweight="bold")
    left, middle, right = figure.subplots(1, 3)
    labels = [f"Q{q}\n{months}" for q, months in enumerate(report.quarter_months, start=1)]
    _compliance_panel(left, report, labels)
    _meetings_panel(middle, report, labels)
    _check_in_panel(right, report, labels)
    buffer = io.BytesIO()
    # No timestamp or version in the file: the same report gives the same bytes.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _style(axes: Any, title: str, labels: list[str]) -> None:
    axes.set_title(title, fontsize=FONT_SIZE + 1, loc="left")
    axes.set_xticks(range(len(labels)), labels, fontsize=FONT_SIZE - 3)
    axes.set_xlim(-0.5, len(labels) - 0.5)
    axes.tick_params(axis="y", labelsize=FONT_SIZE - 2)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _not_yet(axes: Any, index: int, y: float) -> None:
    axes.text(index, y, "to come", ha="center", va="bottom", fontsize=FONT_SIZE - 3, color=LATER_COLOUR)


def _compliance_panel(axes: Any, report: QuarterReport, labels: list[str]) -> None:
    _style(axes, "Pairs due that met", labels)
    _participation_line(axes, report)
    axes.set_ylim(0, 128)
    axes.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    for index in range(len(labels)):
        if index >= len(report.figures):
            _not_yet(axes, index, 3)
            continue
        figures = report.figures[index]
        compliance = figures.compliance
        if figures.rate is None:
            axes.text(index, 6, "none\ndue", ha="center", va="bottom", fontsize=FONT_SIZE - 2, color="#555555")
            continue
        height = figures.rate * 100
        axes.bar(index, height, color=COMPLIANCE_COLOUR, width=0.6)
        axes.text(
            index, height + 2, f"{round(height)}%\n{compliance.met_count}/{compliance.judged_count}",
            ha="center", va="bottom", fontsize=FONT_SIZE - 1, fontweight="bold",
        )  # fmt: skip


def _participation_line(axes: Any, report: QuarterReport) -> None:
    """Full participation (3 or more meetings in the year so far) at each quarter's end."""
    points = [
        (i, f.full_participation.rate * 100)
        for i, f in enumerate(report.program_figures)
        if f.full_participation.rate is not None
    ]
    if points:
        axes.plot(
            *zip(*points, strict=True), color=PARTICIPATION_COLOUR, marker="o", linewidth=2, label="3+ meetings, year so far"
        )


def _check_in_panel(axes: Any, report: QuarterReport, labels: list[str]) -> None:
    _style(axes, "Check-ins, 1 to 5", labels)
    axes.set_ylim(0, 6.4)
    axes.set_yticks([1, 2, 3, 4, 5])
    for index in range(len(labels)):
        figures = report.program_figures[index] if index < len(report.program_figures) else None
        if figures is None or figures.check_ins is None:
            _not_yet(axes, index, 0.2)
            continue
        scores = (figures.check_ins.usefulness, figures.check_ins.relationship)
        if all(score is None for score in scores):
            axes.text(index, 0.2, "too few\nanswers", ha="center", va="bottom", fontsize=FONT_SIZE - 4, color="#555555")
            continue
        for offset, score, colour in zip((-0.17, 0.17), scores, SCORE_COLOURS, strict=True):
            if score is not None:
                axes.bar(index + offset, score.mean, color=colour, width=0.32)
                axes.text(index + offset, score.mean + 0.1, f"{score.mean:.1f}", ha="center", va="bottom", fontsize=FONT_SIZE - 4)


def _meetings_panel(axes: Any, report: QuarterReport, labels: list[str]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    _style(axes, "Meetings per pair", labels)
    axes.set_ylabel("pairs", fontsize=FONT_SIZE - 2)
    counts = [figures.pairs_with_meetings(len(MEETING_BUCKETS)) for figures in report.figures]
    tallest = max((sum(c) for c in counts), default=0) or 1
    axes.set_ylim(0, tallest * 1.25)
    axes.yaxis.get_major_locator().set_params(integer=True)
    bottoms = [0] * len(counts)
    for bucket, (name, colour) in enumerate(zip(MEETING_BUCKETS, BUCKET_COLOURS, strict=False)):
        heights = [c[bucket] for c in counts]
        axes.bar(range(len(counts)), heights, bottom=bottoms, color=colour, width=0.6, label=name)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=False)]
    for index, figures in enumerate(report.figures):
        if figures.active_pairs:
            average = figures.meeting_count / figures.active_pairs
            axes.text(index, bottoms[index] + tallest * 0.02, f"{average:.1f}", ha="center", va="bottom",
                      fontsize=FONT_SIZE - 2, fontweight="bold")  # fmt: skip
    for index in range(len(report.figures), len(labels)):
        _not_yet(axes, index, tallest * 0.03)
    legend = [
        *(Patch(color=colour, label=name) for name, colour in zip(MEETING_BUCKETS, BUCKET_COLOURS, strict=True)),
        Line2D([], [], color=PARTICIPATION_COLOUR, marker="o", label="3+ meetings this year"),
        Patch(color=SCORE_COLOURS[0], label="useful"),
        Patch(color=SCORE_COLOURS[1], label="relationship"),
    ]
    axes.figure.legend(handles=legend, loc="outside lower center", ncol=len(legend), frameon=False, fontsize=FONT_SIZE - 4)
