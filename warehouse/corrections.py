"""Checks on a planner's correction before it is stored, against the latest topic run."""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.db import WarehouseError


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


def check_correction(con: duckdb.DuckDBPyConnection, consultation: str | None, action: str, **fields: Any) -> str:
    """Validate a correction's consultation, topics and idea; returns the consultation's slug."""
    slug = _consultation(con, consultation)
    for key in ("topic_id", "target_topic_id"):
        if fields.get(key) is not None:
            _topic_exists(con, slug, int(fields[key]))
    if action == "merge" and fields["topic_id"] == fields["target_topic_id"]:
        raise WarehouseError("a topic cannot be merged into itself: give two different topic ids")
    if fields.get("idea_id") is not None:
        found = con.execute(
            "select count(*) from core_ideas where consultation = $c and idea_id = $i",
            {"c": slug, "i": fields["idea_id"]},
        ).fetchone()[0]
        if not found:
            raise WarehouseError(f"no idea {fields['idea_id']} in {slug}: see the idea_id column of ideas.csv")
    return slug
