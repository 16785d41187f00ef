"""Issue 18 #2: the dialogue overview. A thread the Graph API stand-in serves goes through the real HTTP extractor,
staging and idea detection; view `dialogue` and the files dialog.csv / dialog.xlsx say which questions and
complaints the Page's staff answered, and how fast."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dialoguekit as kit  # noqa: E402
import ingestkit  # noqa: E402  (on the path through dialoguekit)

from flows.pipeline import find_ideas  # noqa: E402
from transforms import records  # noqa: E402
from transforms.pseudonym import author_key  # noqa: E402
from warehouse import db, export  # noqa: E402

PERMALINK = f"https://www.facebook.com/{kit.PAGE_ID}/posts/200000000000002?comment_id="


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kit.build(tmp_path_factory.mktemp("dialogue") / "wh.duckdb")


@pytest.fixture(scope="module")
def exported(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dialogue-exports")
    with db.session(str(warehouse), read_only=True) as con:
        export.export_consultation(con, kit.SLUG, out, title="Dialog")
    return out / kit.SLUG


def _rows(warehouse: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("""select comment_id, kind, answered, hours_to_first_reply, first_staff_reply_at,
                                     permalink_url, message from dialogue""").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def _id(key: str) -> str:
    return kit.comment_id(key)


def test_questions_and_complaints_with_whether_and_when_staff_answered(warehouse: Path) -> None:
    rows = _rows(warehouse)
    got = {cid: (kind, answered, hours) for cid, (kind, answered, hours, *_rest) in rows.items()}
    assert got == {
        _id("question"): ("question", True, 3.0),      # the Page replied 3 h later
        _id("complaint"): ("complaint", False, None),  # only a neighbour replied
        _id("neighbour"): ("question", False, None),   # nobody from the municipality after it in the thread
        _id("follow_up"): ("question", True, 0.5),     # the signed staff reply 30 min later; not the one before it
    }  # the idea, the staff replies and the hidden question are not listed
    first_reply = rows[_id("question")][3]
    assert first_reply == dt.datetime(2014, 5, 2, 13, 0, tzinfo=dt.UTC)


def test_each_row_links_to_its_comment_on_facebook(warehouse: Path) -> None:
    rows = _rows(warehouse)
    assert rows[_id("question")][4] == PERMALINK + "1000000000000000"
    assert rows[_id("follow_up")][4] == PERMALINK + "1000000000000004&reply_comment_id=1000000000000006"


def test_a_deleted_staff_reply_no_longer_answers(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with ingestkit.serving(kit.dataset()) as standin:
        ingestkit.ingest(standin, warehouse, "r1")
        find_ideas.fn(str(warehouse), kit.SLUG)
        assert _rows(warehouse)[_id("question")][1] is True
        standin.delete_comment(_id("page_answer"))
        ingestkit.ingest(standin, warehouse, "r2")
    find_ideas.fn(str(warehouse), kit.SLUG)
    assert _rows(warehouse)[_id("question")][:3] == ("question", False, None)


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def test_dialog_csv_lists_unanswered_first_oldest_first_redacted(exported: Path) -> None:
    rows = _csv(exported / "dialog.csv")
    assert [r["comment_id"] for r in rows] == [_id("complaint"), _id("neighbour"), _id("follow_up"), _id("question")]
    assert list(rows[0]) == ["comment_id", "kind", "answered", "created_at", "first_staff_reply_at",
                             "hours_to_first_reply", "text", "like_count", "permalink_url", "channel"]
    assert {r["channel"] for r in rows} == {"facebook"}
    by_id = {r["comment_id"]: r for r in rows}
    assert by_id[_id("question")]["text"] == "Hvornår starter byggeriet? Ring til mig på [telefon]"
    assert by_id[_id("complaint")]["text"] == "Jeg synes bare det er spild af penge, skriv til [email]"
    assert by_id[_id("question")]["hours_to_first_reply"] == "3.0"
    assert by_id[_id("complaint")]["answered"] == "False" and by_id[_id("complaint")]["hours_to_first_reply"] == ""
    assert by_id[_id("question")]["permalink_url"] == PERMALINK + "1000000000000000"


def _authors() -> list[str]:
    people = (kit.CITIZEN, kit.NEIGHBOUR, kit.STAFF)
    keys = [author_key(p["id"], ingestkit.SALT) for p in people]
    return keys + [p["id"] for p in people] + [part for p in people for part in p["name"].split()]


def test_no_author_name_phone_or_email_in_the_dialog_files(exported: Path) -> None:
    texts = [(exported / "dialog.csv").read_text(encoding="utf-8")]
    texts += [str(v) for ws in load_workbook(exported / "dialog.xlsx").worksheets
              for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    shown = "\n".join(texts)
    for secret in [*_authors(), "23 45 67 89", "jens.hansen@example.com"]:
        assert secret not in shown, secret


def test_dialog_xlsx_has_the_overview_and_the_clickable_list(exported: Path) -> None:
    wb = load_workbook(exported / "dialog.xlsx")
    assert wb.sheetnames == ["Overblik", "Spørgsmål og klager"]
    overview = dict(list(wb["Overblik"].iter_rows(values_only=True))[1:])
    assert overview == {"Spørgsmål i alt": 3, "Klager i alt": 1, "Besvaret af kommunen i tråden": 2,
                        "Ikke besvaret": 2, "Timer til første svar, median": 1.8,  # of 0.5 and 3.0 h
                        "Timer til første svar, 90. percentil": 2.8}
    listing = wb["Spørgsmål og klager"]
    header = [c.value for c in listing[1]]
    first = dict(zip(header, [c for c in listing[2]], strict=True))
    assert first["Besvaret"].value == "nej" and first["Slags"].value == "Klage"
    assert first["Skrevet"].value == dt.datetime(2014, 5, 2, 13, 0)  # 11:00 UTC in Danish summer time
    assert first["Link"].hyperlink.target == PERMALINK + "1000000000000002"


def test_the_export_readme_carries_the_counts_and_the_columns(exported: Path) -> None:
    readme = (exported / "README.md").read_text(encoding="utf-8")
    assert "## dialog.csv, dialog.xlsx" in readme
    assert "| Ikke besvaret | 2 |" in readme and "| Timer til første svar, median | 1.8 |" in readme
    assert "| `hours_to_first_reply` |" in readme and "| `permalink_url` |" in readme


def test_staging_reads_the_permalink_alike_in_python_and_sql() -> None:
    comments = [{"id": f"1_{i}", "message": "x", "created_time": "2014-05-02T09:00:00+0000",
                 "permalink_url": [f"https://www.facebook.com/1/posts/2?comment_id={i}", None, {"x": 1}][i % 3]}
                for i in range(records.SQL_FROM_ROWS + 10)]
    payloads = records.payload_table(comments, "1_2")
    in_sql = records._records_in_sql(payloads, "c")
    assert in_sql is not None and in_sql.equals(records._records_py(payloads, "c"))
    assert in_sql["permalink_url"].to_pylist()[:3] == ["https://www.facebook.com/1/posts/2?comment_id=0", None, None]


def test_migration_0014_takes_stored_comments_links_from_their_latest_payload() -> None:
    con = duckdb.connect()
    migrations = sorted(db.MIGRATIONS_DIR.glob("*.sql"))
    for path in migrations[:migrations.index(db.MIGRATIONS_DIR / "0014_comment_permalink.sql")]:
        con.execute(path.read_text(encoding="utf-8"))
    con.execute("""insert into stg_comments (comment_id, post_id, consultation, is_page_reply, has_attachment,
                   like_count, reply_count, is_hidden, first_seen_at, changed_at)
                   select id, 'p', 'c', false, false, 0, 0, false, now(), now() from (values ('a'), ('b')) v(id)""")
    con.execute("""insert into raw_comments values
                   ('a', 'p', 'c', '{"permalink_url": "https://old"}', 'h1', '2014-05-01'),
                   ('a', 'p', 'c', '{"permalink_url": "https://new"}', 'h2', '2014-05-02'),
                   ('b', 'p', 'c', '{}', 'h3', '2014-05-02')""")
    con.execute((db.MIGRATIONS_DIR / "0014_comment_permalink.sql").read_text(encoding="utf-8"))
    assert con.execute("select comment_id, permalink_url from stg_comments order by 1").fetchall() == [
        ("a", "https://new"), ("b", None)]
