"""Planner corrections survive re-runs that add ideas: real DuckDB file, the flow's task bodies, real exports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from flows.pipeline import cluster_topics, export_files, find_ideas
from flows.settings import load_consultations
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, load

SLUG = "motorvejsoverdaekning"


def _load(wh: Path, comments: list[dict], page_id: str, post_id: str, run: str) -> None:
    table = comments_table(pseudonymise_comments(comments, b"salt" * 8, page_id), post_id, SLUG)
    with db.session(wh) as con:
        load.save_scan(con, table, post_id=post_id, run_id=run, complete=False, n_requests=1,
                       now=dt.datetime.now(dt.UTC))


def _analyse(wh: Path, consultation, run: str, export_dir: Path) -> None:
    find_ideas.fn(str(wh), SLUG)
    cluster_topics.fn(str(wh), consultation, run)
    export_files.fn(str(wh), consultation, str(export_dir))


def _q(wh: Path, sql: str, **params: object) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture()
def setup(tmp_path: Path, sample_dir: Path):
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    config = load_consultations(sample_dir / "consultations.toml")
    consultation = next(c for c in config.consultations if c.slug == SLUG)
    post_id = consultation.post_ids[0]
    comments = [c for c in data["comments"] if c["post_id"] == post_id]
    return tmp_path / "wh.duckdb", tmp_path / "exports", consultation, comments, data["page"]["id"], post_id


def test_corrections_survive_three_reruns_that_add_ideas(setup) -> None:
    wh, exports, consultation, comments, page_id, post_id = setup
    first, later = comments[: int(len(comments) * 0.7)], comments[int(len(comments) * 0.7):]
    _load(wh, first, page_id, post_id, "r0")
    _analyse(wh, consultation, "r0", exports)
    topics = _q(wh, "select topic_id, n_ideas from topics where topic_id <> 0 order by n_ideas desc")
    (big, _), (small, _), (renamed, _) = topics[0], topics[1], topics[2]
    ideas = _q(wh, "select idea_id, topic_id from ideas where topic_id = $t order by idea_id", t=topics[3][0])
    moved, excluded = ideas[0][0], ideas[1][0]
    now = dt.datetime.now(dt.UTC)
    with db.session(wh) as con:
        load.add_correction(con, SLUG, "merge", topic_id=small, target_topic_id=big, created_by="test", now=now)
        load.add_correction(con, SLUG, "rename", topic_id=renamed, label="Planlæggerens titel", created_by="test",
                            now=now)
        load.add_correction(con, SLUG, "move", idea_id=moved, target_topic_id=renamed, created_by="test", now=now)
        load.add_correction(con, SLUG, "exclude", idea_id=excluded, created_by="test", now=now)
    chunks = [later[i::3] for i in range(3)]
    for n in range(1, len(chunks) + 1):
        _load(wh, first + [c for part in chunks[:n] for c in part], page_id, post_id, f"r{n}")
        _analyse(wh, consultation, f"r{n}", exports)
        ids = {t for (t,) in _q(wh, "select topic_id from topics")}
        assert small not in ids, f"run {n}: merged topic came back"
        assert big in ids
        label = _q(wh, "select label, is_corrected from topics where topic_id = $t", t=renamed)
        assert label == [("Planlæggerens titel", True)], f"run {n}"
        assert _q(wh, "select topic_id from ideas where idea_id = $i", i=moved) == [(renamed,)]
        assert _q(wh, "select count(*) from ideas where idea_id = $i", i=excluded) == [(0,)]
        for path in (exports / SLUG).glob("*.csv"):
            assert excluded not in path.read_text(encoding="utf-8")
        frame = pd.read_csv(exports / SLUG / "topics.csv")
        assert "Planlæggerens titel" in set(frame["label"])
