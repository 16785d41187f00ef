"""Reads from the warehouse that the analysis and export steps need, as DataFrames."""

from __future__ import annotations

import duckdb
import pandas as pd


def comments_for_analysis(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The consultation's live comments (not deleted), with what idea detection and redaction need."""
    return con.execute(
        """
        select comment_id, consultation, parent_id, author_key, is_page_reply, message, tag_spans::varchar as tag_spans,
               has_attachment, created_at, like_count, reply_count, is_hidden
        from stg_comments
        where consultation = $c and deleted_at is null
        order by created_at, comment_id
        """,
        {"c": consultation},
    ).df()


def ideas_for_clustering(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The consultation's current ideas: idea_id, text, author_key, like_count."""
    return con.execute(
        "select idea_id, text, author_key, like_count from core_ideas where consultation = $c order by idea_id",
        {"c": consultation},
    ).df()


def previous_assignments(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame | None:
    """The latest topic run's placements (idea_id, topic_id, label), or None before the first run."""
    frame = con.execute(
        """
        select it.idea_id, it.topic_id, t.label
        from core_idea_topics as it
        inner join latest_topic_runs as r using (topic_run_id)
        inner join core_topics as t on t.topic_run_id = it.topic_run_id and t.topic_id = it.topic_id
        where r.consultation = $c
        """,
        {"c": consultation},
    ).df()
    return frame if len(frame) else None


def max_topic_id(con: duckdb.DuckDBPyConnection, consultation: str) -> int:
    """The highest topic id ever used in a consultation, so retired ids are never reused."""
    return con.execute(
        "select coalesce(max(topic_id), 0) from core_topics where consultation = $c", {"c": consultation}
    ).fetchone()[0]


def topics_export(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The latest topics of a consultation, for planners."""
    return con.execute(
        """
        select topic_id, label, keywords, n_ideas, n_authors, total_likes, status, representative_ids::varchar
               as representative_ids
        from topics where consultation = $c
        """,
        {"c": consultation},
    ).df()


def ideas_export(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The current ideas of a consultation with their topic, for planners (no author key)."""
    return con.execute(
        """
        select idea_id, topic_id, topic_label, text, like_count, reply_count, created_at, channel, topic_rank
        from ideas where consultation = $c
        order by topic_id = 0, topic_id, like_count desc, topic_rank, idea_id
        """,
        {"c": consultation},
    ).df()
