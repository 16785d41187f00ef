"""Loads into a real DuckDB file: idempotent upserts, edit history, soft deletes, raw versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from transforms.records import comments_table
from warehouse import db, load

POST = "111_222"


def _comment(n: int, message: str = "forslag", parent: int | None = None, likes: int = 0) -> dict:
    comment = {
        "id": f"222_{n}",
        "message": f"{message} {n}",
        "created_time": f"2014-05-02T09:{n:02d}:00+0000",
        "from": {"author_key": f"k{n % 3}", "is_page": False},
        "like_count": likes,
        "comment_count": 0,
    }
    if parent is not None:
        comment["parent"] = {"id": f"222_{parent}"}
    return comment


def _scan(con: duckdb.DuckDBPyConnection, comments: list[dict], run: str, complete: bool = True,
          at: dt.datetime | None = None) -> dict[str, int]:
    table = comments_table(comments, POST, "demo")
    now = at or dt.datetime.now(dt.UTC)
    return load.save_scan(con, table, post_id=POST, run_id=run, complete=complete, n_requests=1, now=now)


def _table_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = ["raw_comments", "stg_comments", "stg_comment_history"]
    return {t: con.execute(f"select count(*), sum(hash(t::varchar)) from {t} as t").fetchone() for t in tables}


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = db.connect(tmp_path / "wh.duckdb")
    yield connection
    connection.close()


def test_migrations_are_recorded_once_and_views_exist(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    first = db.connect(path)
    applied = [r[0] for r in first.execute("select name from schema_migrations order by name").fetchall()]
    first.close()
    again = db.connect(path)
    assert db.migrate(again) == []
    views = {r[0] for r in again.execute("select view_name from duckdb_views() where not internal").fetchall()}
    again.close()
    assert applied[0] == "0001_create_raw.sql" and len(applied) >= 3
    assert {"comments", "ideas", "topics", "runs"} <= views


def test_second_load_of_unchanged_data_changes_no_row(con: duckdb.DuckDBPyConnection) -> None:
    comments = [_comment(1), _comment(2, parent=1), _comment(3)]
    assert _scan(con, comments, "r1")["changed"] == 3
    before = _table_hashes(con)
    assert _scan(con, comments, "r2") == {"changed": 0, "deleted": 0, "complete": True}
    assert _table_hashes(con) == before
    assert con.execute("select count(*) from comments").fetchone()[0] == 3


def test_duplicate_ids_in_one_batch_are_loaded_once(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(1), _comment(1), _comment(2)], "r1")
    assert con.execute("select count(*) from stg_comments").fetchone()[0] == 2


def test_edit_keeps_the_earlier_version(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(1), _comment(2)], "r1")
    edited = _comment(1, message="ændret")
    assert _scan(con, [edited, _comment(2)], "r2")["changed"] == 1
    history = con.execute("select comment_id, message from stg_comment_history").fetchall()
    assert history == [("222_1", "forslag 1")]
    assert con.execute("select message from comments where comment_id = '222_1'").fetchone()[0] == "ændret 1"
    assert con.execute("select count(*) from raw_comments where comment_id = '222_1'").fetchone()[0] == 2


def test_like_change_updates_the_row_without_history(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(1)], "r1")
    _scan(con, [_comment(1, likes=7)], "r2")
    assert con.execute("select like_count from comments").fetchone()[0] == 7
    assert con.execute("select count(*) from stg_comment_history").fetchone()[0] == 0


def test_complete_scan_tombstones_missing_comments(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(1), _comment(2, parent=1), _comment(3)], "r1")
    counts = _scan(con, [_comment(1), _comment(2, parent=1)], "r2")
    assert counts["deleted"] == 1
    row = con.execute(
        "select message, author_key, deleted_at is not null from comments where comment_id = '222_3'"
    ).fetchone()
    assert row == (None, None, True)
    assert con.execute("select count(*) from raw_comments where comment_id = '222_3'").fetchone()[0] == 0


def test_incomplete_scan_never_marks_deleted(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(1), _comment(2), _comment(3)], "r1")
    counts = _scan(con, [_comment(1)], "r2", complete=False)
    assert counts["deleted"] == 0
    assert con.execute("select count(*) from comments where deleted_at is null").fetchone()[0] == 3


def test_post_deleted_tombstones_all_its_comments(con: duckdb.DuckDBPyConnection) -> None:
    load.save_post(con, {"id": POST, "message": "Idéer?", "created_time": "2014-05-01T08:00:00+0000"}, "demo",
                   dt.datetime.now(dt.UTC))
    _scan(con, [_comment(1), _comment(2, parent=1)], "r1")
    assert load.mark_post_deleted(con, POST, dt.datetime.now(dt.UTC)) == 2
    assert con.execute("select count(*) from comments where message is not null").fetchone()[0] == 0
    assert con.execute("select deleted_at is not null from stg_posts").fetchone()[0] is True


def test_last_seen_at_follows_the_scans(con: duckdb.DuckDBPyConnection) -> None:
    t1 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    t2 = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    _scan(con, [_comment(1), _comment(2)], "r1", at=t1)
    _scan(con, [_comment(1)], "r2", at=t2)
    rows = dict(con.execute("select comment_id, last_seen_at from comments").fetchall())
    assert rows["222_1"] == t2
    assert rows["222_2"] == t1


def test_read_only_connection_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    db.connect(path).close()
    ro = db.connect(path, read_only=True)
    with pytest.raises(duckdb.Error, match="read-only"):
        ro.execute("delete from stg_comments")
    ro.close()


def test_read_only_open_of_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(db.WarehouseError, match="civic-ideas demo"):
        db.connect(tmp_path / "nope.duckdb", read_only=True)


def test_a_scan_that_sees_nothing_deletes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(n) for n in range(1, 13)], "r1")
    assert _scan(con, [], "r2") == {"changed": 0, "deleted": 0, "complete": False}
    assert con.execute("select count(*) from comments where deleted_at is null").fetchone()[0] == 12
    assert con.execute("select is_complete from stg_post_scans where run_id = 'r2'").fetchone()[0] is False


def test_the_only_comment_of_a_post_can_be_deleted(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(1)], "r1")
    assert _scan(con, [], "r2") == {"changed": 0, "deleted": 1, "complete": True}


def test_a_scan_that_would_delete_most_of_a_thread_is_not_believed(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(n) for n in range(1, 31)], "r1")
    assert _scan(con, [_comment(n) for n in range(1, 6)], "r2")["deleted"] == 0
    assert _scan(con, [_comment(n) for n in range(1, 21)], "r3")["deleted"] == 10


def test_an_author_who_becomes_invisible_keeps_the_stored_key(con: duckdb.DuckDBPyConnection) -> None:
    _scan(con, [_comment(1)], "r1")
    anonymous = _comment(1)
    del anonymous["from"]
    _scan(con, [anonymous], "r2")
    assert con.execute("select author_key from comments").fetchone()[0] == "k1"
