"""CIVIC_IDEAS_REFIT_HOURS > 0: between refits, a few new ideas are placed in the stored model's topics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from flows.pipeline import cluster_topics, find_ideas
from flows.settings import load_consultations
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, erase, load

SLUG = "udviklingsstrategi"


def _q(wh: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _latest(wh: Path) -> dict[str, tuple[int, float]]:
    return {i: (t, s) for i, t, s in _q(
        wh, "select idea_id, topic_id, score from core_idea_topics inner join latest_topic_runs using (topic_run_id)")}


def _params(wh: Path) -> dict:
    return json.loads(_q(wh, "select params from core_topic_runs order by created_at desc limit 1")[0][0])


def sample_world(tmp_path: Path, sample_dir: Path, slug: str = SLUG):
    """(warehouse, the consultation's sample comments, run(batch, run_id) -> number of topics): each run loads the
    batch as a scan, detects ideas and clusters them, as the pipeline's analyse stage does."""
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample_dir / "consultations.toml").consultations
                        if c.slug == slug)
    comments = [c for c in data["comments"] if c["post_id"] in consultation.post_ids]
    wh = tmp_path / "wh.duckdb"

    def run(batch: list[dict], name: str) -> int:
        for post_id in consultation.post_ids:
            rows = [c for c in batch if c["post_id"] == post_id]
            table = comments_table(pseudonymise_comments(rows, b"salt" * 8, data["page"]["id"]), post_id, slug)
            with db.session(wh) as con:
                load.save_scan(con, table, post_id=post_id, run_id=name, complete=False, n_requests=1,
                               now=dt.datetime.now(dt.UTC))
        find_ideas.fn(str(wh), slug)
        return cluster_topics.fn(str(wh), consultation, name)

    return wh, comments, run


@pytest.fixture()
def world(tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CIVIC_IDEAS_REFIT_HOURS", "24")
    monkeypatch.setenv("CIVIC_IDEAS_SALT", "placement-flow-salt")  # stored models are signed with it
    return sample_world(tmp_path, sample_dir)


def test_a_few_new_ideas_are_placed_without_moving_the_others(world) -> None:
    wh, comments, run = world
    first = comments[: len(comments) - 6]
    run(first, "r1")
    assert "mode" not in _params(wh) and _q(wh, "select count(*) from core_topic_models") == [(1,)]
    before = _latest(wh)
    labels = dict(_q(wh, "select topic_id, label from topics"))

    run(comments, "r2")  # six more comments: a few new ideas, under 5% of them
    params = _params(wh)
    assert params["mode"] == "placement" and params["n_new_or_edited"] >= 1
    after = _latest(wh)
    assert {i: after[i] for i in before} == before  # every known idea keeps its topic and score
    new = set(after) - set(before)
    assert len(new) == params["n_new_or_edited"]
    assert dict(_q(wh, "select topic_id, label from topics")).items() >= {
        t: label for t, label in labels.items() if t in {after[i][0] for i in after}}.items()
    counts = dict(_q(wh, "select topic_id, n_ideas from topics"))
    assert sum(counts.values()) == len(after)


def test_a_stale_model_or_many_new_ideas_mean_a_refit(world) -> None:
    wh, comments, run = world
    run(comments[: len(comments) // 2], "r1")
    run(comments, "r2")  # half the ideas are new: clustered again, so new topics can form
    assert "mode" not in _params(wh)
    with duckdb.connect(str(wh)) as con:
        con.execute("update core_topic_models set fitted_at = fitted_at - interval 25 hour")
    run(comments, "r3")  # nothing changed at all: the last topic run stands, no new one is made
    assert _q(wh, "select count(*) from core_topic_runs") == [(2,)]
    liked = [{**c, "like_count": c.get("like_count", 0) + 1} if i == 0 else c for i, c in enumerate(comments)]
    run(liked, "r4")  # no new idea, but the model is older than CIVIC_IDEAS_REFIT_HOURS
    assert "mode" not in _params(wh)
    assert _q(wh, "select fitted_at > now() - interval 1 hour from core_topic_models") == [(True,)]


def test_a_deleted_idea_means_a_refit(world) -> None:
    wh, comments, run = world
    run(comments, "r1")
    idea = _q(wh, "select idea_id from ideas limit 1")[0][0]
    run([c for c in comments if c["id"] != idea], "r2")  # the loads mark no deletion: do it as a full scan would
    with db.session(wh) as con:
        load.tombstone(con, [idea], dt.datetime.now(dt.UTC))
    run([c for c in comments if c["id"] != idea], "r3")
    assert "mode" not in _params(wh)
    assert idea not in {i for (i,) in _q(wh, "select idea_id from core_topic_model_ideas")}


def test_an_erasure_drops_the_model(world) -> None:
    wh, comments, run = world
    run(comments, "r1")
    idea = _q(wh, "select idea_id from ideas limit 1")[0][0]
    with db.session(wh) as con:
        erase.forget_comment(con, idea, dt.datetime.now(dt.UTC))
    assert _q(wh, "select count(*) from core_topic_models") == [(0,)]
    assert _q(wh, "select count(*) from core_topic_model_ideas") == [(0,)]
    run(comments, "r2")
    assert "mode" not in _params(wh)  # refitted without the erased comment


def test_a_placement_whose_model_is_due_is_refitted_although_nothing_changed(world) -> None:
    """A placement is a stopgap (no new topic can form): when its model is older than CIVIC_IDEAS_REFIT_HOURS, the
    next analysis refits even with the same ideas, instead of keeping the placement as the last topic run."""
    wh, comments, run = world
    run(comments[: len(comments) - 6], "r1")
    run(comments, "r2")
    assert _params(wh)["mode"] == "placement"
    run(comments, "r3")  # nothing changed and the model is fresh: the placement stands
    assert _q(wh, "select count(*) from core_topic_runs") == [(2,)]
    with duckdb.connect(str(wh)) as con:
        con.execute("update core_topic_models set fitted_at = fitted_at - interval 25 hour")
    run(comments, "r4")
    assert "mode" not in _params(wh) and _q(wh, "select count(*) from core_topic_runs") == [(3,)]
