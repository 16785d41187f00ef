"""The planners' workbook, opened with openpyxl and checked against the warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import exportkit
import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from transforms.redact import contains_pii
from warehouse import export
from warehouse.non_ideas import KINDS_DA, NON_IDEA_HEADERS
from warehouse.presentation import IDEA_HEADERS, TOPIC_HEADERS


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, Workbook]:
    root = tmp_path_factory.mktemp("xlsx")
    con = exportkit.build(root / "wh.duckdb")
    paths = export.export_consultation(con, exportkit.SLUG, root / "exports", title=exportkit.TITLE,
                                       generated_at=exportkit.GENERATED_AT)
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    assert xlsx == Path(root / "exports" / exportkit.SLUG / f"{exportkit.SLUG}.xlsx")
    yield con, load_workbook(xlsx)
    con.close()


def _values(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _columns(ws, *names: str) -> list[tuple]:
    """The body rows' cells under the given headers, so a column added elsewhere does not shift the checks."""
    header = _values(ws)[0]
    at = [header.index(n) for n in names]
    return [tuple(row[i] for i in at) for row in _values(ws)[1:]]


def test_sheets_and_danish_headers(exported) -> None:
    _, wb = exported
    assert wb.sheetnames == ["Emner", "Idéer", "Ikke idéer"]
    assert _values(wb["Emner"])[0] == TOPIC_HEADERS == [
        "Emne nr.", "Emne", "Nøgleord", "Idéer", "Borgere", "Likes", "Ændring siden sidste kørsel", "Eksempler"]
    assert _values(wb["Idéer"])[0] == [*IDEA_HEADERS[:4], "Steder", *IDEA_HEADERS[4:]]  # Steder: issue 18
    assert IDEA_HEADERS == ["Idé-id", "Emne nr.", "Emne", "Idé", "Likes", "Svar", "Dato", "Kanal", "Link"]


def test_header_row_is_frozen_and_filterable_with_set_widths_and_wrapped_text(exported) -> None:
    _, wb = exported
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws["A1"].font.bold
        assert all(ws.column_dimensions[c.column_letter].width >= 7 for c in ws[1])
        assert all(c.alignment.wrap_text for c in ws[2])
    for ws, name in ((wb["Emner"], "Eksempler"), (wb["Idéer"], "Idé")):  # examples and idea texts get room
        letter = ws.cell(1, _values(ws)[0].index(name) + 1).column_letter
        assert ws.column_dimensions[letter].width >= 60


def test_topic_rows_match_the_warehouse(exported) -> None:
    con, wb = exported
    expected = con.execute(
        """select label, n_ideas, n_authors, total_likes from topics where consultation = ?
           order by topic_id = 0, n_ideas desc, topic_id""", [exportkit.SLUG]).fetchall()
    rows = _columns(wb["Emner"], *TOPIC_HEADERS[1:])
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [tuple(e) for e in expected]
    change = {r[0]: r[5] for r in rows}
    assert change == {
        "Park og træer": "voksende: fra 4 til 7 idéer",
        "Legeplads og børn": "nyt",
        "Skaterbane og sport": "stabilt: 3 idéer som sidst",
        "Andet": "voksende: fra 1 til 2 idéer",
    }
    park = rows[0]
    assert park[1] == "park, træer, bænke, bypark"
    assert park[6].count("• ") == 5 and "Hvad med en stor park" in park[6]


def test_idea_rows_match_the_warehouse_sorted_by_topic_then_support(exported) -> None:
    con, wb = exported
    expected = con.execute(
        """select topic_label, text, like_count, reply_count, created_at from ideas where consultation = ?""",
        [exportkit.SLUG]).fetchall()
    rows = _columns(wb["Idéer"], "Emne", "Idé", "Likes", "Svar", "Dato", "Kanal")
    assert len(rows) == len(expected) == 16
    assert sorted((r[0], r[1], r[2], r[3]) for r in rows) == sorted(tuple(e[:4]) for e in expected)
    topic_order = [r[0] for r in _columns(wb["Emner"], "Emne")]
    keys = [(topic_order.index(r[0]), -r[2]) for r in rows]
    assert keys == sorted(keys)
    assert {r[5] for r in rows} == {"Facebook"}
    # dates are real Excel dates in Danish local time (CEST is UTC+2 in May)
    first = next(r for r in rows if r[1].startswith("Hvad med en stor park"))
    assert first[4] == dt.datetime(2014, 5, 2, 11, 1)
    dato = _values(wb["Idéer"])[0].index("Dato") + 1
    assert wb["Idéer"].cell(2, dato).number_format == "dd-mm-yyyy hh:mm"


def test_id_columns_match_the_warehouse_so_a_planner_can_name_what_to_correct(exported) -> None:
    con, wb = exported
    topics = dict(con.execute("select label, topic_id from topics where consultation = ?", [exportkit.SLUG]).fetchall())
    assert {label: n for n, label in _columns(wb["Emner"], "Emne nr.", "Emne")} == topics
    ideas = {i: (t, label) for i, t, label in con.execute(
        "select idea_id, topic_id, topic_label from ideas where consultation = ?", [exportkit.SLUG]).fetchall()}
    assert {i: (n, label) for i, n, label in _columns(wb["Idéer"], "Idé-id", "Emne nr.", "Emne")} == ideas
    assert wb["Idéer"]["A1"].comment is not None and "topics move" in wb["Idéer"]["A1"].comment.text


def test_idea_rows_link_to_the_comment_on_facebook_when_the_warehouse_has_it(tmp_path: Path) -> None:
    con = exportkit.build(tmp_path / "wh.duckdb")
    try:
        idea_id = con.execute("select idea_id from ideas order by idea_id limit 1").fetchone()[0]
        link = f"https://www.facebook.com/silkeborgkommune/posts/1?comment_id={idea_id}"
        con.execute("update stg_comments set permalink_url = ? where comment_id = ?", [link, idea_id])
        paths = export.export_consultation(con, exportkit.SLUG, tmp_path / "exports", title=exportkit.TITLE,
                                           generated_at=exportkit.GENERATED_AT)
    finally:
        con.close()
    ws = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))["Idéer"]
    links = dict(_columns(ws, "Idé-id", "Link"))
    assert links[idea_id] == link and sum(v is not None for v in links.values()) == 1
    column = _values(ws)[0].index("Link") + 1
    cell = next(ws.cell(r, column) for r in range(2, ws.max_row + 1) if ws.cell(r, column).value == link)
    assert cell.hyperlink is not None and cell.hyperlink.target == link


def test_non_idea_rows_match_the_warehouse_with_kinds_in_danish_and_redacted_texts(exported) -> None:
    con, wb = exported
    ws = wb["Ikke idéer"]
    rows = _values(ws)
    assert rows[0] == NON_IDEA_HEADERS == ["Id", "Slags", "Begrundelse", "Tekst", "Likes", "Dato", "Kanal",
                                           "Gør den til en idé"]
    expected = con.execute(
        """select comment_id, kind, kind_reason, like_count from comments
           where consultation = ? and deleted_at is null and kind <> 'idea'""", [exportkit.SLUG]).fetchall()
    ideas = {i for (i,) in con.execute("select idea_id from ideas").fetchall()}
    body = rows[1:]
    # every comment that is not an idea, once, and none of the ideas; most liked first
    assert sorted((r[0], r[1], r[2], r[4]) for r in body) == sorted(
        (i, KINDS_DA[k], reason, likes) for i, k, reason, likes in expected)
    assert len(body) == 8 and not ideas & {r[0] for r in body}
    assert [r[4] for r in body] == sorted((r[4] for r in body), reverse=True)
    by_number = {int(r[0].rsplit("_", 1)[1]): r for r in body}
    assert {n: r[1] for n, r in by_number.items()} == {
        4: "Uden for emnet", 6: "Tak/ros", 7: "Tagging", 9: "Uden for emnet", 11: "Klage", 15: "Uden for emnet",
        21: "Spørgsmål", 24: "Kommunens svar"}
    # texts are redacted as ideas are: the tagged friend, the phone number and the staff name are gone
    assert by_number[7][3] == "@[navn] se her!"
    assert "[telefon]" in by_number[9][3] and "/[navn], Silkeborg Kommune" in by_number[24][3]
    assert all(contains_pii(r[3]) == [] for r in body)
    assert by_number[21][3] == "Hvornår starter byggeriet?" and by_number[21][5] == dt.datetime(2014, 5, 19, 11, 21)
    # how to bring one back: a command per row, and a note on the header
    assert by_number[4][7] == f"civic-ideas topics include {by_number[4][0]} --consultation {exportkit.SLUG}"
    assert "civic-ideas topics include ID" in ws["H1"].comment.text and ws["A1"].comment is not None
    assert "excluded by a planner" in by_number[4][2] and by_number[21][2] == "question without a proposal"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    import pandas as pd

    from warehouse.xlsx import Sheet, write_workbook

    frame = pd.DataFrame({"Idé": ['=HYPERLINK("http://example.com","klik")', "+45 til alle"], "Likes": [1, 2]})
    ws = load_workbook(write_workbook(tmp_path / "f.xlsx", [Sheet("Idéer", frame)]))["Idéer"]
    assert [(c.value, c.data_type) for c in ws["A"][1:]] == [
        ('=HYPERLINK("http://example.com","klik")', "s"), ("+45 til alle", "s")]
