"""Clusterings (topic runs, their topics and placements), the fitted topic model, and planners' corrections."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from warehouse.db import transaction

if TYPE_CHECKING:  # pandas is imported by the caller that builds the frames
    import pandas as pd


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
