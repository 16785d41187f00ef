"""Erasure and retention on a real DuckDB file: every table, raw and history included."""

from __future__ import annotations

import datetime as dt
import json
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


def test_an_erased_person_tagged_by_others_is_not_tagged_or_named_again() -> None:
    tagging = {**_c(7, "bbbb", message="Jens Hansen og Mette se her"),
               "message_tags": [{"id": "aaaa", "type": "user", "offset": 0, "length": 11},
                                {"id": "eeee", "type": "user", "offset": 15, "length": 5}]}
    (kept,) = drop_suppressed([tagging], {"aaaa"}, set())
    assert [t.get("id") for t in kept["message_tags"]] == [None, "eeee"]
    assert kept["message"] == "[navn] og Mette se her 7"
    assert kept["message_tags"][1]["offset"] == 10, "the other tag moves with the text"
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


TAGGED = "Zacharias Qvistgaard-Nielsen"  # the forgotten person's name, as others tagged it
PAD = "cykelsti " * 250  # long messages: DuckDB stores them as they are, so their bytes can be looked for


def _tagging(n: int, author: str, message: str, tags: list[tuple[str, str]]) -> dict:
    """A comment by `author` whose message tags each (key, name) of `tags` at the name's place."""
    comment = _c(n, author, message=message)
    text = comment["message"]
    comment["message_tags"] = [{"id": key, "type": "user", "offset": text.index(name), "length": len(name)}
                               for key, name in tags]
    return comment


def _every_text(con: duckdb.DuckDBPyConnection) -> str:
    tables = con.execute("select table_name from duckdb_tables() where database_name = current_database()").fetchall()
    return "\n".join(str(row) for (t,) in tables for row in con.execute(f"select * from {t}").fetchall())


def test_forget_author_erases_their_tagged_name_from_others_comments(tmp_path: Path) -> None:
    """Issue 17 #10: the name stayed in others' messages, their history, raw payloads and ideas."""
    path = tmp_path / "it's a \"warehouse\".duckdb"
    con = db.connect(path)
    now = dt.datetime.now(dt.UTC)
    first = [
        _c(1, "aaaa", message=f"Mit eget forslag {PAD}"),
        _tagging(2, "bbbb", f"{TAGGED} se lige her, og Mette Olsen også {PAD}", [("aaaa", TAGGED), ("eeee", "Mette")]),
        _tagging(3, "cccc", f"Enig med {TAGGED} {PAD}", [("aaaa", TAGGED)]),
        _c(4, "dddd", message=f"Ingen tags her {PAD}"),
    ]
    load.save_scan(con, comments_table(first, POST, "demo"), post_id=POST, run_id="r1", complete=True, n_requests=1,
                   now=now)
    edited = [*first[:1], _tagging(2, "bbbb", f"Hov, {TAGGED} og Mette Olsen: se her {PAD}",
                                   [("aaaa", TAGGED), ("eeee", "Mette")]), *first[2:]]
    load.save_scan(con, comments_table(edited, POST, "demo"), post_id=POST, run_id="r2", complete=True, n_requests=1,
                   now=now + dt.timedelta(seconds=1))
    ideas = con.execute("""select comment_id as idea_id, consultation, 'facebook' as channel, message as text,
                                  created_at, like_count, reply_count, author_key from stg_comments""").df()
    load.replace_ideas(con, "demo", ideas, "facebook")
    con.execute("delete from raw_comments where comment_id = '222_3'")  # purged raw: only its tag span is left
    con.execute("checkpoint")
    assert con.execute("select count(*) from stg_comment_history where comment_id = '222_2'").fetchone()[0] == 1
    assert TAGGED.encode() in path.read_bytes(), "the name is in the file to begin with"

    erase.forget_author(con, "aaaa", now + dt.timedelta(seconds=2))
    con.close()
    db.compact(path)

    assert TAGGED.encode() not in path.read_bytes()
    con = db.connect(path)
    everything = _every_text(con)
    assert TAGGED not in everything and "Zacharias" not in everything
    assert "aaaa" not in everything.replace("'facebook_user', 'aaaa'", ""), "only the suppression list keeps the key"
    message, spans = con.execute("select message, tag_spans::varchar from stg_comments where comment_id = '222_2'"
                                 ).fetchone()
    assert message.startswith("Hov, [navn] og Mette Olsen: se her")
    assert [message[o:o + n] for o, n in json.loads(spans)] == ["[navn]", "Mette"], "the other tag still fits"
    assert con.execute("select message from stg_comments where comment_id = '222_3'").fetchone()[0].startswith(
        "Enig med [navn] ")
    (history,) = con.execute("select message from stg_comment_history where comment_id = '222_2'").fetchone()
    assert history.startswith("[navn] se lige her, og Mette Olsen også")
    payload = json.loads(con.execute("select payload from raw_comments where comment_id = '222_2'").fetchone()[0])
    assert [t.get("id") for t in payload["message_tags"]] == [None, "eeee"]

    # the next scan sees the comments as Facebook still has them: the name does not come back, nor a new raw version
    n_raw = con.execute("select count(*) from raw_comments").fetchone()[0]
    authors, comments = erase.suppressed(con)
    rescan = drop_suppressed(edited, authors, comments)
    load.save_scan(con, comments_table(rescan, POST, "demo"), post_id=POST, run_id="r3", complete=True, n_requests=1,
                   now=now + dt.timedelta(seconds=3))
    assert TAGGED not in _every_text(con)
    assert con.execute("select count(*) from raw_comments").fetchone()[0] == n_raw + 1, "222_3's raw, purged before"
    con.close()


def test_two_versions_that_erase_to_the_same_payload_become_one(con: duckdb.DuckDBPyConnection) -> None:
    """A shortened tag ("Zacharias" for the full name) is the same comment once both names are `[navn]`."""
    now = dt.datetime.now(dt.UTC)
    for n, name in enumerate([TAGGED, "Zacharias"]):
        tagging = _tagging(9, "bbbb", f"{name} se her", [("aaaa", name)])
        load.save_scan(con, comments_table([tagging], POST, "demo"), post_id=POST, run_id=f"t{n}", complete=True,
                       n_requests=1, now=now + dt.timedelta(seconds=n))
    assert con.execute("select count(*) from raw_comments where comment_id = '222_9'").fetchone()[0] == 2
    erase.forget_author(con, "aaaa", now + dt.timedelta(seconds=5))
    rows = con.execute("select payload from raw_comments where comment_id = '222_9'").fetchall()
    assert [json.loads(p)["message"] for (p,) in rows] == ["[navn] se her 9"]
    assert "Zacharias" not in _every_text(con)
