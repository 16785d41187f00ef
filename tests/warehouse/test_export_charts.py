"""The report's inline SVG charts and Danish wording (pure)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from warehouse import charts
from warehouse.presentation import change_text, danish_date, danish_datetime

D = dt.date


@pytest.mark.parametrize(
    ("dates", "unit", "first", "n_bins"),
    [
        ([D(2014, 5, 2), D(2014, 5, 2), D(2014, 5, 5)], "dag", (D(2014, 5, 2), 2), 4),
        ([D(2014, 3, 18), D(2014, 6, 30)], "uge", (D(2014, 3, 17), 1), 16),
        ([D(2013, 1, 31), D(2015, 3, 1)], "måned", (D(2013, 1, 1), 1), 27),
    ],
)
def test_time_bins_fill_gaps_and_pick_a_readable_unit(dates, unit, first, n_bins) -> None:
    got_unit, bins = charts.time_bins(dates)
    assert got_unit == unit and bins[0] == first and len(bins) == n_bins
    assert sum(c for _, c in bins) == len(dates)


def test_charts_are_well_formed_svg_with_one_bar_per_value() -> None:
    bars = charts.topic_bars([("Park & træer <3", 7, 76), ("Andet", 0, 0)])
    root = ET.fromstring(bars)
    rects = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(rects) == 4 and "Park &amp; træer &lt;3" in bars
    unit, bins = charts.time_bins([D(2014, 5, 2), D(2014, 5, 4)])
    line = ET.fromstring(charts.timeline(bins, unit))
    assert len(line.findall(".//{http://www.w3.org/2000/svg}rect")) == 3


def test_danish_words_for_change_and_dates() -> None:
    assert change_text("new", None, 4) == "nyt"
    assert change_text("growing", 4, 7) == "voksende: fra 4 til 7 idéer"
    assert change_text("shrinking", 3, 1) == "faldende: fra 3 til 1 idé"
    assert change_text("stable", 6, 6) == "stabilt: 6 idéer som sidst"
    assert danish_date(dt.datetime(2014, 12, 31, 23, 30, tzinfo=dt.UTC)) == "1. januar 2015"  # Danish local time
    assert danish_datetime(dt.datetime(2014, 5, 2, 9, 1, tzinfo=dt.UTC)) == "2. maj 2014 kl. 11:01"
