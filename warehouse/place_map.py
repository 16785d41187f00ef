"""The report's Steder section: ideas per place and a small inline SVG map of the points (no tiles, nothing
fetched). Every function returns HTML whose text is escaped, so it plugs into any template as safe markup."""

from __future__ import annotations

import math
from html import escape

import pandas as pd

WIDTH, HEIGHT, PAD = 440, 300, 36  # the map's box in SVG units, and room for the names at its edges
MIN_R, MAX_R = 4.0, 18.0  # circle radius of the place with one idea, and of the place with the most


def _projected(points: pd.DataFrame) -> list[tuple[str, float, float, int]]:
    """(place, x, y, ideas): longitude and latitude into the box, east-west scaled by cos(latitude) so a km is a km."""
    lat, lon = points["latitude"].astype(float), points["longitude"].astype(float)
    k = math.cos(math.radians(float(lat.mean())))
    xs, ys = lon * k, -lat
    span = max(float(xs.max() - xs.min()), float(ys.max() - ys.min()), 0.02)  # one place or a close pair: ~2 km
    scale = min(WIDTH - 2 * PAD, HEIGHT - 2 * PAD) / span
    cx, cy = float(xs.max() + xs.min()) / 2, float(ys.max() + ys.min()) / 2
    return [(str(p), WIDTH / 2 + (x - cx) * scale, HEIGHT / 2 + (y - cy) * scale, int(n))
            for p, x, y, n in zip(points["place"], xs, ys, points["n_ideas"], strict=True)]


def map_svg(summary: pd.DataFrame) -> str:
    """An SVG map of the places with coordinates: a circle per place sized by its ideas, its name beside it."""
    points = summary.dropna(subset=["latitude", "longitude"])
    if points.empty:
        return ""
    most = max(int(points["n_ideas"].max()), 1)
    marks = []
    for place, x, y, n in sorted(_projected(points), key=lambda p: -p[3]):  # big circles under small ones
        r = MIN_R + (MAX_R - MIN_R) * math.sqrt(n / most)
        label = escape(place)
        marks.append(
            f'<g class="place"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"><title>{label}: {n} idéer</title>'
            f'</circle><text x="{x + r + 3:.1f}" y="{y + 4:.1f}">{label}</text></g>'
        )
    return (
        f'<svg id="places-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="Kort over de steder idéerne nævner">'
        '<style>.place circle{fill:#2a6f97;fill-opacity:.55;stroke:#1b4965}.place text{font:12px sans-serif;'
        'fill:#222}</style>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f7f5" stroke="#ccd"/>{"".join(marks)}</svg>'
    )


def places_section(summary: pd.DataFrame | None) -> str:
    """The Steder section: the map and a table of places (ideas, citizens, likes, largest topics)."""
    if summary is None or summary.empty:
        body = '<p class="note">Ingen idéer nævner et sted, som værktøjet kender.</p>'
    else:
        rows = "".join(
            f"<tr><td>{escape(str(r.place))}</td><td>{int(r.n_ideas)}</td><td>{int(r.n_authors)}</td>"
            f"<td>{int(r.likes)}</td><td>{escape(str(r.top_topics))}</td></tr>"
            for r in summary.itertuples(index=False)
        )
        body = (
            '<p class="note">Byer, landsbyer og idéindsamlingens egne steder, som idéerne nævner (fundet i teksten; '
            "en idé kan nævne flere steder).</p>" + map_svg(summary)
            + '<table id="places-table"><thead><tr><th>Sted</th><th>Idéer</th><th>Borgere</th><th>Likes</th>'
            f"<th>Største emner</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return f'<section id="places" aria-labelledby="places-h">\n  <h2 id="places-h">Steder</h2>\n  {body}\n</section>'


def topic_places_html(names: list[str]) -> str:
    """A topic card's line of the places its ideas name (empty when none)."""
    if not names:
        return ""
    return f'<p class="places">Steder: {escape(", ".join(names))}</p>'
