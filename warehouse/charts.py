"""Charts for the report as inline SVG (pure: numbers in, markup out; no scripts, no external fonts).

Each chart comes in a wide form (class ``chart``, 760 units wide, drawn at about 1:1 on a desktop) and a narrow one
(class ``phone-chart``, 340 units, for screens under 860 px), so text never renders under 11 CSS px. Every text that
reaches the markup goes through ``escape``; the results are ``Markup`` for the report's autoescaping template.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

IDEAS_COLOUR = "#1f5f8b"
LIKES_COLOUR = "#d08c2a"
AXIS_COLOUR = "#6b7280"
MARKER_COLOUR = "#9b2c2c"
SOURCE_COLOUR = "#5b4b8a"  # an imported source (a meeting's notes, an Instagram media): not the Page's post
_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _axis(value: float) -> tuple[int, int]:
    """A round tick step (1, 2, 5 × 10^n) giving at most four steps, and the axis maximum it reaches."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if max(value, 1) <= 4 * m * step:
                return m * step, -(-max(int(value), 1) // (m * step)) * m * step
        step *= 10


SINGULAR = {"idéer": "idé", "likes": "like"}  # a bar's tooltip counts in Danish: 1 idé, 2 idéer


def _counted(n: int, unit: str) -> str:
    """`1 idé`, `2 idéer`, `1 like`, `2 likes` (the unit given in the plural)."""
    return f"{n} {SINGULAR.get(unit, unit) if n == 1 else unit}"


def _panel(x0: float, width: float, values: list[int], colour: str, unit: str, row_h: int, top: int) -> list[str]:
    top_value = max(values, default=0) or 1
    out = []
    for i, v in enumerate(values):
        y = top + i * row_h + 5
        w = max(width * v / top_value, 1.5 if v else 0)
        out.append(
            f'<rect class="bar {unit}" x="{x0:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 10}" fill="{colour}"'
            f' rx="2"><title>{_counted(v, unit)}</title></rect>'
            f'<text x="{x0 + w + 5:.1f}" y="{y + (row_h - 10) / 2 + 4:.1f}" font-size="12" fill="#111">{v}</text>'
        )
    return out


def topic_bars(rows: list[tuple[str, int, int]], *, width: int = 760) -> Markup:
    """Horizontal bars per topic: ideas on the left panel, likes (support) on the right, each on its own scale."""
    row_h, top, label_w = 30, 28, 230
    panel_w = (width - label_w - 70) / 2
    height = top + row_h * max(len(rows), 1) + 8
    ideas_x, likes_x = label_w, label_w + panel_w + 45
    parts = [
        f'<svg class="chart topic-bars" role="img" aria-labelledby="topic-bars-title" viewBox="0 0 {width} {height}"'
        f' width="100%" xmlns="http://www.w3.org/2000/svg" {_FONT}>',
        '<title id="topic-bars-title">Emner efter antal idéer og likes</title>',
        f'<text x="{ideas_x}" y="16" font-size="13" font-weight="600" fill="{IDEAS_COLOUR}">Idéer</text>',
        f'<text x="{likes_x:.1f}" y="16" font-size="13" font-weight="600" fill="{LIKES_COLOUR}">Likes</text>',
    ]
    for i, (label, _, _) in enumerate(rows):
        y = top + i * row_h + row_h / 2 + 4
        parts.append(
            f'<g class="topic-label"><title>{escape(label)}</title>'
            f'<text x="{label_w - 10}" y="{y:.1f}" font-size="13" text-anchor="end" fill="#111">'
            f"{escape(_short(label, 30))}</text></g>"
        )
    parts += _panel(ideas_x, panel_w - 30, [r[1] for r in rows], IDEAS_COLOUR, "idéer", row_h, top)
    parts += _panel(likes_x, panel_w - 30, [r[2] for r in rows], LIKES_COLOUR, "likes", row_h, top)
    parts.append("</svg>")
    return Markup("".join(parts))


PHONE_WIDTH = 340  # about the width a section has on a 400 px phone, so the phone charts draw at about 1:1
PHONE_FONT = 13


def topic_bars_phone(rows: list[tuple[str, int, int]], *, width: int = PHONE_WIDTH) -> Markup:
    """The topic bars for a narrow screen: per topic its label on a line of its own, then an ideas bar and a likes
    bar under it, each bar on its own scale, every text at 13 units."""
    f = PHONE_FONT
    label_h, bar_h, gap = f + 6, f + 3, 10
    block = label_h + 2 * bar_h + gap
    value_room = 5 + 4 * f * 0.62  # room for a four-digit value after the longest bar
    bar_w = width - value_room
    most = [max((r[k] for r in rows), default=0) or 1 for k in (1, 2)]
    height = block * max(len(rows), 1)
    parts = [
        f'<svg class="phone-chart topic-bars-phone" role="img" aria-labelledby="topic-bars-phone-title"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"'
        f" {_FONT}>",
        '<title id="topic-bars-phone-title">Emner efter antal idéer (blå) og likes (orange)</title>',
    ]
    for i, (label, n_ideas, likes) in enumerate(rows):
        y = i * block
        parts.append(f'<g class="topic-label"><title>{escape(label)}</title><text x="0" y="{y + f:.1f}"'
                     f' font-size="{f}" font-weight="600" fill="#111">{escape(_short(label, 44))}</text></g>')
        for k, (value, colour, unit) in enumerate(((n_ideas, IDEAS_COLOUR, "idéer"), (likes, LIKES_COLOUR, "likes"))):
            by = y + label_h + k * bar_h
            w = max(bar_w * value / most[k], 1.5 if value else 0)
            parts.append(
                f'<rect class="bar {unit}" x="0" y="{by:.1f}" width="{w:.1f}" height="{bar_h - 3}" fill="{colour}"'
                f' rx="2"><title>{_counted(value, unit)}</title></rect>'
                f'<text x="{w + 5:.1f}" y="{by + bar_h - 5:.1f}" font-size="{f}" fill="#111">{value}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def time_bins(dates: list[dt.date], extent: Sequence[dt.date] = ()) -> tuple[str, list[tuple[dt.date, int]]]:
    """Count dates per day (up to 62 days), per week (up to two years) or per month, with empty bins filled in;
    the bins also reach the dates in ``extent`` (the consultation's posts), which are not counted.

    Returns the bin unit ("dag", "uge" or "måned") and (bin start, count) pairs in order.
    """
    if not dates:
        return "dag", []
    first, last = min([*dates, *extent]), max([*dates, *extent])
    span = (last - first).days
    if span <= 62:
        unit, start = "dag", (lambda d: d)
    elif span <= 730:
        unit, start = "uge", (lambda d: d - dt.timedelta(days=d.weekday()))
    else:
        unit, start = "måned", (lambda d: d.replace(day=1))
    counts: dict[dt.date, int] = {}
    for d in dates:
        counts[start(d)] = counts.get(start(d), 0) + 1
    bins, current = [], start(first)
    while current <= start(last):
        bins.append((current, counts.get(current, 0)))
        current = start(current + dt.timedelta(days=1 if unit == "dag" else 7 if unit == "uge" else 32))
    return unit, bins


MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def _tick_label(d: dt.date, unit: str) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}" if unit == "måned" else f"{d.day}. {MONTHS[d.month - 1]}"


@dataclass(frozen=True)
class Marker:
    """A moment to mark on the timeline: when (local time), a short label, a tooltip, and its kind: ``post`` (a
    consultation's post, dashed) or ``source`` (an imported source's first item, dotted, another colour)."""

    at: dt.datetime
    label: str
    title: str
    kind: str = "post"


def _bin_end(start: dt.date, unit: str) -> dt.date:
    if unit == "dag":
        return start + dt.timedelta(days=1)
    if unit == "uge":
        return start + dt.timedelta(days=7)
    return start + dt.timedelta(days=calendar.monthrange(start.year, start.month)[1])


def marker_position(at: dt.datetime, bins: list[tuple[dt.date, int]], unit: str) -> float | None:
    """Where ``at`` falls on the time axis, in bins from the first bin's start (2.5: half-way through the third
    bin); None when it is outside the bins."""
    for i, (start, _) in enumerate(bins):
        end = _bin_end(start, unit)
        if start <= at.date() < end:
            begin = dt.datetime.combine(start, dt.time())
            return i + (at - begin) / (dt.datetime.combine(end, dt.time()) - begin)
    return None


def _marker_rows(xs: list[float], labels: list[str], font: float, right: float) -> list[tuple[int, bool]]:
    """Per marker, the label row (0 at the top) that keeps it clear of the labels before it, and whether it is
    written to the left of its line (near the right edge)."""
    ends: list[float] = []
    out = []
    for x, label in zip(xs, labels, strict=True):
        w = len(label) * font * 0.6 + 6
        left_side = x + w > right
        x0 = x - w if left_side else x
        row = next((r for r, end in enumerate(ends) if end < x0), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = x0 + w
        out.append((row, left_side))
    return out


def timeline(bins: list[tuple[dt.date, int]], unit: str, markers: Sequence[Marker] = (), *, width: int = 760,
             height: int = 220, font: float = 11, max_ticks: int = 8, phone: bool = False) -> Markup:
    """Columns of ideas per day/week/month, with a few round gridlines and date ticks, and a dashed line with a short
    label at each marker (the consultation's posts; dotted: imported sources). ``phone``: the narrow chart (class
    ``phone-chart``)."""
    placed = [(m, p) for m in markers if (p := marker_position(m.at, bins, unit)) is not None]
    left, right, bottom = 8 + 3 * font, 10, 20 + 1.5 * font
    n = max(len(bins), 1)
    slot = (width - left - right) / n
    xs = [left + p * slot for _, p in placed]
    rows = _marker_rows(xs, [m.label for m, _ in placed], font, width - right)
    top = 12 + (font + 4) * (1 + max((r for r, _ in rows), default=-1))
    plot_h = height - top - bottom
    step, y_max = _axis(max((c for _, c in bins), default=0))
    name, kind, size = ("timeline-phone", "phone-chart", f'width="{width}" height="{height}"') if phone else (
        "timeline", "chart", 'width="100%"')
    parts = [
        f'<svg class="{kind} {name}" role="img" aria-labelledby="{name}-title" viewBox="0 0 {width} {height}" {size}'
        f' xmlns="http://www.w3.org/2000/svg" {_FONT}>',
        f'<title id="{name}-title">Idéer pr. {unit}</title>',
    ]
    for value in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * value / y_max
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" font-size="{font}" text-anchor="end"'
            f' fill="{AXIS_COLOUR}">{value}</text>'
        )
    every = max(1, -(-n // max_ticks))
    for i, (start, count) in enumerate(bins):
        h = plot_h * count / y_max
        x = left + i * slot
        parts.append(
            f'<rect class="bar period" x="{x + slot * 0.1:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.8:.1f}"'
            f' height="{h:.1f}" fill="{IDEAS_COLOUR}">'
            f'<title>{_tick_label(start, unit)}: {_counted(count, "idéer")}</title></rect>'
        )
        if i % every == 0:
            tick = _tick_label(start, unit)
            tx, anchor = x + slot / 2, "middle"
            if tx + len(tick) * font * 0.3 > width:  # the last date would be cut at the chart's right edge
                tx, anchor = width - 1, "end"
            parts.append(
                f'<text class="axis" x="{tx:.1f}" y="{height - bottom + 6 + font}" font-size="{font}"'
                f' text-anchor="{anchor}" fill="{AXIS_COLOUR}">{tick}</text>'
            )
    for (marker, _), x, (row, left_side) in zip(placed, xs, rows, strict=True):
        ly = 10 + font + row * (font + 4)
        source = marker.kind == "source"
        colour, dash = (SOURCE_COLOUR, "1.5 2.5") if source else (MARKER_COLOUR, "4 3")
        parts.append(
            f'<g class="{"source" if source else "post"}-marker"><title>{escape(marker.title)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{ly - font:.1f}" y2="{top + plot_h:.1f}" stroke="{colour}"'
            f' stroke-width="1.5" stroke-dasharray="{dash}"/>'
            f'<text x="{x + (-4 if left_side else 4):.1f}" y="{ly:.1f}" font-size="{font}"'
            f' text-anchor="{"end" if left_side else "start"}" fill="{colour}" font-weight="600">'
            f"{escape(marker.label)}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
