"""A channel's items (`stg_imported_items`): an imported file's, or a social channel's such as Instagram's; erased
items are kept out and an id belongs to one consultation and one source."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from transforms.imports import imported_idea_id, item_suppression
from warehouse.db import WarehouseError, transaction

if TYPE_CHECKING:  # the functions import pandas when called: `ingest` loads this package without it
    import pandas as pd


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
