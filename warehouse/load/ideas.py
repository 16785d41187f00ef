"""A consultation's ideas of one channel and the comments' kinds (`core_ideas`, `core_comment_kinds`), replaced by
each detection."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from warehouse.db import transaction

if TYPE_CHECKING:  # pandas is imported by the caller that builds the frames
    import pandas as pd


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
