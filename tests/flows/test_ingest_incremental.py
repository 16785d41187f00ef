"""Incremental runs: every run rescans whole posts; edits, deletions and new comments land as the issue says.

A changed message is an edit (the earlier version goes to stg_comment_history); a comment missing from a complete scan
is tombstoned and purged; a scan that did not complete marks nothing deleted; a closed consultation is not polled; a
run over unchanged data changes no row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from ingestkit import (
    CONSULTATION,
    PAGE_ID,
    POST_ID,
    SALT,
    assert_exact,
    change,
    from_template,
    ingest,
    inspect,
    make_dataset,
    serving,
    snapshot,
)

from flows import pipeline
from flows.ingest import ingest_one_post, ingest_posts
from flows.settings import Consultation
from sources.facebook.client import FacebookReader
from sources.graph import GraphClient, TokenError
from sources.standin import DEFAULT_TOKEN

COMMENT_TABLES = ("raw_posts", "stg_posts", "raw_comments", "stg_comments", "stg_comment_history")


def _query(warehouse: Path, sql: str, *params: object) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _unchanged(before: dict, after: dict) -> bool:
    return all(before[t] == after[t] for t in COMMENT_TABLES)


def test_a_run_over_unchanged_data_changes_no_row(tmp_path: Path) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb")
    with serving() as standin:
        before = snapshot(warehouse)
        counts = ingest(standin, warehouse, "r2")
        after = snapshot(warehouse)
        ingest(standin, warehouse, "r3", page_limit=100)  # other page sizes, same data
        again = snapshot(warehouse)
    assert counts == {"fetched": 11, "changed": 0, "deleted": 0, "complete": True}
    assert _unchanged(before, after) and _unchanged(after, again)
    assert after["stg_post_scans"][0] == before["stg_post_scans"][0] + 1  # only the scan is logged


def test_a_changed_message_is_an_edit_that_keeps_the_earlier_version(tmp_path: Path) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb")
    with serving() as standin:
        target = standin.store.post_comments(POST_ID)[6]
        old = target["message"]
        standin.edit_comment(target["id"], "Rettet: en bålplads ved søen 🔥")
        counts = ingest(standin, warehouse, "r2")
        ingest(standin, warehouse, "r3")  # the edit is recorded once
        assert_exact(warehouse, standin)
    assert counts["changed"] == 1
    assert _query(warehouse, "select message from stg_comment_history where comment_id = ?", target["id"]) \
        == [(old,)]
    assert _query(warehouse, "select count(*) from raw_comments where comment_id = ?", target["id"]) == [(2,)]
    assert _query(warehouse, "select count(*) from stg_comment_history") == [(1,)]


def test_a_comment_missing_from_a_complete_scan_is_tombstoned_and_purged(tmp_path: Path) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb")
    with serving() as standin:
        thread = next(c for c in standin.store.post_comments(POST_ID) if standin.store.replies(c["id"]))
        reply = standin.store.replies(thread["id"])[0]
        standin.edit_comment(reply["id"], "Rettet svar")
        ingest(standin, warehouse, "r2")  # leaves an edit history to purge
        gone = set(standin.delete_comment(thread["id"]))
        counts = ingest(standin, warehouse, "r3")
        assert_exact(warehouse, standin, tombstoned=gone)
    assert counts["deleted"] == len(gone) >= 2
    ids = sorted(gone)
    for table in ("raw_comments", "stg_comment_history"):
        assert _query(warehouse, f"select count(*) from {table} where comment_id in ?", ids) == [(0,)]
    rows = _query(warehouse, "select last_seen_at < deleted_at, message is null and author_key is null "
                             "from comments where comment_id in ?", ids)
    assert rows == [(True, True)] * len(gone)


def test_new_comments_and_replies_appear_with_their_thread(tmp_path: Path) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb")
    with serving() as standin:
        changes = change(standin)
        counts = ingest(standin, warehouse, "r2")
        assert_exact(warehouse, standin, tombstoned=changes["deleted"])
    assert counts["changed"] == len(changes["added"]) + 2  # the new ones, the edit, the replied-to reply_count
    first_seen = dict(_query(warehouse, "select comment_id, first_seen_at from comments"))
    assert all(first_seen[i] > min(first_seen.values()) for i in changes["added"])


def test_a_scan_that_did_not_complete_marks_nothing_deleted_until_one_does(tmp_path: Path) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb")
    with serving() as standin:
        changes = change(standin)
        standin.scenario.after_cursor_limit = 4
        counts = ingest(standin, warehouse, "cut-short")
        cut_short = inspect(warehouse)
        standin.scenario.after_cursor_limit = None
        ingest(standin, warehouse, "complete")
        assert_exact(warehouse, standin, tombstoned=changes["deleted"])
    assert not counts["complete"] and counts["deleted"] == 0
    assert all(r[4] is None for r in cut_short.rows.values())
    assert cut_short.scans == [("r1", True), ("cut-short", False)]


# -- which consultations are polled ----------------------------------------------------------------------------
OTHER_OBJ = "200000000000099"
OTHER_POST = f"{PAGE_ID}_{OTHER_OBJ}"


def _two_posts() -> dict:
    data = make_dataset([1, 2])
    other = make_dataset([2], post_obj=OTHER_OBJ)
    data["posts"] += other["posts"]
    data["comments"] += other["comments"]
    return data


def _config(path: Path, closes: dt.date) -> Path:
    path.write_text(f"""
[facebook]
page_id = "{PAGE_ID}"

[[consultations]]
slug = "{CONSULTATION}"
title = "Overdækningen"
post_ids = ["{POST_ID}"]
closes = {closes.isoformat()}

[[consultations]]
slug = "closed"
title = "Lukket høring"
post_ids = ["{OTHER_POST}"]
closes = {(closes - dt.timedelta(days=1)).isoformat()}
""", encoding="utf-8")
    return path


@pytest.mark.parametrize("grace", [0, 14])
def test_a_closed_consultation_is_not_polled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grace: int) -> None:
    """`closes + grace` is today for the first consultation (still polled) and yesterday for the second."""
    monkeypatch.setenv("CIVIC_IDEAS_CLOSE_GRACE_DAYS", str(grace))
    config = _config(tmp_path / "consultations.toml", dt.date.today() - dt.timedelta(days=grace))
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving(_two_posts()) as standin:
        def ingest_channel(warehouse: str, channel: str, consultation: Consultation, run_id: str,
                           page_id: str) -> dict:
            assert channel == "facebook"  # the only channel these consultations have
            with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, sleep=standin.clock.advance) as client:
                return ingest_posts(client, warehouse, page_id, consultation.slug, consultation.post_ids, run_id, SALT)

        monkeypatch.setattr(pipeline, "ingest_channel", ingest_channel)
        monkeypatch.setattr(pipeline, "purge_raw_payloads", pipeline.purge_raw_payloads.fn)
        counts = pipeline.run_stages(str(config), None, ["ingest"], str(warehouse), str(tmp_path), "run-1")
        polled = {r.path.split("/")[2].split("_")[1] for r in standin.requests}
    assert polled == {POST_ID.split("_")[1]}
    assert counts["comments_fetched"] == 5 and counts["incomplete_posts"] == []
    assert _query(warehouse, "select distinct post_id from comments") == [(POST_ID,)]


def test_the_task_reads_its_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving() as standin:
        for name, value in {"FACEBOOK_GRAPH_URL": standin.url, "FACEBOOK_ACCESS_TOKEN": DEFAULT_TOKEN,
                            "CIVIC_IDEAS_SALT": SALT.decode(), "CIVIC_IDEAS_PAGE_LIMIT": "4",
                            "CIVIC_IDEAS_MAX_RETRIES": "2", "CIVIC_IDEAS_HTTP_TIMEOUT": "5"}.items():
            monkeypatch.setenv(name, value)
        consultation = Consultation(slug=CONSULTATION, title="t", post_ids=[POST_ID])
        counts = pipeline.ingest_channel.fn(str(warehouse), "facebook", consultation, "from-env", PAGE_ID)[POST_ID]
        assert_exact(warehouse, standin)
    assert counts["complete"] and counts["fetched"] == 11
    assert [r.param("limit") for r in standin.requests[2:]] == ["4", "4", "4"]  # after GET /me and the post


def _ingest_between_full_rescans(standin, warehouse: Path, run_id: str, hours: float = 24) -> dict[str, int]:
    with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, sleep=standin.clock.advance, timeout=3.0,
                     page_limit=3) as client:
        return ingest_one_post(client, str(warehouse), PAGE_ID, CONSULTATION, POST_ID, run_id, SALT,
                               full_rescan_hours=hours)


def test_between_full_rescans_only_new_comments_are_fetched(tmp_path: Path) -> None:
    """CIVIC_IDEAS_FULL_RESCAN_HOURS > 0: a run soon after a full rescan asks for comments `since` the newest stored
    one (less an hour of overlap) and deletes nothing; once the full rescan is older than that, the whole post is read
    again and the deletion and the edit it could not see land."""
    warehouse = from_template(tmp_path / "wh.duckdb")
    with serving() as standin:
        newest = max(c["created_time"] for c in standin.store.post_comments(POST_ID))
        changes = change(standin)
        before = len(standin.requests)
        counts = _ingest_between_full_rescans(standin, warehouse, "r2")
        asked = [dict(r.query) for r in standin.requests[before:] if r.path.endswith("/comments")]
        assert asked and all("since" in q for q in asked[:1])
        assert not [r for r in standin.requests[before:] if r.path.endswith(POST_ID)]  # the post is not read again
        since = int(asked[0]["since"])
        newest_epoch = dt.datetime.strptime(newest, "%Y-%m-%dT%H:%M:%S%z").timestamp()
        assert since == newest_epoch - 3600
        assert counts["deleted"] == 0 and counts["complete"]
        stored = dict(_query(warehouse, "select comment_id, deleted_at from stg_comments"))
        assert changes["added"] <= set(stored)  # the new comment and reply are in
        assert all(stored[i] is None for i in changes["deleted"])  # the deletion waits for the full rescan
        assert _query(warehouse, "select scan_kind from stg_post_scans where run_id = 'r2'") == [("new",)]

        # the full rescan is now 25 hours old: this run reads everything and believes the deletion
        with duckdb.connect(str(warehouse)) as con:
            con.execute("update stg_post_scans set scanned_at = scanned_at - interval 25 hour")
        before = len(standin.requests)
        counts = _ingest_between_full_rescans(standin, warehouse, "r3")
        asked = [dict(r.query) for r in standin.requests[before:] if r.path.endswith("/comments")]
        assert not any("since" in q for q in asked)
        assert counts["deleted"] == len(changes["deleted"])
        assert_exact(warehouse, standin, tombstoned=changes["deleted"])
    assert _query(warehouse, "select scan_kind from stg_post_scans where run_id = 'r3'") == [("full",)]


def test_without_a_complete_full_scan_the_next_run_is_full(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    with serving() as standin:
        _ingest_between_full_rescans(standin, warehouse, "r1")
        assert not any("since" in dict(r.query) for r in standin.requests)
        assert_exact(warehouse, standin)


def test_posts_are_loaded_together_and_a_failed_fetch_keeps_the_posts_before_it(tmp_path: Path) -> None:
    """`ingest_posts` loads several posts in one session; when the second post's fetch fails for good (a token
    error), the first post, already fetched, is stored before the error is raised."""
    other = f"{PAGE_ID}_{OTHER_OBJ}"
    warehouse = tmp_path / "wh.duckdb"
    with serving(_two_posts()) as standin:
        with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, sleep=standin.clock.advance) as client:
            both = ingest_posts(client, str(warehouse), PAGE_ID, CONSULTATION, [POST_ID, other], "r1", SALT)
        assert {p: c["fetched"] for p, c in both.items()} == {POST_ID: 5, other: 3}
        assert _query(warehouse, "select count(distinct run_id), count(*) from stg_post_scans") == [(1, 2)]

        fresh = tmp_path / "fresh.duckdb"
        with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, sleep=standin.clock.advance) as client:
            FacebookReader(client).fetch_post(POST_ID)  # request numbers: find how many the first post takes
            first = len(standin.requests)
            FacebookReader(client).fetch_comments(POST_ID)
            per_post = len(standin.requests) - first + 1
            standin.inject(len(standin.requests) + per_post + 1, "code190_460")
            with pytest.raises(TokenError):  # one thread: the request numbers are the posts' in order
                ingest_posts(client, str(fresh), PAGE_ID, CONSULTATION, [POST_ID, other], "r2", SALT, fetch_threads=1)
    assert _query(fresh, "select distinct post_id from stg_comments") == [(POST_ID,)]


def test_a_post_deleted_between_full_rescans_is_found_by_its_comments_edge(tmp_path: Path) -> None:
    """A scan of new comments does not read the post, but the comments edge answers 100/33 for a deleted post: the
    second such answer in a row tombstones it, as after full scans."""
    warehouse = from_template(tmp_path / "wh.duckdb")
    with serving() as standin:
        _ingest_between_full_rescans(standin, warehouse, "r1")  # the template's scan is recent: a `since` scan
        standin.delete_post(POST_ID)
        before = len(standin.requests)
        first = _ingest_between_full_rescans(standin, warehouse, "r2")
        assert [r.path.rsplit("/", 1)[-1] for r in standin.requests[before:]] == ["comments"]
        assert first["deleted"] == 0 and _query(warehouse, "select count(*) from comments where deleted_at is null")
        second = _ingest_between_full_rescans(standin, warehouse, "r3")
    assert second["deleted"] > 0
    assert _query(warehouse, "select count(*) from comments where deleted_at is null") == [(0,)]
