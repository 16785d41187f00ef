"""An analysis whose inputs did not change makes no new topic run: the last one stands (an hourly schedule with
nothing new writes nothing, instead of a copy of every idea's placement)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from test_placement_flow import sample_world

from warehouse import db, load

SLUG = "motorvejsoverdaekning"


def _q(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture()
def world(tmp_path: Path, sample_dir: Path):
    return sample_world(tmp_path, sample_dir, SLUG)


def test_an_unchanged_analysis_keeps_the_last_topic_run(world) -> None:
    wh, comments, run = world
    n_topics = run(comments, "r1")
    topics = _q(wh, "select topic_id, label, n_ideas, status from topics order by topic_id")
    assert run(comments, "r2") == n_topics  # the topics of r1, counted for the run's record
    assert _q(wh, "select run_id from core_topic_runs") == [("r1",)]
    assert _q(wh, "select topic_id, label, n_ideas, status from topics order by topic_id") == topics


def test_a_like_or_a_correction_makes_a_new_topic_run(world) -> None:
    wh, comments, run = world
    run(comments, "r1")
    idea = _q(wh, "select idea_id from ideas order by idea_id limit 1")[0][0]
    liked = [{**c, "like_count": c.get("like_count", 0) + 5} if c["id"] == idea else c for c in comments]
    run(liked, "r2")  # support counts changed
    topic = _q(wh, f"select topic_id from ideas where idea_id = '{idea}'")[0][0]
    with db.session(wh) as con:
        load.add_correction(con, SLUG, "rename", created_by="test", now=dt.datetime.now(dt.UTC), topic_id=topic,
                            label="Omdøbt emne")
    run(liked, "r3")  # a planner's correction
    assert [r for (r,) in _q(wh, "select run_id from core_topic_runs order by created_at")] == ["r1", "r2", "r3"]
    assert _q(wh, f"select label from topics where topic_id = {topic}") == [("Omdøbt emne",)]
