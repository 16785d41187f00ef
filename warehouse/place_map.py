"""The report's Steder section: ideas per place and a small inline SVG map of the points (no tiles, nothing
fetched). The map is markup built here with its text escaped; the section is the template places.html.j2."""

from __future__ import annotations

import math
from html import escape

import pandas as pd
from markupsafe import Markup

from warehouse.presentation import TEMPLATES, ideas_word

WIDTH, HEIGHT, PAD = 440, 300, 40  # the map's box in SVG units, and room for the names at its edges
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


def map_svg(summary: pd.DataFrame) -> Markup:
    """An SVG map of the places with coordinates: a circle per place sized by its ideas, its name beside it."""
    points = summary.dropna(subset=["latitude", "longitude"])
    if points.empty:
        return Markup("")
    most = max(int(points["n_ideas"].max()), 1)
    marks = []
    for place, x, y, n in sorted(_projected(points), key=lambda p: -p[3]):  # big circles under small ones
        r = MIN_R + (MAX_R - MIN_R) * math.sqrt(n / most)
        label = escape(place)
        marks.append(
            f'<g class="place"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"><title>{label}: {ideas_word(n)}</title>'
            f'</circle><text x="{x + r + 3:.1f}" y="{y + 4:.1f}">{label}</text></g>'
        )
    # 15 px names: the map shrinks to about 340 px on a phone, where they still read at 11 px or more
    return Markup(
        f'<svg id="places-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="Kort over de steder idéerne nævner">'
        '<style>.place circle{fill:#2a6f97;fill-opacity:.55;stroke:#1b4965}.place text{font:15px sans-serif;'
        'fill:#222}</style>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f7f5" stroke="#ccd"/>{"".join(marks)}</svg>'
    )


def places_rows(summary: pd.DataFrame | None) -> list[dict]:
    """The Steder table's rows as plain values (the template escapes them)."""
    if summary is None or summary.empty:
        return []
    return [{"place": str(r.place), "n_ideas": int(r.n_ideas), "n_authors": int(r.n_authors), "likes": int(r.likes),
             "top_topics": str(r.top_topics)} for r in summary.itertuples(index=False)]


def places_section(summary: pd.DataFrame | None) -> str:
    """The Steder section alone: the map and a table of places (ideas, citizens, likes, largest topics)."""
    rows = places_rows(summary)
    return TEMPLATES.get_template("places.html.j2").render(places=rows, places_map=map_svg(summary) if rows else "")
