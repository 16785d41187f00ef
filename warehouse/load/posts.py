"""Facebook posts: raw versions and typed rows (`raw_posts`, `stg_posts`), posts answering "does not exist" (also an
Instagram media's, logged under its source), and deleted posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from transforms.records import arrow_table, canonical_json, parse_graph_time, payload_hash
from warehouse.db import transaction
from warehouse.load.comments import tombstone

_POST_SCHEMA = pa.schema([("post_id", pa.string()), ("payload", pa.string()), ("payload_hash", pa.string()),
                          ("message", pa.string()), ("created_at", pa.timestamp("us", "UTC")),
                          ("permalink_url", pa.string())])


def save_post(con: duckdb.DuckDBPyConnection, post: dict[str, Any], consultation: str, now: datetime) -> None:
    """Upsert a post (see `save_posts`)."""
    save_posts(con, [post], consultation, now)


def save_posts(con: duckdb.DuckDBPyConnection, posts: list[dict[str, Any]], consultation: str,
               now: datetime) -> None:
    """Upsert posts: a raw version when a post's payload changed, and its typed row in staging."""
    if not posts:
        return
    rows = {str(p["id"]): p for p in posts}.values()  # one row per post: the last payload wins
    batch = arrow_table({
        "post_id": [str(p["id"]) for p in rows],
        "payload": [canonical_json(p) for p in rows],
        "payload_hash": [payload_hash(p) for p in rows],
        "message": [p.get("message") for p in rows],
        "created_at": [parse_graph_time(p.get("created_time")) for p in rows],
        "permalink_url": [p.get("permalink_url") for p in rows],
    }, _POST_SCHEMA)
    con.register("batch_posts_rows", batch)
    try:
        con.execute(
            "insert into raw_posts select post_id, $c, payload::json, payload_hash, $now from batch_posts_rows "
            "on conflict do nothing",
            {"c": consultation, "now": now},
        )
        con.execute(
            """
            insert into stg_posts
            select post_id, $c, message, created_at, permalink_url, $now, null from batch_posts_rows
            on conflict (post_id) do update set
                message = excluded.message, created_at = excluded.created_at,
                permalink_url = excluded.permalink_url, deleted_at = null
            where stg_posts.message is distinct from excluded.message or stg_posts.deleted_at is not null
            """,
            {"c": consultation, "now": now},
        )
    finally:
        con.unregister("batch_posts_rows")


def post_was_missing(con: duckdb.DuckDBPyConnection, post_id: str) -> bool:
    """Whether the latest scan of a post found the post itself gone (100/33)."""
    row = con.execute(
        "select post_missing from stg_post_scans where post_id = $id order by scanned_at desc limit 1", {"id": post_id}
    ).fetchone()
    return bool(row and row[0])


def log_missing_post(con: duckdb.DuckDBPyConnection, post_id: str, run_id: str, now: datetime) -> None:
    """Record a scan in which the post answered "does not exist"."""
    con.execute(
        """insert into stg_post_scans (post_id, run_id, scanned_at, is_complete, n_comments, n_requests, post_missing)
           values ($post, $run, $now, false, 0, 1, true) on conflict do nothing""",
        {"post": post_id, "run": run_id, "now": now},
    )


def mark_post_deleted(con: duckdb.DuckDBPyConnection, post_id: str, now: datetime) -> int:
    """A post answered as deleted: tombstone it and every comment under it."""
    with transaction(con):
        con.execute("update stg_posts set deleted_at = $now where post_id = $id and deleted_at is null",
                    {"now": now, "id": post_id})
        ids = [r[0] for r in con.execute(
            "select comment_id from stg_comments where post_id = $id and deleted_at is null", {"id": post_id}
        ).fetchall()]
        n = tombstone(con, ids, now)
    return n
