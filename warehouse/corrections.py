"""Checks on a planner's correction before it is stored, against the latest topic run."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import duckdb
import pandas as pd

from models.corrections import apply_corrections, corrections_digest, next_new_topic_id
from warehouse import load, queries
from warehouse.db import WarehouseError, transaction

log = logging.getLogger(__name__)

# What a correction can do; `topic_corrections.action` holds one of these (checked here, not by the table, so that a
# new action needs no table rebuild: migration 0012). `new` is one row per idea of a planner's own topic.
ACTIONS = ("rename", "merge", "move", "exclude", "include", "new")


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


def topic_consultations(con: duckdb.DuckDBPyConnection, consultation: str | None) -> list[str]:
    """The consultations `topics list` shows: the one asked for (a clear error if it has no topics), else every
    consultation with topics."""
    return [_consultation(con, consultation)] if consultation else queries.consultations_with_topics(con)


def check_correction(con: duckdb.DuckDBPyConnection, consultation: str | None, action: str, **fields: Any) -> str:
    """Validate a correction's action, consultation, topics and idea (for `include`: a comment of the consultation
    that is not an idea now, or is excluded); returns the consultation's slug."""
    if action not in ACTIONS or action == "new":  # `new` goes through add_new_topic
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


def add_new_topic(con: duckdb.DuckDBPyConnection, consultation: str | None, label: str, idea_ids: list[str], *,
                  created_by: str, now: dt.datetime) -> tuple[str, int, int]:
    """A planner's own topic LABEL made of ``idea_ids`` (ideas of the consultation), kept across runs as one `new`
    rule per idea; returns (slug, the new topic's number, the first rule's id)."""
    slug = _consultation(con, consultation)
    if not label.strip():
        raise WarehouseError("the new topic's label is empty: give it a name, e.g. "
                             "topics new \"Skøjtebane\" --ideas ID")
    if not idea_ids:
        raise WarehouseError("a new topic needs ideas: add --ideas ID (repeatable; the Idé-id column of the workbook)")
    for idea_id in idea_ids:
        _check_idea(con, slug, idea_id)
    topic_id = next_new_topic_id(queries.topic_numbers_used(con, slug))
    with transaction(con):
        rules = [load.add_correction(con, slug, "new", topic_id=topic_id, label=label.strip(), idea_id=i,
                                     created_by=created_by, now=now) for i in dict.fromkeys(idea_ids)]
    return slug, topic_id, rules[0]


def _what(rows: pd.DataFrame) -> str:
    """One correction (a `new` topic: all its rows) in words."""
    first = rows.iloc[0]
    action = first["action"]
    if action == "new":
        return f"new topic {int(first['topic_id'])} \"{first['label']}\" of ideas {', '.join(rows['idea_id'])}"
    if action == "rename":
        return f"rename topic {int(first['topic_id'])} to \"{first['label']}\""
    if action == "merge":
        return f"merge topic {int(first['topic_id'])} into {int(first['target_topic_id'])}"
    if action == "move":
        return f"move idea {first['idea_id']} to topic {int(first['target_topic_id'])}"
    return f"{action} {first['idea_id']}"


def list_corrections(con: duckdb.DuckDBPyConnection, consultation: str | None) -> pd.DataFrame:
    """Planners' corrections, oldest first, one row each (a new topic once, under its first rule's id): id,
    consultation, correction (in words), by, at."""
    rows = queries.correction_rows(con, consultation)
    out = []
    group = rows["action"].eq("new").map({True: "new", False: ""}) + ":" + rows["topic_id"].astype("string").fillna("")
    group = group.where(rows["action"].eq("new"), rows["correction_id"].astype(str))
    for _, part in rows.groupby([rows["consultation"], group], sort=False):
        first = part.iloc[0]
        out.append({"id": int(first["correction_id"]), "consultation": first["consultation"],
                    "correction": _what(part), "by": first["created_by"],
                    "at": pd.Timestamp(first["created_at"]).strftime("%Y-%m-%d %H:%M")})
    frame = pd.DataFrame(out, columns=["id", "consultation", "correction", "by", "at"])
    return frame.sort_values(["consultation", "id"]).reset_index(drop=True)


def undo_correction(con: duckdb.DuckDBPyConnection, correction_id: int) -> tuple[str, str]:
    """Remove correction ``correction_id`` (a new topic: all its rules); returns (slug, the correction in words)."""
    row = con.execute("select consultation, action, topic_id from topic_corrections where correction_id = $i",
                      {"i": correction_id}).fetchone()
    if row is None:
        raise WarehouseError(f"no correction {correction_id}: see the id column of `civic-ideas corrections list`")
    slug, action, topic_id = row
    rows = queries.correction_rows(con, slug)
    part = rows[rows["correction_id"].eq(correction_id)]
    if action == "new":
        part = rows[rows["action"].eq("new") & rows["topic_id"].eq(topic_id)]
    with transaction(con):
        con.execute("delete from topic_corrections where correction_id in (select unnest($ids))",
                    {"ids": [int(i) for i in part["correction_id"]]})
    return slug, _what(part)


def reapply(con: duckdb.DuckDBPyConnection, consultation: str) -> bool:
    """Apply the consultation's corrections, as they are now, to its latest topic run's placements, in place and
    without clustering again: merged, moved and new topics get their support, examples, keywords and status from
    their ideas. Nothing happens when the run already applied these corrections; returns whether it changed."""
    latest = queries.latest_topic_run(con, consultation)
    if latest is None:
        return False
    run_id, params, _ = latest
    rules = queries.corrections(con, consultation)
    digest = corrections_digest(rules)
    if params.get("corrections") == digest:
        return False
    placements = queries.run_placements(con, run_id)
    stored = queries.run_topics(con, run_id).set_index("topic_id", drop=False)
    model = placements.drop_duplicates("topic_id")[["topic_id", "model_label"]].rename(columns={"model_label": "label"})
    base = model.merge(stored.drop(columns="label").reset_index(drop=True), on="topic_id", how="left")
    # keywords a correction wrote (or a topic the run does not hold) are worked out again from the ideas
    base.loc[base["is_corrected"].fillna(True).astype(bool), "keywords"] = None
    base["status"] = base["status"].fillna("new")
    base["representative_ids"] = [v if isinstance(v, list) else [] for v in base["representative_ids"]]
    base = base[["topic_id", "label", "keywords", "n_ideas", "n_authors", "total_likes", "status",
                 "representative_ids"]]
    ideas = queries.ideas_for_clustering(con, consultation)
    assignments, topics = apply_corrections(
        placements[["idea_id", "topic_id", "score", "rank"]], base, ideas, rules,
        previous_sizes=queries.topic_sizes(con, consultation, 2) or {}, language=params.get("language", "da"),
    )
    topics["representative_ids"] = [json.dumps(list(v)) for v in topics["representative_ids"]]
    params["corrections"] = digest
    with transaction(con):
        con.execute("delete from core_topics where topic_run_id = $r", {"r": run_id})
        con.execute("delete from core_idea_topics where topic_run_id = $r", {"r": run_id})
        _insert_run_rows(con, run_id, consultation, topics, assignments)
        con.execute("update core_topic_runs set params = $p::json where topic_run_id = $r",
                    {"p": json.dumps(params, default=str), "r": run_id})
    log.info("%s: corrections applied to topic run %s without clustering again", consultation, run_id)
    return True


def _insert_run_rows(con: duckdb.DuckDBPyConnection, run_id: str, consultation: str, topics: pd.DataFrame,
                     assignments: pd.DataFrame) -> None:
    con.register("batch_topics", topics)
    con.register("batch_assignments", assignments)
    try:
        con.execute(
            """insert into core_topics (topic_run_id, consultation, topic_id, label, keywords, n_ideas, n_authors,
                                        total_likes, status, representative_ids, is_corrected)
               select $r, $c, topic_id, label, keywords, n_ideas, n_authors, total_likes, status,
                      representative_ids::json, is_corrected from batch_topics""",
            {"r": run_id, "c": consultation},
        )
        con.execute(
            """insert into core_idea_topics (topic_run_id, consultation, idea_id, topic_id, score, rank,
                                             model_topic_id, model_label)
               select $r, $c, idea_id, topic_id, score, rank, model_topic_id, model_label from batch_assignments""",
            {"r": run_id, "c": consultation},
        )
    finally:
        con.unregister("batch_topics")
        con.unregister("batch_assignments")
