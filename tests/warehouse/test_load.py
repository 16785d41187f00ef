"""Loads into a real DuckDB file: idempotent upserts, edit history, soft deletes, raw versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
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


def _post_comments(post: str, numbers: range, message: str = "forslag") -> list[dict]:
    return [{**_comment(n, message), "id": f"{post.split('_')[1]}_{n}"} for n in numbers]


def test_one_batch_of_posts_loads_as_each_post_alone(tmp_path: Path) -> None:
    """`save_scans` does each step once for all posts; per post it must give what `save_scan` gives post by post:
    a complete full scan deletes (when believable), an incomplete or `since` scan never does, and counts stay
    apart."""
    posts = ["111_301", "111_302", "111_303", "111_304"]
    first = {p: _post_comments(p, range(1, 13)) for p in posts}
    second = {
        "111_301": _post_comments("111_301", range(1, 11)),  # 2 gone: a complete full scan deletes them
        "111_302": _post_comments("111_302", range(1, 2)),  # 11 gone while seeing 1: not believed
        "111_303": _post_comments("111_303", range(12, 15), "ny"),  # a scan of new comments only
        "111_304": _post_comments("111_304", range(1, 5)) + _post_comments("111_304", range(5, 13), "ændret"),
    }
    since = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    kinds = {"111_301": (True, None), "111_302": (True, None), "111_303": (True, since), "111_304": (False, None)}
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)

    def run(path: Path, batched: bool) -> tuple[list, dict]:
        con = db.connect(path)
        got: dict = {}
        for run_id, data in (("r1", first), ("r2", second)):
            scans = [load.PostScan(p, kinds[p][0] if run_id == "r2" else True, 1, kinds[p][1] if run_id == "r2"
                                   else None) for p in posts]
            tables = {p: comments_table(data[p], p, "demo") for p in posts}
            if batched:
                with load.transaction(con):
                    got = load.save_scans(con, pa.concat_tables(tables.values()), scans, run_id=run_id, now=now)
            else:
                got = {s.post_id: load.save_scan(con, tables[s.post_id], post_id=s.post_id, run_id=run_id,
                                                 complete=s.complete, n_requests=1, now=now, since=s.since)
                       for s in scans}
        rows = {t: con.execute(f"select * from {t} order by all").fetchall()
                for t in ("stg_comments", "raw_comments", "stg_comment_history", "stg_post_scans")}
        con.close()
        return rows, got

    batched_rows, batched = run(tmp_path / "batched.duckdb", True)
    alone_rows, alone = run(tmp_path / "alone.duckdb", False)
    assert batched == alone
    assert batched_rows == alone_rows
    assert batched == {
        "111_301": {"changed": 0, "deleted": 2, "complete": True},
        "111_302": {"changed": 0, "deleted": 0, "complete": False},
        "111_303": {"changed": 3, "deleted": 0, "complete": True},
        "111_304": {"changed": 8, "deleted": 0, "complete": False},
    }


def test_posts_are_upserted_together(con: duckdb.DuckDBPyConnection) -> None:
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    posts = [{"id": "111_1", "message": "Idéer?", "created_time": "2014-05-01T08:00:00+0000"},
             {"id": "111_2", "message": None}]
    load.save_posts(con, posts, "demo", now)
    load.save_posts(con, [{**posts[0], "message": "Idéer til stien?"}, posts[1]], "demo", now)
    assert con.execute("select post_id, message, created_at is not null from stg_posts order by 1").fetchall() == [
        ("111_1", "Idéer til stien?", True), ("111_2", None, False)]
    assert con.execute("select count(*) from raw_posts").fetchone()[0] == 3


def test_a_tombstoned_or_missing_post_gets_a_full_rescan(con: duckdb.DuckDBPyConnection) -> None:
    """A scan of new comments does not read the post, so only a full rescan can see a post come back."""
    now = dt.datetime.now(dt.UTC)
    for post in ("111_1", "111_2", "111_3"):
        load.save_post(con, {"id": post, "message": "Idéer?", "created_time": "2014-05-01T08:00:00+0000"}, "demo", now)
        load.save_scan(con, comments_table(_post_comments(post, range(1, 4)), post, "demo"), post_id=post,
                       run_id="r1", complete=True, n_requests=1, now=now)
    load.mark_post_deleted(con, "111_2", now)
    load.log_missing_post(con, "111_3", "r2", now + dt.timedelta(minutes=1))
    since = load.new_comments_since(con, ["111_1", "111_2", "111_3"], now + dt.timedelta(hours=1), 24)
    assert since["111_1"] is not None and since["111_2"] is None and since["111_3"] is None
