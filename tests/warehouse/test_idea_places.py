"""Places per idea in a real warehouse: the pipeline's tagging task, the idea_places and ideas views, ideas.csv,
the workbook's Steder column and sheet, the report's Steder section and map, and forget."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import exportkit
import openpyxl
import pytest
from chromium_cdp import Chromium, find_chromium

from flows.pipeline import tag_places
from flows.settings import Consultation
from warehouse import db, erase, export

IDS = {n: f"10152398154407346_{n:04d}" for n in (1, 2, 3, 10, 17)}
TEXTS = {  # ideas of the export kit, rewritten to name places (and one false friend)
    1: "Hvad med en stor park i Kjellerup med træer og bænke? Them-området mangler også en",
    2: "Skaterbane i Them til de unge, gerne med lys om aftenen",
    3: "Plant frugttræer ved Papirfabrikken og lav en bypark i Kjellerups midtby",
    10: "Boldbane og udendørs fitness, give them something to do",
    17: "Børnene i Sorring mangler en legeplads, gerne med gynger",
}
CONSULTATION = Consultation(slug=exportkit.SLUG, title=exportkit.TITLE, post_ids=[exportkit.POST_ID],
                            places=["Papirfabrikken", {"name": "Aarhusvej", "lat": 56.17, "lon": 9.56}])


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("places")
    path = root / "wh.duckdb"
    con = exportkit.build(path)
    for n, text in TEXTS.items():
        con.execute("update core_ideas set text = $t where idea_id = $i", {"t": text, "i": IDS[n]})
    con.close()
    assert tag_places(str(path), CONSULTATION) == 6
    assert tag_places(str(path), CONSULTATION) == 6  # again: replaced, not added
    with db.session(path) as con:
        paths = export.export_consultation(con, exportkit.SLUG, root / "exports", title=exportkit.TITLE,
                                           generated_at=exportkit.GENERATED_AT)
    return path, paths


def test_idea_places_view_has_one_row_per_idea_and_place(tagged) -> None:
    path, _ = tagged
    with db.session(path, read_only=True) as con:
        rows = con.execute("select idea_id, consultation, place, latitude, longitude from idea_places").fetchall()
        lists = dict(con.execute("select idea_id, places from ideas where len(places) > 0").fetchall())
    by_idea = {}
    for idea_id, consultation, place, lat, lon in rows:
        assert consultation == exportkit.SLUG
        by_idea.setdefault(idea_id, []).append((place, lat is not None and lon is not None))
    assert by_idea == {
        IDS[1]: [("Kjellerup", True), ("Them", True)], IDS[2]: [("Them", True)],
        IDS[3]: [("Papirfabrikken", False), ("Kjellerup", True)], IDS[17]: [("Sorring", True)],
    }
    assert lists == {i: [p for p, _ in v] for i, v in by_idea.items()}  # ideas.places, in order of mention


def test_ideas_csv_has_places_column(tagged) -> None:
    _, paths = tagged
    path = next(p for p in paths if p.name == "ideas.csv")
    rows = {r["idea_id"]: r["places"] for r in csv.DictReader(io.StringIO(path.read_text("utf-8"), newline=""))}
    assert rows[IDS[1]] == "Kjellerup; Them" and rows[IDS[3]] == "Papirfabrikken; Kjellerup"
    assert rows[IDS[10]] == ""  # "give them something to do"


def test_workbook_has_steder_column_and_sheet(tagged) -> None:
    _, paths = tagged
    book = openpyxl.load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    ideas = list(book["Idéer"].values)
    column = ideas[0].index("Steder")
    assert {r[ideas[0].index("Idé-id")]: r[column] for r in ideas[1:]}[IDS[2]] == "Them"
    steder = list(book["Steder"].values)
    assert steder[0] == ("Sted", "Idéer", "Borgere", "Likes", "Største emner")
    by_place = {r[0]: r[1:] for r in steder[1:]}
    likes = {n: c[3] for c in exportkit.COMMENTS for n in [c[0]]}
    assert by_place["Kjellerup"][:3] == (2, 2, likes[1] + likes[3])
    assert by_place["Them"][0] == 2 and "Park og træer" in by_place["Kjellerup"][3]
    assert set(by_place) == {"Kjellerup", "Them", "Papirfabrikken", "Sorring"}


def test_report_has_steder_section_with_svg_map(tagged) -> None:
    _, paths = tagged
    html = next(p for p in paths if p.name == "report.html").read_text("utf-8")
    start = html.index('<svg id="places-map"')
    svg = ET.fromstring(html[start:html.index("</svg>", start) + len("</svg>")])
    names = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert sorted(names) == ["Kjellerup", "Sorring", "Them"]  # Papirfabrikken has no coordinates
    radii = {t.text: float(c.get("r")) for g in svg.iter("{http://www.w3.org/2000/svg}g")
             for c, t in [(g[0], g[1])]}
    assert radii["Kjellerup"] > radii["Sorring"]  # two ideas against one
    assert '<p class="places">Steder: Kjellerup, Papirfabrikken, Them</p>' in html  # the park topic: most first


MAP = """(() => {
  const svg = document.querySelector('#places svg#places-map');
  const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {box: [Math.round(r.width), Math.round(r.height)],
          circles: [...document.querySelectorAll('#places-map circle')].map(c => Math.round(c.getBBox().width)),
          names: [...document.querySelectorAll('#places-map text')].map(t => t.textContent).sort(),
          rows: document.querySelectorAll('#places-table tbody tr').length};
})()"""


def test_map_renders_in_the_browser(tagged) -> None:
    binary = find_chromium()
    if binary is None:
        pytest.fail("chromium is not installed: run `make browser` (as root) or `apt-get install chromium`")
    _, paths = tagged
    with Chromium(binary) as browser:
        page = browser.load(next(p for p in paths if p.name == "report.html").as_uri())
        seen = browser.evaluate(MAP)
    assert page.errors == [] and page.remote_requests == []
    assert seen["box"][0] > 300 and seen["box"][1] > 200
    assert seen["names"] == ["Kjellerup", "Sorring", "Them"] and all(w >= 8 for w in seen["circles"])
    assert seen["rows"] == 4  # Papirfabrikken is in the table, without a point on the map


def test_map_escapes_place_names() -> None:
    import pandas as pd

    from warehouse.place_map import places_section

    summary = pd.DataFrame({"place": ["<script>x</script>"], "latitude": [56.1], "longitude": [9.5],
                            "n_ideas": [1], "n_authors": [1], "likes": [0], "top_topics": ["a & b"]})
    html = places_section(summary)
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html


def test_forget_drops_place_rows(tagged, tmp_path: Path) -> None:
    path, _ = tagged
    copy = tmp_path / "wh.duckdb"
    copy.write_bytes(path.read_bytes())
    with db.session(copy) as con:
        erase.forget_comment(con, IDS[17], dt.datetime(2014, 6, 1, tzinfo=dt.UTC))
        left = con.execute("select count(*) from core_idea_places where idea_id = $i", {"i": IDS[17]}).fetchone()[0]
    assert left == 0
