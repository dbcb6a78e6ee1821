"""Bar charts drawn on the server as SVG, so the reports need no script and no outside resource.

A chart is plain geometry here; ``reports/bar_chart.html`` turns it into SVG.
"""

import math
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 260
LEFT = 44
RIGHT = 10
TOP = 10
BOTTOM = 40
# Longer category labels are cut, with the whole name kept in the bar's tooltip.
LABEL_LENGTH = 14


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    title: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    width: int
    height: int
    bars: list
    labels: list
    gridlines: list
    legend: list


def nice_maximum(value: float) -> int:
    """Return the axis maximum: ``value`` rounded up to an even whole number, and at least 2."""
    return max(2, 2 * math.ceil(value / 2))


def stacked_columns(title: str, categories: list[str], series: list[tuple[str, str, list[float]]]) -> Chart:
    """Lay out one stacked column per category; ``series`` is (name, CSS class, one value per category)."""
    totals = [sum(values[index] for _name, _css, values in series) for index in range(len(categories))]
    top = nice_maximum(max(totals, default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(categories), 1)
    bars, labels = [], []
    for index, category in enumerate(categories):
        x = LEFT + index * slot + slot * 0.2
        base = TOP + plot_height
        for name, css_class, values in series:
            value = values[index]
            if not value:
                continue
            height = plot_height * value / top
            base -= height
            bars.append(Bar(round(x, 1), round(base, 1), round(slot * 0.6, 1), round(height, 1), css_class, f"{category}: {value:g} {name}"))
        label = category if len(category) <= LABEL_LENGTH else category[: LABEL_LENGTH - 1] + "…"
        labels.append(Text(round(x + slot * 0.3, 1), HEIGHT - BOTTOM + 18, label))
    gridlines = [Text(LEFT, round(TOP + plot_height * (1 - fraction), 1), f"{top * fraction:g}") for fraction in (0, 0.5, 1)]
    described = "; ".join(f"{category}: {total:g}" for category, total in zip(categories, totals))
    return Chart(
        title=title,
        description=described or "No data.",
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        labels=labels,
        gridlines=gridlines,
        legend=[(css_class, name) for name, css_class, _values in series],
    )
