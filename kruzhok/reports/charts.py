"""Charts of a report as PNG (matplotlib, Agg backend, DejaVu Sans for Cyrillic and Kazakh letters)."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402

if TYPE_CHECKING:
    from kruzhok.reports.document import Chart

COLOURS = ["#2f6db5", "#e07b39", "#4fa35a", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c", "#ccb974",
           "#64b5cd"]
plt.rcParams["font.family"] = "DejaVu Sans"
# Fixed margins instead of tight_layout (which draws the figure twice): room for long labels on the left of bars
# and for the legend right of the pie.
MARGINS = {"bar": {"left": 0.3, "right": 0.95, "top": 0.9, "bottom": 0.14},
           "pie": {"left": 0.0, "right": 0.55, "top": 0.9, "bottom": 0.05},
           "line": {"left": 0.1, "right": 0.96, "top": 0.9, "bottom": 0.22}}


def _wrap(label: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


MANY_BARS = 20  # past this, a bar chart grows taller (up to a landscape page) and its labels get smaller


def _size(chart: Chart) -> tuple[float, float]:
    if chart.kind == "bar" and len(chart.labels) > MANY_BARS:  # the regional chart: one bar per municipality
        return 6.4, min(7.0, 1.0 + 0.1 * len(chart.labels))
    return 6.4, 3.6


def chart_png(chart: Chart, *, dpi: int = 100) -> bytes:
    """Render one chart; the same chart gives the same bytes (no timestamps in the PNG)."""
    figure = MplFigure(figsize=_size(chart), dpi=dpi)
    many = len(chart.labels) > MANY_BARS
    axes = figure.add_subplot()
    values = [float(v or 0) for v in chart.values]
    if chart.kind == "pie" and sum(values) > 0:
        wedges, _texts, _autotexts = axes.pie(values, colors=COLOURS[: len(values)], startangle=90,
                                              counterclock=False, autopct="%1.0f%%", pctdistance=0.78,
                                              textprops={"fontsize": 8, "color": "white"})
        axes.legend(wedges, [_wrap(label, 34) for label in chart.labels], loc="center left",
                    bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
        axes.axis("equal")
    elif chart.kind == "line":
        positions = list(range(len(values)))
        axes.plot(positions, values, marker="o", color=COLOURS[0])
        axes.set_xticks(positions, chart.labels)
        for x, y in zip(positions, values, strict=True):
            axes.annotate(_number(y), (x, y), textcoords="offset points", xytext=(0, 6),
                          ha="center", fontsize=7)
        axes.set_ylim(0, max(values + [1]) * 1.2)
        axes.tick_params(axis="x", labelsize=7, rotation=30)
        axes.grid(axis="y", alpha=0.3)
    else:
        positions = range(len(values))
        axes.barh(list(positions), values, color=COLOURS[0])
        axes.set_yticks(list(positions), [label if many else _wrap(label) for label in chart.labels],
                        fontsize=5 if many else 7)
        axes.invert_yaxis()
        for y, value in zip(positions, values, strict=True):
            axes.annotate(_number(value), (value, y), textcoords="offset points", xytext=(3, -2 if many else -3),
                          fontsize=5 if many else 7)
        axes.set_xlim(0, max(values + [1]) * 1.15)
        axes.grid(axis="x", alpha=0.3)
    if chart.unit:
        axes.set_xlabel(chart.unit, fontsize=8) if chart.kind == "bar" else axes.set_ylabel(chart.unit, fontsize=8)
    axes.set_title(chart.title, fontsize=9)
    figure.subplots_adjust(**MARGINS[chart.kind])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
