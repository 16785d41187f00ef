"""Charts for the report as inline SVG strings (pure: numbers in, markup out; no scripts, no external fonts)."""

from __future__ import annotations

import datetime as dt
from html import escape

IDEAS_COLOUR = "#1f5f8b"
LIKES_COLOUR = "#d08c2a"
AXIS_COLOUR = "#6b7280"
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


def topic_bars(rows: list[tuple[str, int, int]], *, width: int = 760) -> str:
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
    return "".join(parts)


def time_bins(dates: list[dt.date]) -> tuple[str, list[tuple[dt.date, int]]]:
    """Count dates per day (up to 62 days), per week (up to two years) or per month, with empty bins filled in.

    Returns the bin unit ("dag", "uge" or "måned") and (bin start, count) pairs in order.
    """
    if not dates:
        return "dag", []
    first, last = min(dates), max(dates)
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


def timeline(bins: list[tuple[dt.date, int]], unit: str, *, width: int = 760, height: int = 220) -> str:
    """Columns of ideas per day/week/month, with a few round gridlines and date ticks."""
    left, right, top, bottom = 40, 10, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    step, y_max = _axis(max((c for _, c in bins), default=0))
    parts = [
        f'<svg class="chart timeline" role="img" aria-labelledby="timeline-title" viewBox="0 0 {width} {height}"'
        f' width="100%" xmlns="http://www.w3.org/2000/svg" {_FONT}>',
        f'<title id="timeline-title">Idéer pr. {unit}</title>',
    ]
    for value in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * value / y_max
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{AXIS_COLOUR}">'
            f"{value}</text>"
        )
    n = max(len(bins), 1)
    slot = plot_w / n
    every = max(1, round(n / 8))
    for i, (start, count) in enumerate(bins):
        h = plot_h * count / y_max
        x = left + i * slot
        parts.append(
            f'<rect class="bar period" x="{x + slot * 0.1:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.8:.1f}"'
            f' height="{h:.1f}" fill="{IDEAS_COLOUR}">'
            f'<title>{_tick_label(start, unit)}: {_counted(count, "idéer")}</title></rect>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle"'
                f' fill="{AXIS_COLOUR}">{_tick_label(start, unit)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
