"""Typed staging records from pseudonymised Graph API payloads (pure: DuckDB runs in memory here)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from transforms.erasure import erase_tagged

COMMENT_SCHEMA = pa.schema(
    [
        ("comment_id", pa.string()),
        ("post_id", pa.string()),
        ("consultation", pa.string()),
        ("parent_id", pa.string()),
        ("author_key", pa.string()),
        ("is_page_reply", pa.bool_()),
        ("message", pa.string()),
        ("tag_spans", pa.string()),
        ("has_attachment", pa.bool_()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("like_count", pa.int32()),
        ("reaction_count", pa.int32()),  # every reaction (`reactions.summary.total_count`); null when not given
        ("reply_count", pa.int32()),
        ("is_hidden", pa.bool_()),
        ("permalink_url", pa.string()),  # the comment's link on Facebook; null when not given
        ("payload", pa.string()),
        ("payload_hash", pa.string()),
    ]
)
PAYLOAD_SCHEMA = pa.schema([("comment_id", pa.string()), ("post_id", pa.string()), ("payload", pa.string())])


_GRAPH_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+0000\Z")


def parse_graph_time(value: str | None) -> datetime | None:
    """Parse a Graph API timestamp such as `2014-10-07T13:40:00+0000`."""
    if not value:
        return None
    if _GRAPH_TIME.match(value):  # the one spelling the Graph API uses: far faster than strptime, same result
        return datetime.fromisoformat(value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


def canonical_json(payload: Any) -> str:
    """JSON with sorted keys and no whitespace, so equal payloads give equal strings.

    For the Graph API's payloads (strings, integers, booleans, null, lists, objects) orjson writes the same bytes as
    `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, faster, so stored hashes
    do not change; a float may be spelt differently ("1e16" against "1e+16"), NaN becomes null. What orjson refuses
    (a lone surrogate, an integer beyond 64 bits, a key that is not a string) goes to `json`.
    """
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(payload: Any) -> str:
    """A content hash of a payload, used to store a raw version only when it changed."""
    return _hash(canonical_json(payload))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def tag_spans(comment: dict) -> list[list[int]]:
    """The code-point (offset, length) spans of the people and pages tagged in a comment."""
    return [[int(t["offset"]), int(t["length"])] for t in comment.get("message_tags") or [] if "offset" in t]


def reaction_count(comment: dict) -> int | None:
    """Every reaction on a comment (Like, Love, Care, Haha, Wow, Sad, Angry) from its `reactions` expansion's
    `summary.total_count`; None when the payload does not carry it."""
    reactions = comment.get("reactions")
    summary = reactions.get("summary") if isinstance(reactions, dict) else None
    total = summary.get("total_count") if isinstance(summary, dict) else None
    if isinstance(total, bool) or not isinstance(total, int | str):
        return None
    try:
        return int(total)
    except ValueError:  # not a number: as if not given (the SQL path's try_cast says the same)
        return None


def comment_record(comment: dict, post_id: str, consultation: str) -> dict[str, Any]:
    """One staging row from a pseudonymised comment payload."""
    author = comment.get("from") or {}
    parent = comment.get("parent") or {}
    payload = canonical_json(comment)  # serialised once, for the raw row and its hash
    return {
        "comment_id": str(comment["id"]),
        "post_id": post_id,
        "consultation": consultation,
        "parent_id": parent.get("id") or comment.get("parent_id"),
        "author_key": author.get("author_key"),
        "is_page_reply": bool(author.get("is_page", False)),
        "message": comment.get("message"),
        "tag_spans": json.dumps(tag_spans(comment)) if comment.get("message_tags") else "[]",
        "has_attachment": "attachment" in comment,
        "created_at": parse_graph_time(comment.get("created_time")),
        "like_count": int(comment.get("like_count") or 0),
        "reaction_count": reaction_count(comment),
        "reply_count": int(comment.get("comment_count") or 0),
        "is_hidden": bool(comment.get("is_hidden", False)),
        "permalink_url": comment.get("permalink_url") if isinstance(comment.get("permalink_url"), str) else None,
        "payload": payload,
        "payload_hash": _hash(payload),
    }


def comments_table(comments: Iterable[dict], post_id: str, consultation: str) -> pa.Table:
    """An Arrow table of staging rows, deduplicated by comment id (the last payload wins, at the first's place):
    :func:`records_table` of :func:`payload_table`."""
    return records_table(payload_table(comments, post_id), consultation)


def payload_table(comments: Iterable[dict], post_id: str) -> pa.Table:
    """A post's comments as (comment_id, post_id, payload), each payload serialised once (`canonical_json`) and
    deduplicated by comment id (the last payload wins, at the first's place)."""
    latest: dict[str, dict] = {}
    for comment in comments:
        latest[str(comment["id"])] = comment
    return arrow_table({"comment_id": list(latest), "post_id": [post_id] * len(latest),
                        "payload": [canonical_json(c) for c in latest.values()]}, PAYLOAD_SCHEMA)


def _text(value: Any) -> str:
    """A value as Arrow's cast from text reads it back (`arrow_column`); a naive time is UTC, as `pa.array` takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def arrow_column(values: Sequence[Any], type_: pa.DataType) -> pa.Array:
    """An Arrow array of ``values`` (None: null) of ``type_`` (text, booleans, integers, timestamps).

    Not `pa.array`: its first call imports pandas (0.2-0.5 CPU s; pyarrow checks whether a list is a pandas object),
    which `ingest` needs nowhere else. Text goes into a string builder as it is (faster than `pa.array` too); other
    types are built as text and cast, so a value Arrow cannot hold (an int32 overflow) fails as with `pa.array`."""
    builder = pa.lib.StringBuilder()
    if pa.types.is_string(type_):
        builder.append_values(values)
        return builder.finish()
    builder.append_values([None if v is None else _text(v) for v in values])
    return builder.finish().cast(type_)


def arrow_table(columns: dict[str, Sequence[Any]], schema: pa.Schema) -> pa.Table:
    """A table of ``schema`` from its columns' values (`arrow_column` each)."""
    return pa.Table.from_arrays([arrow_column(columns[f.name], f.type) for f in schema], schema=schema)


def records_table(payloads: pa.Table, consultation: str) -> pa.Table:
    """The staging rows of a :func:`payload_table`, or of several posts' concatenated (one query for all of them).

    From ``SQL_FROM_ROWS`` rows on, DuckDB derives the columns from the payload JSON (`_RECORDS_SQL`), in C++ and
    without the interpreter lock, so a thread fetching the next pages runs meanwhile; a query has a fixed cost
    of milliseconds, so an ingest runs one per batch of posts, not one per post. A payload that SQL cannot read the way
    `comment_record` does (a time not in the Graph API's spelling, a count that is not a number) sends the whole
    table down `comment_record`, the reference, which fails or succeeds as before.
    """
    if payloads.num_rows < SQL_FROM_ROWS:
        return _records_py(payloads, consultation)
    try:
        table = _records_in_sql(payloads, consultation)
    except (duckdb.Error, ValueError):
        table = None
    return table if table is not None else _records_py(payloads, consultation)


def _records_py(payloads: pa.Table, consultation: str) -> pa.Table:
    """`records_table` by `comment_record`, from the payloads read back (`json` reads back exactly what
    `canonical_json` wrote; orjson would turn an integer beyond 64 bits into a float)."""
    columns = payloads.select(["post_id", "payload"]).to_pydict()
    return records_from_dicts([comment_record(json.loads(payload), post_id, consultation)
                               for post_id, payload in zip(columns["post_id"], columns["payload"], strict=True)])


def records_from_dicts(records: list[dict[str, Any]]) -> pa.Table:
    """`comment_record` rows as a `COMMENT_SCHEMA` table, column by column (about twice as fast as
    `Table.from_pylist`)."""
    return arrow_table({f.name: [r[f.name] for r in records] for f in COMMENT_SCHEMA}, COMMENT_SCHEMA)


SQL_FROM_ROWS = 1_000

# `comment_record` in SQL. `tag_spans` is written as `json.dumps` writes it (a tag SQL cannot read raises, so the
# Python path decides: a name's span is never dropped in silence); a `created_time` that is not in the Graph API's
# spelling comes out NULL, which `_records_in_sql` turns into the Python path.
_RECORDS_SQL = """
with src as (
    select row_number() over () as n, comment_id, post_id, payload, from_json(payload, '{
        "parent": {"id": "VARCHAR"}, "parent_id": "VARCHAR", "from": {"author_key": "VARCHAR", "is_page": "BOOLEAN"},
        "message": "VARCHAR", "message_tags": "JSON", "created_time": "VARCHAR", "like_count": "VARCHAR",
        "reactions": {"summary": {"total_count": "VARCHAR"}},
        "comment_count": "VARCHAR", "is_hidden": "BOOLEAN", "permalink_url": "JSON"}') as j  -- parsed once per row
    from comment_payloads
)
select
    comment_id,
    post_id,
    $consultation as consultation,
    coalesce(nullif(j.parent.id, ''), j.parent_id) as parent_id,
    j.from.author_key as author_key,
    coalesce(j.from.is_page, false) as is_page_reply,
    j.message as message,
    case when json_type(j.message_tags) = 'ARRAY' then
        '[' || array_to_string(list_transform(
            list_filter(json_extract(j.message_tags, '$[*]'),
                        lambda t: json_type(t) = 'OBJECT' and json_exists(t, '$.offset')),
            lambda t: '[' || coalesce(cast(t->>'$.offset' as bigint), error('tag without offset')) || ', '
                      || coalesce(cast(t->>'$.length' as bigint), error('tag without length')) || ']'),
            ', ') || ']'
    else '[]' end as tag_spans,
    json_exists(payload, '$.attachment') as has_attachment,
    nullif(j.created_time, '') as created_time,
    try_strptime(nullif(j.created_time, ''), '%Y-%m-%dT%H:%M:%S%z') as created_at,
    cast(coalesce(nullif(j.like_count, ''), '0') as integer) as like_count,
    try_cast(j.reactions.summary.total_count as integer) as reaction_count,
    cast(coalesce(nullif(j.comment_count, ''), '0') as integer) as reply_count,
    coalesce(j.is_hidden, false) as is_hidden,
    case when json_type(j.permalink_url) = 'VARCHAR' then j.permalink_url->>'$' end as permalink_url,
    left(sha256(payload), 32) as payload_hash
from src
order by n
"""

_SQL = threading.local()


def _records_in_sql(source: pa.Table, consultation: str) -> pa.Table | None:
    """The staging rows of `source` (a `payload_table`) by `_RECORDS_SQL`, or None if a time needs Python."""
    con = getattr(_SQL, "con", None)
    if con is None:  # one in-memory DuckDB per thread: nothing is stored in it
        con = _SQL.con = duckdb.connect()
        con.execute("set TimeZone = 'UTC'")
        con.execute("set threads = 1")  # small tables; leaves the other core to the fetching threads
    con.register("comment_payloads", source)
    try:
        out = con.sql(_RECORDS_SQL, params={"consultation": consultation}).to_arrow_table()
    finally:
        con.unregister("comment_payloads")
    if out["created_at"].null_count != out["created_time"].null_count:
        return None
    # the payloads themselves are the source's column (its buffers shared, not a second copy made by the query)
    out = out.drop_columns(["created_time"])
    out = out.add_column(out.schema.get_field_index("payload_hash"), "payload", source.column("payload"))
    return out.cast(COMMENT_SCHEMA)


def drop_suppressed(comments: list[dict], author_keys: set[str], comment_ids: set[str]) -> list[dict]:
    """Leave out erased authors' comments (and their tags in others' comments), and erased comments together with
    every reply below them."""
    if not author_keys and not comment_ids:  # nobody erased: the usual case
        return comments
    by_id = {str(c["id"]): c for c in comments}
    gone: dict[str, bool] = {}

    def is_gone(comment_id: str, depth: int = 0) -> bool:
        if comment_id in comment_ids:
            return True
        comment = by_id.get(comment_id)
        if comment is None or depth > 100:
            return False
        if comment_id not in gone:
            parent = (comment.get("parent") or {}).get("id")
            gone[comment_id] = bool(parent) and is_gone(str(parent), depth + 1)
        return gone[comment_id]

    kept = [
        c for c in comments
        if (c.get("from") or {}).get("author_key") not in author_keys and not is_gone(str(c["id"]))
    ]
    return [_without_tags_of(c, author_keys) for c in kept]


def _without_tags_of(comment: dict, author_keys: set[str]) -> dict:
    """An erased person tagged in someone else's comment: their name becomes `[navn]` and their tag loses its key,
    as `civic-ideas forget` left the stored copy (`transforms.erasure.erase_tagged`)."""
    tags = comment.get("message_tags")
    if not tags or not author_keys or not any(isinstance(t, dict) and t.get("id") in author_keys for t in tags):
        return comment
    return erase_tagged(comment, author_keys)
