"""Erasure (GDPR art. 17) and retention: remove a person's or a comment's data from every table."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from transforms.erasure import erase_names, erase_tagged, tagged_names
from transforms.imports import imported_author_key, instagram_author_key, item_suppression
from transforms.pseudonym import author_key as facebook_author_key
from transforms.records import canonical_json, payload_hash
from warehouse import vectors
from warehouse.db import transaction
from warehouse.store import Warehouse

# Tables holding a comment's data, keyed by the column that names the comment.
_COMMENT_TABLES = {
    "raw_comments": "comment_id",
    "stg_comment_history": "comment_id",
    "core_idea_topics": "idea_id",
    "core_ideas": "idea_id",
    "core_comment_kinds": "comment_id",
    "core_idea_places": "idea_id",
    "stg_comments": "comment_id",
}


def _delete_comments(con: duckdb.DuckDBPyConnection, comment_ids: list[str], *, keep_models: bool = False) -> int:
    """Delete the comments (or imported items) and every row derived from them; returns rows touched. An erasure
    also drops the fitted topic models (they hold the erased texts' words); an ordinary deletion on the channel
    (`keep_models`) leaves them, as a Facebook tombstone does: placement refits when an idea it was fitted on is
    gone."""
    total = 0
    for table, column in _COMMENT_TABLES.items():
        total += con.execute(
            f"delete from {table} where {column} in (select unnest($ids))", {"ids": comment_ids}
        ).fetchone()[0]
    # an imported item's id as an idea is `<channel>:<item_id>` (transforms.imports.imported_idea_id)
    total += con.execute(
        "delete from stg_imported_items where channel || ':' || item_id in (select unnest($ids))", {"ids": comment_ids}
    ).fetchone()[0]
    # Earlier topic runs name their example ideas, and planners' corrections name ideas: no erased id stays behind.
    total += con.execute(
        """update core_topics
           set representative_ids = to_json(list_filter(representative_ids::varchar[],
                                                        lambda x: not list_contains($ids, x)))
           where len(list_intersect(representative_ids::varchar[], $ids)) > 0""",
        {"ids": comment_ids},
    ).fetchone()[0]
    total += con.execute(
        "delete from topic_corrections where idea_id in (select unnest($ids))", {"ids": comment_ids}
    ).fetchone()[0]
    if not keep_models:  # a fitted model keeps words of the texts it saw: the next run refits without the erased ones
        total += con.execute("delete from core_topic_models").fetchone()[0]
        con.execute("delete from core_topic_model_ideas")
    return total


def _record(con: duckdb.DuckDBPyConnection, kind: str, n_rows: int, now: dt.datetime) -> None:
    con.execute("insert into core_erasures values ($now, $kind, $n)", {"now": now, "kind": kind, "n": n_rows})


def _in_transaction(con: duckdb.DuckDBPyConnection, kind: str, ids: list[str], suppress: list[tuple[str, str]],
                    now: dt.datetime, also: Callable[[], int] | None = None) -> int:
    """Suppress (`(kind, value)` pairs), delete the ids everywhere, run `also`, and record the erasure as `kind`."""
    with transaction(con):
        for suppress_kind, value in suppress:
            con.execute("insert into core_suppressions values ($kind, $v) on conflict do nothing",
                        {"kind": suppress_kind, "v": value})
        n_rows = _delete_comments(con, ids) if ids else 0
        n_rows += also() if also else 0
        # a stored vector is derived from a text: vectors of texts no idea holds any more go with them
        n_rows += vectors.forget_unused(con)
        _record(con, kind, n_rows, now)
    return n_rows


def _without(value: Any, key: str) -> Any:
    """A JSON value with every member whose value is `key` left out, at any depth."""
    if isinstance(value, dict):
        return {k: _without(v, key) for k, v in value.items() if v != key}
    if isinstance(value, list):
        return [_without(v, key) for v in value]
    return value


def _forget_mentions(con: duckdb.DuckDBPyConnection, author_key: str, now: dt.datetime) -> int:
    """Where others tagged the author, their name becomes `[navn]` and their key goes (`transforms.erasure`): in raw
    payloads, staging messages (tag spans moved), the edit history and ideas' texts. Returns rows changed."""
    keys = {author_key}
    rows = con.execute(
        "select comment_id, payload_hash, payload from raw_comments where contains(payload::varchar, $k)",
        {"k": author_key},
    ).fetchall()
    payloads = [(c, h, json.loads(p)) for c, h, p in rows]
    names = set().union(*(tagged_names(p, keys) for _, _, p in payloads))
    for comment_id, old_hash, payload in payloads:
        erased = _without(erase_tagged(payload, keys, names), author_key)
        _replace_payload(con, comment_id, old_hash, erased)
    return len(rows) + _forget_names(con, {c for c, _, _ in payloads}, names, now)


def _replace_payload(con: duckdb.DuckDBPyConnection, comment_id: str, old_hash: str, payload: Any) -> None:
    """Store an erased payload under the hash a later scan gives it (so that scan adds no duplicate); when another
    version already erased to the same payload, this one just goes."""
    new_hash = payload_hash(payload)
    taken = new_hash != old_hash and con.execute(
        "select count(*) from raw_comments where comment_id = $c and payload_hash = $new",
        {"c": comment_id, "new": new_hash},
    ).fetchone()[0]
    if taken:
        con.execute("delete from raw_comments where comment_id = $c and payload_hash = $old",
                    {"c": comment_id, "old": old_hash})
        return
    con.execute(
        "update raw_comments set payload = $p::json, payload_hash = $new where comment_id = $c and payload_hash = $old",
        {"c": comment_id, "old": old_hash, "new": new_hash, "p": canonical_json(payload)},
    )


def _forget_names(con: duckdb.DuckDBPyConnection, linked: set[str], names: set[str], now: dt.datetime) -> int:
    """Replace `names` by `[navn]` in the staging messages that tag them (by key in a raw payload, `linked`, or by a
    tag span over one of the names, for comments whose raw payloads were purged), their edit history and ideas."""
    if not names:
        return 0
    folded = sorted({n.casefold() for n in names})
    rows = con.execute(
        """select comment_id, message, coalesce(tag_spans::varchar, '[]') from stg_comments
           where message is not null
             and (comment_id in (select unnest($ids))
                  or len(list_filter($names, lambda n: contains(lower(message), n))) > 0)""",
        {"ids": sorted(linked), "names": folded},
    ).fetchall()
    changed = 0
    for comment_id, message, spans_json in rows:
        spans = [(int(o), int(n)) for o, n in json.loads(spans_json)]
        tags_a_name = any(message[o:o + n].strip().casefold() in folded for o, n in spans)
        if comment_id not in linked and not tags_a_name:
            continue
        linked.add(comment_id)
        text, moved = erase_names(message, names, spans)
        if text != message:
            con.execute(
                "update stg_comments set message = $m, tag_spans = $s::json, changed_at = $now where comment_id = $c",
                {"m": text, "s": json.dumps([list(s) for s in moved]), "now": now, "c": comment_id},
            )
            changed += 1
    return changed + _replace_names(con, "stg_comment_history", "comment_id", "message", linked, names) + \
        _replace_names(con, "core_ideas", "idea_id", "text", linked, names)


def _replace_names(con: duckdb.DuckDBPyConnection, table: str, key: str, column: str, ids: set[str],
                   names: set[str]) -> int:
    """Replace whole-word `names` by `[navn]` in `table.column` of the rows whose `key` is one of `ids`."""
    rows = con.execute(
        f"select rowid, {column} from {table} where {key} in (select unnest($ids)) and {column} is not null",
        {"ids": sorted(ids)},
    ).fetchall()
    changed = 0
    for rowid, text in rows:
        erased, _ = erase_names(text, names)
        if erased != text:
            con.execute(f"update {table} set {column} = $t where rowid = $r", {"t": erased, "r": rowid})
            changed += 1
    return changed


def forget_author(con: duckdb.DuckDBPyConnection, author_key: str, now: dt.datetime,
                  kind: str = "facebook_user") -> int:
    """Delete every comment and imported item written by the author with this key, in every table, and the key where
    others tagged them; returns rows deleted or changed.

    ``kind`` says what the key was made from: a Facebook user id (later scans and imports leave the author out) or
    an imported author cell, ``"imported_author"`` (later imports leave them out)."""
    ids = [r[0] for r in con.execute(
        """select comment_id from stg_comments where author_key = $k
           union
           select comment_id from raw_comments where payload->'from'->>'author_key' = $k""",
        {"k": author_key},
    ).fetchall()]
    items = con.execute(
        "select consultation, channel || ':' || item_id from stg_imported_items where author_key = $k",
        {"k": author_key},
    ).fetchall()
    # each erased item is also suppressed by its id: a re-import without --author-column has no key to match
    suppress = [(kind, author_key)] + [("imported_item", item_suppression(c, i)) for c, i in items]
    return _in_transaction(con, kind, ids + [i for _, i in items], suppress, now,
                           also=lambda: _forget_mentions(con, author_key, now))


def forget_comment(con: duckdb.DuckDBPyConnection, comment_id: str, now: dt.datetime) -> int:
    """Delete one comment and its replies, or one imported item (`<channel>:<item_id>`: a Facebook id never holds a
    colon), in every table; returns rows deleted.

    An imported item is suppressed in the consultation that holds it (`item_suppression`), so the same id in another
    consultation (another citizen's item) can still be imported; an id that no consultation holds is suppressed in
    every consultation, to be safe."""
    if ":" in comment_id:
        found = con.execute(
            "select distinct consultation from stg_imported_items where channel || ':' || item_id = $id "
            "union select distinct consultation from core_ideas where idea_id = $id",
            {"id": comment_id},
        ).fetchall()
        # a social channel's comment (Instagram) takes its replies with it, as a Facebook comment does
        thread = [r[0] for r in con.execute(
            """with recursive thread(idea_id) as (
                   select $id
                   union
                   select s.channel || ':' || s.item_id from stg_imported_items as s
                   inner join thread as t on s.parent_id = t.idea_id
               )
               select idea_id from thread""",
            {"id": comment_id},
        ).fetchall()]
        suppress = [("imported_item", item_suppression(c, i)) for (c,) in found for i in thread] or [
            ("imported_item", comment_id)]
        return _in_transaction(con, "imported_item", thread, suppress, now)
    ids = [r[0] for r in con.execute(
        """with recursive thread(comment_id) as (
               select $id
               union
               select c.comment_id from stg_comments as c inner join thread as t on c.parent_id = t.comment_id
           )
           select comment_id from thread""",
        {"id": comment_id},
    ).fetchall()]
    return _in_transaction(con, "comment", ids, [("comment", comment_id)], now)


def drop_gone_items(con: duckdb.DuckDBPyConnection, consultation: str, channel: str, source: str,
                    present: list[str]) -> int:
    """Delete a social channel's items of one source (an Instagram media) that a complete read no longer saw
    (deleted or removed on the channel), with their derived rows (`_delete_comments`); returns items deleted.

    Not an erasure: nothing is suppressed, so a comment that comes back (a hidden one shown again) is read again."""
    gone = [r[0] for r in con.execute(
        """select channel || ':' || item_id from stg_imported_items
           where consultation = $c and channel = $ch and source_file = $s and item_id not in (select unnest($keep))""",
        {"c": consultation, "ch": channel, "s": source, "keep": list(present)},
    ).fetchall()]
    if not gone:
        return 0
    with transaction(con):
        _delete_comments(con, gone, keep_models=True)
        vectors.forget_unused(con)
    return len(gone)


# What `forget` can be asked to erase: the kind, and how its value becomes the author key (None: a comment's id).
FORGET_KINDS = {
    "facebook_user": facebook_author_key,
    "imported_author": imported_author_key,
    "instagram_user": instagram_author_key,
    "comment": None,
}


def forget(warehouse: Warehouse | str | Path, kind: str, value: str, salt: bytes | None, now: dt.datetime) -> int:
    """Erase what `kind`/`value` names (a Facebook user id, an imported author cell, an Instagram username, or a
    comment's or imported item's id) under the writer lock, then purge the erased bytes (`Warehouse.purge_erased`)
    and rewrite the analysts' snapshot so that none stay on disk; returns rows deleted or changed. ``salt`` is needed
    for every kind but ``"comment"``."""
    key_of = FORGET_KINDS[kind]
    if key_of is not None and not salt:
        raise ValueError(f"forgetting a {kind} needs the pseudonym salt")
    warehouse = Warehouse.at(warehouse)
    with warehouse.writer_lock(timeout_seconds=600):  # never between a run's read and its write
        with warehouse.session(wait_seconds=60) as con:
            if key_of is None:
                n = forget_comment(con, value, now)
            else:  # an empty Instagram name is refused in one line (ImportDataError)
                n = forget_author(con, key_of(value, salt), now, kind=kind)
        warehouse.purge_erased()  # no erased bytes left in freed blocks of the file
        warehouse.snapshot()  # nor in the analysts' copy
    return n


def purge_raw(con: duckdb.DuckDBPyConnection, older_than_days: int, now: dt.datetime) -> int:
    """Delete raw payloads fetched more than `older_than_days` ago; returns rows deleted."""
    cutoff = now - dt.timedelta(days=older_than_days)
    n = con.execute("delete from raw_comments where fetched_at < $cutoff", {"cutoff": cutoff}).fetchone()[0]
    n += con.execute("delete from raw_posts where fetched_at < $cutoff", {"cutoff": cutoff}).fetchone()[0]
    return n


def suppressed(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str]]:
    """The erased author keys and comment ids, which ingestion must not load again."""
    rows = con.execute("select kind, value from core_suppressions").fetchall()
    return {v for k, v in rows if k == "facebook_user"}, {v for k, v in rows if k == "comment"}
