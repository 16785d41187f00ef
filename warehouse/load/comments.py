"""Facebook comment scans: raw versions, edit history, upserts into `stg_comments`, comments a complete scan no
longer sees (tombstones), and where a scan of new comments only may start."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from transforms.records import arrow_table
from warehouse.db import transaction

log = logging.getLogger(__name__)


# The upsert is an UPDATE of the post's changed rows plus an INSERT of its new ones (each comment id belongs to one
# post, so both look only at the post's rows): in DuckDB, `insert ... on conflict` costs about ten times more per
# statement than this on a warehouse of a million comments.
_UPDATE_CHANGED = """
update stg_comments set
    parent_id = b.parent_id,
    -- an author who stops being visible (a token without user data) keeps the key already stored
    author_key = coalesce(b.author_key, stg_comments.author_key),
    is_page_reply = b.is_page_reply,
    message = b.message,
    tag_spans = b.tag_spans::json,
    has_attachment = b.has_attachment,
    created_at = b.created_at,
    like_count = b.like_count,
    -- a scan that was not given the reactions total keeps the one already stored
    reaction_count = coalesce(b.reaction_count, stg_comments.reaction_count),
    reply_count = b.reply_count,
    is_hidden = b.is_hidden,
    permalink_url = coalesce(b.permalink_url, stg_comments.permalink_url),
    changed_at = $now,
    deleted_at = null
from batch_comments as b
where stg_comments.post_id = b.post_id and stg_comments.comment_id = b.comment_id
  and stg_comments.post_id in (select post_id from batch_posts) and (
       stg_comments.message is distinct from b.message
    or stg_comments.like_count is distinct from b.like_count
    or (b.reaction_count is not null and stg_comments.reaction_count is distinct from b.reaction_count)
    or stg_comments.reply_count is distinct from b.reply_count
    or stg_comments.is_hidden is distinct from b.is_hidden
    or (b.author_key is not null and stg_comments.author_key is distinct from b.author_key)
    or stg_comments.tag_spans::varchar is distinct from b.tag_spans::json::varchar
    or stg_comments.has_attachment is distinct from b.has_attachment
    or (b.permalink_url is not null and stg_comments.permalink_url is distinct from b.permalink_url)
    or stg_comments.deleted_at is not null
)
returning stg_comments.post_id
"""


_INSERT_NEW = """
insert into stg_comments (
    comment_id, post_id, consultation, parent_id, author_key, is_page_reply, message, tag_spans,
    has_attachment, created_at, like_count, reaction_count, reply_count, is_hidden, permalink_url, first_seen_at,
    changed_at, deleted_at
)
select
    comment_id, post_id, consultation, parent_id, author_key, is_page_reply, message, tag_spans::json,
    has_attachment, created_at, like_count, reaction_count, reply_count, is_hidden, permalink_url, $now, $now, null
from batch_comments as b
where not exists (select 1 from stg_comments as s
                  where s.post_id in (select post_id from batch_posts)
                    and s.post_id = b.post_id and s.comment_id = b.comment_id)
returning post_id
"""


_KEEP_EDITS = """
insert into stg_comment_history (comment_id, message, valid_until)
select c.comment_id, c.message, $now
from stg_comments as c
inner join batch_comments as b on b.post_id = c.post_id and b.comment_id = c.comment_id
where c.post_id in (select post_id from batch_posts)  -- lets DuckDB skip other posts' row groups
  and c.deleted_at is null and c.message is distinct from b.message
on conflict do nothing
"""


_INSERT_RAW = """
insert into raw_comments (comment_id, post_id, consultation, payload, payload_hash, fetched_at)
select comment_id, post_id, consultation, payload::json, payload_hash, $now from batch_comments as b
where not exists (select 1 from raw_comments as r
                  where r.post_id in (select post_id from batch_posts)
                    and r.post_id = b.post_id and r.comment_id = b.comment_id and r.payload_hash = b.payload_hash)
"""

# Stored comments a complete full scan did not see, for the posts that had one.
_MISSING = """
select s.post_id, s.comment_id from stg_comments as s
where s.post_id in (select post_id from batch_posts where full_and_complete) and s.deleted_at is null
  and not exists (select 1 from batch_comments as b where b.post_id = s.post_id and b.comment_id = s.comment_id)
"""


def plausible_deletions(n_seen: int, n_missing: int) -> bool:
    """Whether a complete scan's missing comments can be believed deleted.

    Deleting is irreversible (text, raw versions and history are purged), so a scan that sees nothing while comments
    are stored, or that would delete more comments than it saw (10 or more), is taken for an access problem (a user
    token sees `{"data": []}`) rather than for mass deletion by the citizens. A deleted post answers 100/33 instead.
    """
    if n_missing < 10:  # a few deleted comments, e.g. the only comment of a post: believed
        return True
    return n_seen > 0 and n_missing <= n_seen


def tombstone(con: duckdb.DuckDBPyConnection, comment_ids: list[str], deleted_at: datetime) -> int:
    """Keep only comment_id and deleted_at of deleted comments; purge their text, author, history and raw payloads."""
    if not comment_ids:
        return 0
    con.execute(
        """
        update stg_comments
        set deleted_at = $at, message = null, author_key = null, tag_spans = null, changed_at = $at
        where comment_id in (select unnest($ids)) and deleted_at is null
        """,
        {"at": deleted_at, "ids": comment_ids},
    )
    for table in ("stg_comment_history", "raw_comments"):
        con.execute(f"delete from {table} where comment_id in (select unnest($ids))", {"ids": comment_ids})
    return len(comment_ids)


_SCAN_SCHEMA = pa.schema([("post_id", pa.string()), ("full_and_complete", pa.bool_())])


@dataclass(frozen=True)
class PostScan:
    """How one post's scan went, for `save_scans`: complete or not, its requests, and `since` for a scan of new
    comments only (None: a full scan)."""

    post_id: str
    complete: bool
    n_requests: int
    since: datetime | None = None


def save_scan(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    *,
    post_id: str,
    run_id: str,
    complete: bool,
    n_requests: int,
    now: datetime,
    since: datetime | None = None,
) -> dict[str, int]:
    """Load one post's comment scan (see `save_scans`)."""
    return save_scans(con, table, [PostScan(post_id, complete, n_requests, since)], run_id=run_id, now=now)[post_id]


def save_scans(con: duckdb.DuckDBPyConnection, table: pa.Table, scans: list[PostScan], *, run_id: str,
               now: datetime) -> dict[str, dict[str, int]]:
    """Load posts' comment scans (`table`: their staging rows) in one transaction: raw versions, edits, upserts, and
    deletions where a full scan completed; each step is one statement for all the posts.

    A scan that did not complete never marks anything deleted, nor does a scan of new comments only (``since``
    given: it did not look at older ones). Returns per post the changed and deleted rows and whether it completed.
    """
    seen = Counter(table["post_id"].to_pylist())
    complete = {s.post_id: s.complete for s in scans}
    posts = arrow_table({"post_id": [s.post_id for s in scans],
                         "full_and_complete": [s.complete and s.since is None for s in scans]}, _SCAN_SCHEMA)
    with transaction(con):
        con.register("batch_comments", table)
        con.register("batch_posts", posts)
        try:
            con.execute(_KEEP_EDITS, {"now": now})
            con.execute(_INSERT_RAW, {"now": now})
            # changed: the rows updated (unchanged ones are filtered by the update's `where`) and the new ones
            changed = Counter(r[0] for r in con.execute(_UPDATE_CHANGED, {"now": now}).fetchall())
            changed.update(r[0] for r in con.execute(_INSERT_NEW, {"now": now}).fetchall())
            missing: dict[str, list[str]] = {}
            for post_id, comment_id in con.execute(_MISSING).fetchall():
                missing.setdefault(post_id, []).append(comment_id)
            deleted: dict[str, list[str]] = {}
            for post_id, ids in missing.items():
                if plausible_deletions(seen[post_id], len(ids)):
                    deleted[post_id] = ids
                else:
                    complete[post_id] = False
                    log.warning("post %s: a scan that sees %d comments would delete %d; not believed, nothing "
                                "deleted (is the token a Page token with access?)", post_id, seen[post_id], len(ids))
            tombstone(con, [i for ids in deleted.values() for i in ids], now)
            con.executemany(
                "insert into stg_post_scans (post_id, run_id, scanned_at, is_complete, n_comments, n_requests, "
                "scan_kind, since_at) values ($post, $run, $now, $complete, $n, $req, $kind, $since) "
                "on conflict do nothing",
                [{"post": s.post_id, "run": run_id, "now": now, "complete": complete[s.post_id], "n": seen[s.post_id],
                  "req": s.n_requests, "kind": "full" if s.since is None else "new", "since": s.since}
                 for s in scans],
            )
        finally:
            con.unregister("batch_comments")
            con.unregister("batch_posts")
    return {s.post_id: {"changed": changed[s.post_id], "deleted": len(deleted.get(s.post_id, [])),
                        "complete": complete[s.post_id]} for s in scans}


def new_comments_since(
    con: duckdb.DuckDBPyConnection, post_ids: list[str], now: datetime, full_rescan_hours: float,
    overlap_minutes: float = 60,
) -> dict[str, datetime | None]:
    """Per post, where a scan of only new comments can start, or None when this run must rescan the whole post.

    A full rescan is due when the post has no complete full scan in the last ``full_rescan_hours`` (0: always), no
    stored comment, or was tombstoned or missing at its last scan (a scan of new comments does not read the post, so
    only a full one can see it come back). Otherwise: the newest stored comment's time, less ``overlap_minutes``
    (the Graph API does not say whether `since` is inclusive, and a comment may be published a little after its
    `created_time`); the overlap's comments are fetched again and are no-ops for the upsert. Edits, likes and
    deletions of older comments wait for the next full rescan.
    """
    out: dict[str, datetime | None] = dict.fromkeys(post_ids)
    if full_rescan_hours <= 0 or not post_ids:
        return out
    rows = con.execute(
        """
        with posts as (select unnest($ids) as post_id),
        full_scans as (
            select post_id, max(scanned_at) as last_full from stg_post_scans
            where post_id in (select post_id from posts)
              and scan_kind = 'full' and is_complete and not coalesce(post_missing, false)
            group by post_id
        ),
        newest as (
            select post_id, max(created_at) as newest from stg_comments
            where post_id in (select post_id from posts) group by post_id
        ),
        -- a post tombstoned, or missing at its last scan, is read whole again: only a post read can come back
        gone as (
            select post_id from stg_posts where post_id in (select post_id from posts) and deleted_at is not null
            union
            select post_id from stg_post_scans where post_id in (select post_id from posts)
            qualify row_number() over (partition by post_id order by scanned_at desc) = 1
                and coalesce(post_missing, false)
        )
        select post_id, last_full, newest from full_scans inner join newest using (post_id)
        where post_id not in (select post_id from gone)
        """,
        {"ids": list(post_ids)},
    ).fetchall()
    for post_id, last_full, newest in rows:
        if (now - last_full).total_seconds() <= full_rescan_hours * 3600:
            out[post_id] = newest - timedelta(minutes=overlap_minutes)
    return out
