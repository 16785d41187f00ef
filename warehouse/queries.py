"""Reads from the warehouse that the analysis, export and command-line steps need, most as DataFrames (pandas is
loaded when a DataFrame is made, so the CLI's summary of an empty warehouse does not load it)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
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


_COMMENT_COLUMNS = """comment_id, consultation, parent_id, author_key, is_page_reply, message,
    tag_spans::varchar as tag_spans, has_attachment, created_at, like_count, reply_count, is_hidden"""


def comments_changed_since(con: duckdb.DuckDBPyConnection, consultation: str, since,
                           also_ids: list[str] | None = None) -> pd.DataFrame:
    """Like :func:`comments_for_analysis`, only the comments whose row changed after ``since``, and those named in
    ``also_ids`` (comments a planner's verdict changed for)."""
    return con.execute(
        f"""
        select {_COMMENT_COLUMNS}
        from stg_comments
        where consultation = $c and deleted_at is null
          and (changed_at > $since or comment_id in (select unnest($ids)))
        order by created_at, comment_id
        """,
        {"c": consultation, "since": since, "ids": list(also_ids or [])},
    ).df()


def idea_detection_state(con: duckdb.DuckDBPyConnection, consultation: str, channel: str):
    """(detected_through, rules_version, overrides) of the consultation's last idea detection, or None;
    ``overrides`` is the planners' include/exclude verdicts it applied (comment id -> is an idea)."""
    row = con.execute(
        """select detected_through, rules_version, overrides from core_idea_detection
           where consultation = $c and channel = $ch""",
        {"c": consultation, "ch": channel},
    ).fetchone()
    return None if row is None else (row[0], row[1], json.loads(row[2]) if row[2] else {})


def comments_changed_through(con: duckdb.DuckDBPyConnection, consultation: str):
    """The newest change time of the consultation's comments (None when it has none)."""
    return con.execute(
        "select max(changed_at) from stg_comments where consultation = $c", {"c": consultation}
    ).fetchone()[0]


def known_consultations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The slugs of the consultations the warehouse knows: any with posts, comments, imported items, ideas or topic
    runs."""
    return [r[0] for r in con.execute(
        """select consultation from stg_posts union select consultation from stg_comments
           union select consultation from stg_imported_items union select consultation from core_ideas
           union select consultation from core_topic_runs
           order by consultation"""
    ).fetchall()]


def imported_channels(con: duckdb.DuckDBPyConnection, consultation: str) -> list[str]:
    """The channels imported into a consultation (`civic-ideas import`), by name."""
    return [r[0] for r in con.execute(
        "select distinct channel from stg_imported_items where consultation = $c order by channel", {"c": consultation}
    ).fetchall()]


def imported_items(con: duckdb.DuckDBPyConnection, consultation: str, channel: str) -> pd.DataFrame:
    """One imported channel's items, with what idea detection and redaction need."""
    return con.execute(
        """
        select consultation, item_id, text, created_at, author_key, like_count, parent_id, is_hidden, is_page_reply
        from stg_imported_items
        where consultation = $c and channel = $ch
        order by created_at, item_id
        """,
        {"c": consultation, "ch": channel},
    ).df()


def ideas_for_clustering(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The consultation's current ideas: idea_id, text, author_key, like_count."""
    return con.execute(
        "select idea_id, text, author_key, like_count from core_ideas where consultation = $c order by idea_id",
        {"c": consultation},
    ).df()


def previous_assignments(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame | None:
    """The latest topic run's placements as the model made them (idea_id, topic_id, label), before planners'
    corrections, so topic identity follows the model and corrections are re-applied on top; None before a first run.
    """
    frame = con.execute(
        """
        select it.idea_id,
               coalesce(it.model_topic_id, it.topic_id) as topic_id,
               coalesce(it.model_label, t.label) as label,
               it.score
        from core_idea_topics as it
        inner join latest_topic_runs as r using (topic_run_id)
        left join core_topics as t on t.topic_run_id = it.topic_run_id and t.topic_id = it.topic_id
        where r.consultation = $c
        """,
        {"c": consultation},
    ).df()
    return frame if len(frame) else None


def latest_topic_run(con: duckdb.DuckDBPyConnection, consultation: str) -> tuple[str, dict, int] | None:
    """The consultation's latest topic run: (topic_run_id, its params, its number of topics); None before a first."""
    row = con.execute(
        """select r.topic_run_id, r.params, (select count(*) from core_topics t where t.topic_run_id = r.topic_run_id)
           from latest_topic_runs as r where r.consultation = $c""",
        {"c": consultation},
    ).fetchone()
    return None if row is None else (row[0], json.loads(row[1]) if row[1] else {}, int(row[2]))


def topic_model(con: duckdb.DuckDBPyConnection, consultation: str) -> dict | None:
    """The consultation's stored topic model: fitted_at, fingerprint, model (bytes) and ideas (text hashes by
    idea_id of the ideas it was fitted on); None when there is none."""
    row = con.execute(
        "select fitted_at, fingerprint, model from core_topic_models where consultation = $c", {"c": consultation}
    ).fetchone()
    if row is None:
        return None
    fit = con.execute(
        "select idea_id, text_hash from core_topic_model_ideas where consultation = $c", {"c": consultation}
    ).df()
    import pandas as pd

    ideas = pd.Series(fit["text_hash"].to_numpy(dtype="uint64"), index=fit["idea_id"].astype(str).to_numpy())
    return {"fitted_at": row[0], "fingerprint": row[1], "model": row[2], "ideas": ideas}


def max_topic_id(con: duckdb.DuckDBPyConnection, consultation: str) -> int:
    """The highest topic id ever used in a consultation, so retired ids are never reused."""
    return con.execute(
        "select coalesce(max(topic_id), 0) from core_topics where consultation = $c", {"c": consultation}
    ).fetchone()[0]


def topics_export(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The latest topics of a consultation, for planners, with their size in the run before (null when new)."""
    return con.execute(
        """
        with runs as (
            select topic_run_id, row_number() over (order by created_at desc, topic_run_id desc) as recency
            from core_topic_runs
            where consultation = $c
        ),

        previous as (
            select t.topic_id, t.n_ideas
            from core_topics as t
            inner join runs as r using (topic_run_id)
            where r.recency = 2
        )

        select t.topic_id, t.label, t.keywords, t.n_ideas, t.n_authors, t.total_likes, t.status,
               coalesce(t.is_corrected, false) as is_corrected, p.n_ideas as n_ideas_previous,
               t.n_ideas - p.n_ideas as n_ideas_change,
               t.representative_ids::varchar as representative_ids
        from topics as t
        left join previous as p using (topic_id)
        where t.consultation = $c
        order by t.topic_id = 0, t.n_ideas desc, t.topic_id
        """,
        {"c": consultation},
    ).df()


def topics_gone(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """Topics of the previous topic run that the latest run no longer has (topic_id, label, n_ideas)."""
    return con.execute(
        """
        with runs as (
            select topic_run_id, row_number() over (order by created_at desc, topic_run_id desc) as recency
            from core_topic_runs
            where consultation = $c
        ),

        latest as (
            select t.topic_id from core_topics as t inner join runs as r using (topic_run_id) where r.recency = 1
        )

        select t.topic_id, t.label, t.n_ideas
        from core_topics as t
        inner join runs as r using (topic_run_id)
        where r.recency = 2 and t.topic_id not in (select topic_id from latest)
        order by t.n_ideas desc, t.topic_id
        """,
        {"c": consultation},
    ).df()


def ideas_export(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The current ideas of a consultation with their topic, for planners (no author key).

    Sorted as planners read them: by topic in the order of the topics table, then by support (likes).
    """
    return con.execute(
        """
        select i.idea_id, i.topic_id, i.topic_label, i.text, i.like_count, i.reply_count, i.created_at, i.channel,
               i.topic_rank
        from ideas as i
        left join topics as t on t.consultation = i.consultation and t.topic_id = i.topic_id
        where i.consultation = $c
        order by i.topic_id is null, i.topic_id = 0, t.n_ideas desc, i.topic_id, i.like_count desc, i.topic_rank,
                 i.idea_id
        """,
        {"c": consultation},
    ).df()


def polis_comments(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The current ideas in submission order, with the author key the Pol.is export turns into small integers."""
    return con.execute(
        """
        select idea_id, author_key, created_at, like_count, text
        from ideas
        where consultation = $c
        order by created_at nulls last, idea_id
        """,
        {"c": consultation},
    ).df()


def consultation_overview(con: duckdb.DuckDBPyConnection, consultation: str) -> dict[str, object]:
    """What a report says about a consultation: comment and idea counts, the period covered, the last topic runs."""
    comments = con.execute(
        """
        select count(*), count(distinct author_key), min(created_at), max(created_at)
        from comments
        where consultation = $c and deleted_at is null and not is_page_reply and not is_hidden
        """,
        {"c": consultation},
    ).fetchone()
    ideas = con.execute(
        """
        select count(*) filter (where channel = 'facebook'), count(*),
               -- citizens: each known author once, each idea without one as its own (models.corrections.citizens)
               count(distinct author_key) + count(*) filter (where author_key is null),
               count(*) filter (where topic_id = 0), count(*) filter (where topic_id is null)
        from ideas where consultation = $c
        """,
        {"c": consultation},
    ).fetchone()
    runs = con.execute(
        "select created_at from core_topic_runs where consultation = $c order by created_at desc limit 2",
        {"c": consultation},
    ).fetchall()
    return {
        "n_comments": comments[0], "n_commenters": comments[1],
        "first_comment_at": comments[2], "last_comment_at": comments[3],
        "n_facebook_ideas": ideas[0], "n_ideas": ideas[1], "n_idea_authors": ideas[2],
        "n_unplaced_ideas": ideas[3], "n_ideas_without_topic": ideas[4],
        "topic_run_at": runs[0][0] if runs else None, "previous_topic_run_at": runs[1][0] if len(runs) > 1 else None,
    }


def consultation_posts(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The consultation's live posts (the Page's questions to citizens), oldest first."""
    return con.execute(
        """
        select post_id, message, created_at, permalink_url
        from stg_posts
        where consultation = $c and deleted_at is null
        order by created_at, post_id
        """,
        {"c": consultation},
    ).df()


def corrections(con: duckdb.DuckDBPyConnection, consultation: str) -> list[dict]:
    """A consultation's planner corrections, oldest first."""
    frame = con.execute(
        """select action, topic_id, target_topic_id, idea_id, label from topic_corrections
           where consultation = $c order by correction_id""",
        {"c": consultation},
    ).df()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def non_ideas_export(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The consultation's live comments and imported items judged not to be ideas, for planners (no author key):
    comment_id, channel, kind, kind_reason, message and tag_spans (to redact), like_count, created_at; most liked
    first."""
    return con.execute(
        """
        with kinds as (
            select comment_id, channel, kind, kind_reason from core_comment_kinds
            where consultation = $c and kind <> 'idea'
        ),

        texts as (
            select comment_id, message, tag_spans::varchar as tag_spans, like_count, created_at
            from stg_comments where consultation = $c and deleted_at is null
            union all
            select channel || ':' || item_id, text, null, 0, created_at
            from stg_imported_items where consultation = $c
        )

        select k.comment_id, k.channel, k.kind, k.kind_reason, t.message, t.tag_spans, t.like_count, t.created_at
        from kinds as k
        inner join texts as t using (comment_id)
        order by t.like_count desc, t.created_at nulls last, k.comment_id
        """,
        {"c": consultation},
    ).df()


def run_placements(con: duckdb.DuckDBPyConnection, topic_run_id: str) -> pd.DataFrame:
    """A topic run's placements as the model made them: idea_id, topic_id (the model's), model_label, score, rank."""
    return con.execute(
        """
        select it.idea_id, coalesce(it.model_topic_id, it.topic_id) as topic_id,
               coalesce(it.model_label, t.label) as model_label, it.score, it.rank
        from core_idea_topics as it
        left join core_topics as t on t.topic_run_id = it.topic_run_id and t.topic_id = it.topic_id
        where it.topic_run_id = $r
        order by it.idea_id
        """,
        {"r": topic_run_id},
    ).df()


def run_topics(con: duckdb.DuckDBPyConnection, topic_run_id: str) -> pd.DataFrame:
    """A topic run's stored topics (as corrected then), representative_ids as lists."""
    frame = con.execute(
        """select topic_id, label, keywords, n_ideas, n_authors, total_likes, status,
                  representative_ids::varchar as representative_ids, coalesce(is_corrected, false) as is_corrected
           from core_topics where topic_run_id = $r order by topic_id""",
        {"r": topic_run_id},
    ).df()
    frame["representative_ids"] = [json.loads(v) if v else [] for v in frame["representative_ids"]]
    return frame


def topic_sizes(con: duckdb.DuckDBPyConnection, consultation: str, recency: int) -> dict[int, int] | None:
    """Topic sizes (topic_id -> ideas) of a consultation's topic run, as planners saw them: ``recency`` 1 is the
    latest run, 2 the one before; None when there is no such run."""
    rows = con.execute(
        """
        with runs as (
            select topic_run_id, row_number() over (order by created_at desc, topic_run_id desc) as recency
            from core_topic_runs where consultation = $c
        )
        select r.topic_run_id, t.topic_id, t.n_ideas
        from runs as r left join core_topics as t using (topic_run_id)
        where r.recency = $n
        """,
        {"c": consultation, "n": recency},
    ).fetchall()
    if not rows:
        return None
    return {int(t): int(n) for _, t, n in rows if t is not None}


def topic_numbers_used(con: duckdb.DuckDBPyConnection, consultation: str) -> list[int]:
    """Every topic number a consultation has used: in any topic run, and in planners' corrections."""
    return [r[0] for r in con.execute(
        """select topic_id from core_topics where consultation = $c
           union select topic_id from topic_corrections where consultation = $c and topic_id is not null""",
        {"c": consultation},
    ).fetchall()]


def topics_list(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The latest topics of a consultation for `civic-ideas topics list`: topic_id, label, n_ideas, n_authors,
    status, is_corrected."""
    return con.execute(
        """select topic_id, label, n_ideas, n_authors, status, coalesce(is_corrected, false) as is_corrected
           from topics where consultation = $c""",
        {"c": consultation},
    ).df()


def correction_rows(con: duckdb.DuckDBPyConnection, consultation: str | None) -> pd.DataFrame:
    """Planners' corrections with their ids, oldest first (every consultation's when ``consultation`` is None)."""
    return con.execute(
        """select correction_id, consultation, action, topic_id, target_topic_id, idea_id, label, created_by,
                  created_at
           from topic_corrections where $c is null or consultation = $c
           order by consultation, correction_id""",
        {"c": consultation},
    ).df()


def idea_links(con: duckdb.DuckDBPyConnection, consultation: str) -> dict[str, str]:
    """The Facebook link of each idea that is a comment, where the warehouse has it (idea_id -> permalink_url)."""
    return dict(con.execute(
        """select i.idea_id, c.permalink_url from core_ideas as i
           inner join stg_comments as c on c.comment_id = i.idea_id
           where i.consultation = $c and c.permalink_url like 'https://%'""",
        {"c": consultation},
    ).fetchall())


def reply_parents(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The comment each reply among a consultation's ideas answers: idea_id, the parent's message and tag_spans (to
    redact before showing), whether the parent is still shown (not deleted, hidden or erased) and whether the Page
    wrote it. One row per idea that is a reply."""
    return con.execute(
        """
        select i.idea_id, p.message as parent_message, p.tag_spans::varchar as parent_tag_spans,
               coalesce(p.deleted_at is null and not p.is_hidden, false) as parent_visible,
               coalesce(p.is_page_reply, false) as parent_is_page
        from core_ideas as i
        inner join stg_comments as c on c.comment_id = i.idea_id
        left join stg_comments as p on p.comment_id = c.parent_id
        where i.consultation = $c and c.parent_id is not null
        order by i.idea_id
        """,
        {"c": consultation},
    ).df()


def warehouse_totals(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """For the CLI's summary: comments and replies not deleted, those deleted, and ideas, over every consultation."""
    live, deleted = con.execute(
        """select count(*) filter (where deleted_at is null), count(*) filter (where deleted_at is not null)
           from comments"""
    ).fetchone()
    return live, deleted, con.execute("select count(*) from ideas").fetchone()[0]


def summary_topics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """For the CLI's summary: every consultation's latest topics, or None when there are none (pandas is loaded only
    when there are topics)."""
    if not con.execute("select count(*) from topics").fetchone()[0]:
        return None
    return con.execute(
        "select consultation, topic_id, label, n_ideas, n_authors, total_likes, status from topics"
    ).df()


def consultations_with_topics(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The consultations that have a topic run, sorted."""
    return [r[0] for r in con.execute("select consultation from latest_topic_runs order by 1").fetchall()]
