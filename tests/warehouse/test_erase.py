"""Erasure and retention on a real DuckDB file: every table, raw and history included."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from transforms.records import comments_table, drop_suppressed
from warehouse import db, erase, load

POST = "111_222"
TABLES = {
    "raw_comments": "comment_id",
    "stg_comments": "comment_id",
    "stg_comment_history": "comment_id",
    "core_ideas": "idea_id",
    "core_idea_topics": "idea_id",
}


def _c(n: int, author: str, parent: int | None = None, message: str = "mere cykelsti") -> dict:
    comment = {"id": f"222_{n}", "message": f"{message} {n}", "created_time": f"2014-05-02T09:{n:02d}:00+0000",
               "from": {"author_key": author, "is_page": False}, "like_count": n}
    if parent:
        comment["parent"] = {"id": f"222_{parent}"}
    return comment


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = db.connect(tmp_path / "wh.duckdb")
    now = dt.datetime.now(dt.UTC)
    first = [_c(1, "aaaa"), _c(2, "bbbb", parent=1), _c(3, "aaaa"), _c(4, "cccc", parent=2)]
    load.save_scan(connection, comments_table(first, POST, "demo"), post_id=POST, run_id="r1", complete=True,
                   n_requests=1, now=now)
    edited = [_c(1, "aaaa", message="ændret"), *first[1:]]
    load.save_scan(connection, comments_table(edited, POST, "demo"), post_id=POST, run_id="r2", complete=True,
                   n_requests=1, now=now + dt.timedelta(seconds=1))
    ideas = connection.execute(
        """select comment_id as idea_id, consultation, 'facebook' as channel, message as text, created_at,
                  like_count, reply_count, author_key from stg_comments"""
    ).df()
    load.replace_ideas(connection, "demo", ideas, "facebook")
    connection.execute(
        "insert into core_idea_topics (topic_run_id, consultation, idea_id, topic_id, score, rank) "
        "select 't1', 'demo', idea_id, 1, 0.5, 1 from core_ideas"
    )
    yield connection
    connection.close()


def _ids(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"select {TABLES[table]} from {table}").fetchall()}


def test_forget_author_removes_their_comments_everywhere(con: duckdb.DuckDBPyConnection) -> None:
    n = erase.forget_author(con, "aaaa", dt.datetime.now(dt.UTC))
    for table in TABLES:
        assert not _ids(con, table) & {"222_1", "222_3"}, table
    assert "222_2" in _ids(con, "stg_comments")
    assert n >= 8
    assert con.execute("select kind, n_rows from core_erasures").fetchall() == [("facebook_user", n)]


def test_forget_comment_removes_its_thread_everywhere(con: duckdb.DuckDBPyConnection) -> None:
    erase.forget_comment(con, "222_2", dt.datetime.now(dt.UTC))
    for table in TABLES:
        assert not _ids(con, table) & {"222_2", "222_4"}, table
    assert {"222_1", "222_3"} <= _ids(con, "stg_comments")


def test_erasure_row_holds_no_personal_data(con: duckdb.DuckDBPyConnection) -> None:
    erase.forget_author(con, "aaaa", dt.datetime.now(dt.UTC))
    row = con.execute("select * from core_erasures").fetchone()
    assert "aaaa" not in str(row)


def test_erased_data_does_not_come_back_on_the_next_scan(con: duckdb.DuckDBPyConnection) -> None:
    erase.forget_author(con, "aaaa", dt.datetime.now(dt.UTC))
    erase.forget_comment(con, "222_2", dt.datetime.now(dt.UTC))
    authors, comments = erase.suppressed(con)
    rescan = [_c(1, "aaaa"), _c(2, "bbbb", parent=1), _c(3, "aaaa"), _c(4, "cccc", parent=2), _c(5, "dddd")]
    kept = drop_suppressed(rescan, authors, comments)
    assert [c["id"] for c in kept] == ["222_5"]


def test_purge_raw_keeps_recent_payloads(con: duckdb.DuckDBPyConnection) -> None:
    n_raw = con.execute("select count(*) from raw_comments").fetchone()[0]
    assert erase.purge_raw(con, 90, dt.datetime.now(dt.UTC)) == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=91)
    assert erase.purge_raw(con, 90, later) == n_raw
    assert con.execute("select count(*) from raw_comments").fetchone()[0] == 0
    assert con.execute("select count(*) from stg_comments").fetchone()[0] == 4


def test_an_erased_person_tagged_by_others_is_not_tagged_again() -> None:
    tagging = {**_c(7, "bbbb"), "message_tags": [{"id": "aaaa", "type": "user", "offset": 0, "length": 5},
                                                 {"id": "eeee", "type": "user", "offset": 6, "length": 4}]}
    (kept,) = drop_suppressed([tagging], {"aaaa"}, set())
    assert [t["id"] for t in kept["message_tags"]] == ["eeee"]
    assert [t["id"] for t in tagging["message_tags"]] == ["aaaa", "eeee"]  # the input is not changed


def test_compact_leaves_no_erased_bytes_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    con = db.connect(path)
    marker = "Zyxwvutsrqp-kanoturisme-idé"
    rows = [_c(n, "aaaa", message=f"{marker} {'x' * 2000}") for n in range(1, 60)]
    load.save_scan(con, comments_table(rows, POST, "demo"), post_id=POST, run_id="r1", complete=True, n_requests=1,
                   now=dt.datetime.now(dt.UTC))
    con.execute("checkpoint")
    erase.forget_author(con, "aaaa", dt.datetime.now(dt.UTC))
    con.close()
    db.compact(path)
    assert marker.encode() not in path.read_bytes()
    again = db.connect(path, read_only=True)
    assert again.execute("select count(*) from core_erasures").fetchone()[0] == 1
    assert again.execute("select count(*) from schema_migrations").fetchone()[0] >= 6
    again.close()


@pytest.mark.parametrize("folder", ["it's mine", "a 'quoted' \"name\" with spaces"])
def test_compact_works_on_a_path_with_quotes_and_spaces(tmp_path: Path, folder: str) -> None:
    """Issue 17 #8: compact() built `attach '<path>'` as text, so a `'` in the path failed after the rows were gone."""
    path = tmp_path / folder / "wh 'x' \"y\".duckdb"
    con = db.connect(path)
    marker = "Qwertzuiop-svaevebane-idé"
    rows = [_c(n, "aaaa", message=f"{marker} {'x' * 2000}") for n in range(1, 40)]
    load.save_scan(con, comments_table(rows, POST, "demo"), post_id=POST, run_id="r1", complete=True, n_requests=1,
                   now=dt.datetime.now(dt.UTC))
    con.execute("checkpoint")
    assert marker.encode() in path.read_bytes()
    erase.forget_author(con, "aaaa", dt.datetime.now(dt.UTC))
    con.close()
    db.compact(path)
    assert marker.encode() not in path.read_bytes()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "no temporary file or .wal left behind"
    again = db.connect(path, read_only=True)
    assert again.execute("select count(*) from core_erasures").fetchone()[0] == 1
    again.close()
