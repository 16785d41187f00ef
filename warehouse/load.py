"""Idempotent loads into the warehouse: upserts on natural keys, edit history, soft deletes."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from transforms.imports import imported_idea_id, item_suppression
from transforms.records import arrow_table, canonical_json, parse_graph_time, payload_hash
from warehouse.db import WarehouseError, transaction

if TYPE_CHECKING:  # the functions that take frames import pandas: `ingest` loads this module without it
    import pandas as pd

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


_POST_SCHEMA = pa.schema([("post_id", pa.string()), ("payload", pa.string()), ("payload_hash", pa.string()),
                          ("message", pa.string()), ("created_at", pa.timestamp("us", "UTC")),
                          ("permalink_url", pa.string())])
_SCAN_SCHEMA = pa.schema([("post_id", pa.string()), ("full_and_complete", pa.bool_())])


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


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow_name: str, deployment: str | None,
              parameters: dict[str, Any], now: datetime) -> None:
    """Record that a flow run started."""
    con.execute(
        """insert into core_runs (run_id, flow_name, deployment, parameters, status, started_at)
           values ($id, $flow, $dep, $params::json, 'RUNNING', $now)
           on conflict (run_id) do update set status = 'RUNNING', started_at = excluded.started_at""",
        {"id": run_id, "flow": flow_name, "dep": deployment, "params": json.dumps(parameters), "now": now},
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, now: datetime,
               counts: dict[str, int] | None = None, message: str | None = None) -> None:
    """Record how a flow run ended, with its counts and, on failure, why."""
    counts = counts or {}
    con.execute(
        """update core_runs set status = $status, message = $message, finished_at = $now,
               n_comments_fetched = $fetched, n_comments_changed = $changed, n_ideas = $ideas, n_topics = $topics
           where run_id = $id""",
        {
            "id": run_id, "status": status, "message": message, "now": now,
            "fetched": counts.get("comments_fetched"), "changed": counts.get("comments_changed"),
            "ideas": counts.get("ideas"), "topics": counts.get("topics"),
        },
    )


def _delete_stale(con: duckdb.DuckDBPyConnection, table: str, key: str, consultation: str, channel: str,
                  changed_ids: list[str] | None, excluded: list[str] | None) -> None:
    """Delete the rows of a consultation's channel that a new detection replaces (`replace_ideas`): all of them, or
    those of the changed and excluded comments and of comments gone (deleted, erased)."""
    if changed_ids is None:
        con.execute(f"delete from {table} where consultation = $c and channel = $ch",
                    {"c": consultation, "ch": channel})
        return
    con.execute(
        f"""
        delete from {table}
        where consultation = $c and channel = $ch and (
            {key} in (select unnest($changed))
            or {key} in (select unnest($excluded))
            or {key} not in (select comment_id from stg_comments where deleted_at is null)
        )
        """,
        {"c": consultation, "ch": channel, "changed": list(changed_ids), "excluded": list(excluded or [])},
    )


def replace_ideas(con: duckdb.DuckDBPyConnection, consultation: str, ideas: pd.DataFrame, channel: str,
                  *, changed_ids: list[str] | None = None, excluded: list[str] | None = None,
                  detected_through: datetime | None = None, rules_version: str | None = None,
                  kinds: pd.DataFrame | None = None, overrides: dict[str, bool] | None = None) -> int:
    """Replace a consultation's ideas from one channel, in one transaction; returns how many it has now.

    ``changed_ids`` None: ``ideas`` is the whole current set. Otherwise an update: the ideas of the comments in
    ``changed_ids`` are replaced by ``ideas``, and ideas whose comment is gone (deleted, erased) or ``excluded`` by
    a planner are dropped. ``kinds`` (comment_id, kind, kind_reason of the same comments) replace the stored kinds
    (`core_comment_kinds`) the same way. ``detected_through``/``rules_version``/``overrides`` record how far
    detection has read and which planners' verdicts it applied.
    """
    with transaction(con):
        _delete_stale(con, "core_ideas", "idea_id", consultation, channel, changed_ids, excluded)
        con.register("batch_ideas", ideas)
        con.execute(
            """insert into core_ideas (idea_id, consultation, channel, text, created_at, like_count, reply_count,
                                       author_key)
               select idea_id, consultation, channel, text, created_at, like_count, reply_count, author_key
               from batch_ideas""",
        )
        con.unregister("batch_ideas")
        if kinds is not None:
            _delete_stale(con, "core_comment_kinds", "comment_id", consultation, channel, changed_ids, excluded)
            con.register("batch_kinds", kinds[["comment_id", "kind", "kind_reason"]])
            con.execute("""insert into core_comment_kinds
                           select comment_id, $c, $ch, kind, kind_reason from batch_kinds""",
                        {"c": consultation, "ch": channel})
            con.unregister("batch_kinds")
        if rules_version is not None:
            con.execute(
                """insert or replace into core_idea_detection (consultation, channel, detected_through, rules_version,
                                                               overrides)
                   values ($c, $ch, $through, $version, $overrides)""",
                {"c": consultation, "ch": channel, "through": detected_through, "version": rules_version,
                 "overrides": json.dumps(overrides or {}, sort_keys=True)},
            )
        total = con.execute(
            "select count(*) from core_ideas where consultation = $c and channel = $ch",
            {"c": consultation, "ch": channel},
        ).fetchone()[0]
    return int(total)


_UPSERT_ITEMS = """
insert into stg_imported_items (consultation, channel, item_id, text, created_at, author_key, source_file,
                                first_imported_at, last_imported_at, like_count, parent_id, is_hidden, is_page_reply)
select $c, $ch, item_id, text, created_at, author_key, $file, $now, $now, like_count, parent_id, is_hidden,
       is_page_reply from batch_items
on conflict (consultation, channel, item_id) do update set
    text = excluded.text,
    like_count = excluded.like_count, parent_id = excluded.parent_id, is_hidden = excluded.is_hidden,
    is_page_reply = excluded.is_page_reply,
    created_at = excluded.created_at,
    author_key = excluded.author_key,
    source_file = excluded.source_file,
    last_imported_at = excluded.last_imported_at
"""

# per item of the batch: 'new', 'changed' or 'unchanged' against what is stored
_ITEM_STATUS = """
select b.item_id,
       case when s.item_id is null then 'new'
            when s.text is distinct from b.text or s.created_at is distinct from b.created_at
                 or s.author_key is distinct from b.author_key or s.like_count is distinct from b.like_count
                 or s.is_hidden is distinct from b.is_hidden then 'changed'
            else 'unchanged' end as status
from batch_items as b
left join stg_imported_items as s on s.consultation = $c and s.channel = $ch and s.item_id = b.item_id
"""


def _items_table(items: pd.DataFrame) -> pa.Table:
    import pandas as pd

    return pa.table({
        "item_id": pa.array(items["item_id"].astype(str).tolist(), pa.string()),
        "text": pa.array(items["text"].astype(str).tolist(), pa.string()),
        "created_at": pa.array(pd.to_datetime(items["created_at"], utc=True), pa.timestamp("us", "UTC")),
        "author_key": pa.array([k if isinstance(k, str) else None for k in items["author_key"]], pa.string()),
        # a social channel's (sources/instagram); null for a file's items
        **{c: pa.array(items[c].astype(object).where(items[c].notna(), None).tolist() if c in items else
                       [None] * len(items), t)
           for c, t in (("like_count", pa.int32()), ("parent_id", pa.string()), ("is_hidden", pa.bool_()),
                        ("is_page_reply", pa.bool_()))},
    })


def _erased_items(con: duckdb.DuckDBPyConnection, consultation: str, channel: str, items: pd.DataFrame) -> pd.Series:
    """Which of the items were erased before (by id in this consultation, or by their author's key): an import must
    not bring them back. See `transforms.imports.item_suppression` for how an erased item is keyed."""
    import pandas as pd

    rows = con.execute("select kind, value from core_suppressions").fetchall()
    ids = {v for k, v in rows if k == "imported_item"}
    authors = {v for k, v in rows if k in ("facebook_user", "imported_author", "instagram_user")}
    parents = items["parent_id"] if "parent_id" in items else [None] * len(items)  # a social channel's replies

    def erased(idea: str | None) -> bool:
        return bool(idea) and (item_suppression(consultation, idea) in ids or idea in ids)

    rows_ = zip(items["item_id"], items["author_key"], parents, strict=True)
    # a reply written later under an erased comment goes with it, as a Facebook reply under an erased comment does
    return pd.Series(
        [erased(imported_idea_id(channel, i)) or a in authors or erased(p if isinstance(p, str) else None)
         for i, a, p in rows_],
        index=items.index, dtype=bool,
    )


def _check_no_clash(con: duckdb.DuckDBPyConnection, consultation: str, channel: str, source_file: str) -> None:
    """An item's idea id (`<channel>:<item_id>`) names one item in the whole warehouse, across consultations; and an
    id of a channel belongs to the file that brought it, so a second file never overwrites the first one's items.
    The messages name no id: an id column may hold what it should not."""
    clash = con.execute(
        """select count(*), min(s.consultation) from batch_items as b
           inner join stg_imported_items as s on s.channel = $ch and s.item_id = b.item_id and s.consultation <> $c""",
        {"c": consultation, "ch": channel},
    ).fetchall()  # all (one) rows: DuckDB refuses a rollback while a result is still open
    if clash[0][0]:
        n, other = clash[0]
        raise WarehouseError(
            f"channel {channel} already has {n} of these ids in consultation {other}: import into a channel "
            f"of this consultation's own (e.g. --channel {channel}-2), or use ids that differ between consultations"
        )
    other_file = con.execute(
        """select count(*), min(s.source_file) from batch_items as b
           inner join stg_imported_items as s on s.consultation = $c and s.channel = $ch and s.item_id = b.item_id
           where s.source_file <> $file""",
        {"c": consultation, "ch": channel, "file": source_file},
    ).fetchall()
    if other_file[0][0]:
        n, first = other_file[0]
        raise WarehouseError(
            f"{n} ids of {source_file} are already items of channel {channel} from {first}: an import never replaces "
            f"another file's items; import {source_file} into a channel of its own (e.g. --channel {channel}-2), or, "
            f"to update those items, import it under the name it was first imported with ({first})"
        )


def save_imported_items(con: duckdb.DuckDBPyConnection, items: pd.DataFrame, *, consultation: str, channel: str,
                        source_file: str, now: datetime) -> dict[str, int]:
    """Upsert a file's items (`item_id, text, created_at, author_key`) into one consultation's channel, in one
    transaction; returns how many were new, changed, unchanged, and left out because they were erased before.

    Items stored earlier and absent from this file stay: a file adds to a channel (several batches of e-mails), and a
    wrong item is removed with `civic-ideas forget`. An id already stored from another file of the channel is
    refused (`WarehouseError`, nothing stored): a re-import updates only the items of the file of the same name.
    """
    erased = _erased_items(con, consultation, channel, items)
    counts = {"new": 0, "changed": 0, "unchanged": 0, "erased": int(erased.sum())}
    params = {"c": consultation, "ch": channel}
    with transaction(con):
        con.register("batch_items", _items_table(items[~erased]))
        try:
            _check_no_clash(con, consultation, channel, source_file)
            counts.update(Counter(status for _, status in con.execute(_ITEM_STATUS, params).fetchall()))
            con.execute(_UPSERT_ITEMS, {**params, "file": source_file, "now": now})
        finally:
            con.unregister("batch_items")
    return counts


def save_topic_run(
    con: duckdb.DuckDBPyConnection,
    *,
    topic_run_id: str,
    run_id: str,
    consultation: str,
    topics: pd.DataFrame,
    assignments: pd.DataFrame,
    params: dict[str, Any],
    now: datetime,
    model: tuple | None = None,
) -> None:
    """Store one clustering of a consultation: its parameters, topics and idea placements.

    Placements without `model_topic_id`/`model_label` (no corrections applied) take the topic's own. ``model``:
    None leaves the stored topic model alone; ``()`` removes it; ``(fingerprint, bytes, text hashes by idea_id)``
    replaces it, in the same transaction.
    """
    if "is_corrected" not in topics:
        topics = topics.assign(is_corrected=False)
    if "model_topic_id" not in assignments:
        labels = topics.set_index("topic_id")["label"]
        assignments = assignments.assign(model_topic_id=assignments["topic_id"],
                                         model_label=assignments["topic_id"].map(labels))
    with transaction(con):
        con.execute(
            "insert into core_topic_runs values ($id, $run, $c, $now, $n, $params::json)",
            {"id": topic_run_id, "run": run_id, "c": consultation, "now": now, "n": len(assignments),
             "params": json.dumps(params, default=str)},
        )
        con.register("batch_topics", topics)
        con.execute(
            """insert into core_topics (topic_run_id, consultation, topic_id, label, keywords, n_ideas, n_authors,
                                        total_likes, status, representative_ids, is_corrected)
               select $id, $c, topic_id, label, keywords, n_ideas, n_authors, total_likes, status,
                      representative_ids::json, is_corrected
               from batch_topics""",
            {"id": topic_run_id, "c": consultation},
        )
        con.register("batch_assignments", assignments)
        con.execute(
            """insert into core_idea_topics (topic_run_id, consultation, idea_id, topic_id, score, rank,
                                             model_topic_id, model_label)
               select $id, $c, idea_id, topic_id, score, rank, model_topic_id, model_label from batch_assignments""",
            {"id": topic_run_id, "c": consultation},
        )
        con.unregister("batch_topics")
        con.unregister("batch_assignments")
        if model is not None:
            _replace_topic_model(con, consultation, model, now)


def _replace_topic_model(con: duckdb.DuckDBPyConnection, consultation: str, model: tuple, now: datetime) -> None:
    con.execute("delete from core_topic_models where consultation = $c", {"c": consultation})
    con.execute("delete from core_topic_model_ideas where consultation = $c", {"c": consultation})
    if not model:
        return
    fingerprint, blob, hashes = model
    con.execute("insert into core_topic_models values ($c, $now, $fp, $model)",
                {"c": consultation, "now": now, "fp": fingerprint, "model": blob})
    fit = pa.table({"idea_id": pa.array(hashes.index.astype(str)),
                    "text_hash": pa.array(hashes.to_numpy(), pa.uint64())})
    con.register("batch_fit", fit)
    con.execute("insert into core_topic_model_ideas select $c, idea_id, text_hash from batch_fit", {"c": consultation})
    con.unregister("batch_fit")


def add_correction(con: duckdb.DuckDBPyConnection, consultation: str, action: str, *, created_by: str,
                   now: datetime, topic_id: int | None = None, target_topic_id: int | None = None,
                   idea_id: str | None = None, label: str | None = None) -> int:
    """Store a planner's correction as a rule; it is re-applied after every clustering run. Returns its id."""
    return con.execute(
        """insert into topic_corrections (consultation, action, topic_id, target_topic_id, idea_id, label,
                                          created_by, created_at)
           values ($c, $action, $topic, $target, $idea, $label, $by, $now) returning correction_id""",
        {"c": consultation, "action": action, "topic": topic_id, "target": target_topic_id, "idea": idea_id,
         "label": label, "by": created_by, "now": now},
    ).fetchone()[0]
