"""Checks on a planner's correction before it is stored, against the latest topic run."""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.db import WarehouseError

# What a correction can do; `topic_corrections.action` holds one of these (checked here, not by the table, so that a
# new action needs no table rebuild: migration 0012).
ACTIONS = ("rename", "merge", "move", "exclude", "include")


def _consultation(con: duckdb.DuckDBPyConnection, consultation: str | None) -> str:
    known = [r[0] for r in con.execute("select consultation from latest_topic_runs order by 1").fetchall()]
    if not known:
        raise WarehouseError("no topics yet: run `civic-ideas run` (or `analyse`) before correcting topics")
    if consultation is None:
        if len(known) > 1:
            raise WarehouseError(f"several consultations: add --consultation (one of {', '.join(known)})")
        return known[0]
    if consultation not in known:
        raise WarehouseError(f"no topics for consultation {consultation}: choose one of {', '.join(known)}")
    return consultation


def _topic_exists(con: duckdb.DuckDBPyConnection, slug: str, topic_id: int) -> None:
    found = con.execute(
        "select count(*) from topics where consultation = $c and topic_id = $t", {"c": slug, "t": topic_id}
    ).fetchone()[0]
    if not found:
        raise WarehouseError(
            f"no topic {topic_id} in {slug}: see `civic-ideas sql \"select topic_id, label from topics\"`"
        )


def _is_comment(con: duckdb.DuckDBPyConnection, slug: str, comment_id: str) -> bool:
    """Whether the id names a live comment or an imported item (`<channel>:<item_id>`) of the consultation."""
    return bool(con.execute(
        """select count(*) from (
               select comment_id from stg_comments where consultation = $c and deleted_at is null
               union all
               select channel || ':' || item_id from stg_imported_items where consultation = $c
           ) where comment_id = $i""",
        {"c": slug, "i": comment_id},
    ).fetchone()[0])


def _verdict(con: duckdb.DuckDBPyConnection, slug: str, comment_id: str) -> bool | None:
    """A planner's latest verdict on a comment: True (included), False (excluded) or None (none); as
    `models.corrections.idea_overrides` reads it."""
    row = con.execute(
        """select action from topic_corrections
           where consultation = $c and idea_id = $i and action in ('include', 'exclude')
           order by correction_id desc limit 1""",
        {"c": slug, "i": comment_id},
    ).fetchone()
    return None if row is None else row[0] == "include"


def _check_include(con: duckdb.DuckDBPyConnection, slug: str, comment_id: str) -> None:
    if not _is_comment(con, slug, comment_id):
        raise WarehouseError(f"no comment {comment_id} in {slug}: see the Id column of the sheet Ikke idéer, or "
                             "`civic-ideas sql \"select comment_id, kind from comments where kind <> 'idea'\"`")
    verdict = _verdict(con, slug, comment_id)
    if verdict:
        raise WarehouseError(f"{comment_id} is already included in {slug}; it is an idea from the next analysis on")
    is_idea = con.execute("select count(*) from core_ideas where consultation = $c and idea_id = $i",
                          {"c": slug, "i": comment_id}).fetchone()[0]
    if is_idea and verdict is None:
        raise WarehouseError(f"{comment_id} is already an idea in {slug}: nothing to include")


def _check_idea(con: duckdb.DuckDBPyConnection, slug: str, idea_id: str) -> None:
    found = con.execute(
        "select count(*) from core_ideas where consultation = $c and idea_id = $i", {"c": slug, "i": idea_id}
    ).fetchone()[0]
    if found:
        return
    if _verdict(con, slug, idea_id):
        raise WarehouseError(f"{idea_id} is included but not analysed yet: run `civic-ideas analyse` (or wait for "
                             "the next run), then correct it")
    raise WarehouseError(f"no idea {idea_id} in {slug}: see the idea_id column of ideas.csv; a comment that is not "
                         f"an idea is made one with `civic-ideas topics include {idea_id}`")


def check_correction(con: duckdb.DuckDBPyConnection, consultation: str | None, action: str, **fields: Any) -> str:
    """Validate a correction's action, consultation, topics and idea (for `include`: a comment of the consultation
    that is not an idea now, or is excluded); returns the consultation's slug."""
    if action not in ACTIONS:
        raise WarehouseError(f"unknown correction {action!r}: choose from {', '.join(ACTIONS)}")
    slug = _consultation(con, consultation)
    for key in ("topic_id", "target_topic_id"):
        if fields.get(key) is not None:
            _topic_exists(con, slug, int(fields[key]))
    if action == "merge" and fields["topic_id"] == fields["target_topic_id"]:
        raise WarehouseError("a topic cannot be merged into itself: give two different topic ids")
    if action == "include":
        _check_include(con, slug, str(fields["idea_id"]))
    elif fields.get("idea_id") is not None:
        _check_idea(con, slug, str(fields["idea_id"]))
    return slug
