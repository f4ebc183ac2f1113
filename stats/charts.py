"""The dashboard's charts, drawn by the portal itself as inline SVG (no script, no CDN; they print as they show).

Each function turns figures already read into geometry for `templates/stats/_chart_*.html`: no query here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from stats.selectors import Period

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 30
MAX_DAY_BARS = 62  # beyond two months, a bar per month


def tick_step(value: int) -> int:
    """A whole, readable step for four grid lines reaching at least `value`: 1, 2, 3, 4, 5, 6 or 8 × 10ⁿ."""
    quarter = max(value / 4, 1)
    power = 10 ** math.floor(math.log10(quarter))
    for step in (1, 2, 3, 4, 5, 6, 8, 10):
        if quarter <= step * power:
            return max(int(step * power), 1)
    return int(10 * power)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ColumnChart:
    """Received and resolved per day (or per month), side by side."""

    unit: str
    received: list[Bar]
    resolved: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    right_edge: int = WIDTH - RIGHT

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in (*self.received, *self.resolved))


def _buckets(period: Period) -> tuple[str, list[tuple[dt.date, dt.date, str]]]:
    if period.days <= MAX_DAY_BARS:
        days = [period.start + dt.timedelta(days=n) for n in range(period.days)]
        return str(_("ngày")), [(day, day, f"{day:%d/%m}") for day in days]
    buckets, month = [], period.start.replace(day=1)
    while month <= period.end:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        buckets.append((max(month, period.start), min(following - dt.timedelta(days=1), period.end), f"{month:%m/%Y}"))
        month = following
    return str(_("tháng")), buckets


def column_chart(*, days: list[dict], period: Period) -> ColumnChart:
    """Bars of received and resolved per day of the period, or per month for a longer one."""
    unit, buckets = _buckets(period)
    by_day = {row["day"]: row for row in days}
    sums = []
    for first, last, label in buckets:
        rows = [by_day[d] for d in by_day if first <= d <= last]
        sums.append((label, sum(r["received"] for r in rows), sum(r["resolved"] for r in rows)))
    step = tick_step(max([0, *(max(received, resolved) for _l, received, resolved in sums)]))
    top = 4 * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(sums), 1)
    bar_w = max(min(slot * 0.38, 28), 1.5)
    received, resolved, x_ticks = [], [], []
    every = max(1, math.ceil(len(sums) / 12))
    for n, (label, got, done) in enumerate(sums):
        centre = LEFT + slot * (n + 0.5)
        for value, dx, target, what in ((got, -bar_w, received, _("tiếp nhận")), (done, 0, resolved, _("giải quyết"))):
            height = plot_h * value / top
            title = f"{label}: {number_format(value, force_grouping=True)} {what}"
            target.append(
                Bar(
                    round(centre + dx, 2),
                    round(TOP + plot_h - height, 2),
                    round(bar_w, 2),
                    round(height, 2),
                    value,
                    title,
                )
            )
        if n % every == 0:
            x_ticks.append(Tick(round(centre, 2), label))
    y_ticks = [
        Tick(round(TOP + plot_h * (1 - n / 4), 2), number_format(step * n, 0, force_grouping=True)) for n in range(5)
    ]
    return ColumnChart(unit=unit, received=received, resolved=resolved, x_ticks=x_ticks, y_ticks=y_ticks)


@dataclass(frozen=True)
class Split:
    """One row of the punctuality chart: the shares of early, on time and late among its resolved dossiers."""

    label: str
    resolved: int
    early: float
    on_time: float
    late: float

    @property
    def on_time_start(self) -> float:
        return self.early

    @property
    def late_start(self) -> float:
        return self.early + self.on_time


def punctuality(rows: list[dict], *, limit: int = 12) -> list[Split]:
    """Early / on time / late shares per row (the largest by resolved first), for stacked bars of 100 %."""
    shown = sorted((row for row in rows if row["resolved"]), key=lambda row: -row["resolved"])[:limit]
    splits = []
    for row in shown:
        whole = row["resolved"]
        early = round(100 * row["early"] / whole, 2)
        late = round(100 * row["late"] / whole, 2)
        splits.append(Split(str(row["label"]), whole, early, round(100 - early - late, 2), late))
    return splits
