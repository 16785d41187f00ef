"""A text is encoded once, ever: the pipeline keeps each idea text's vector in the warehouse (core_text_vectors, keyed
by text hash and model id), and a refit or a re-run encodes only the texts it has not seen."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import numpy as np
import pytest

from flows.pipeline import cluster_topics, find_ideas
from flows.settings import load_consultations
from models.embeddings import multilingual_model, vector_model_id
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, load, vectors

SLUG = "motorvejsoverdaekning"


def _q(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


def _params(wh: Path) -> dict:
    return json.loads(_q(wh, "select params from core_topic_runs order by created_at desc limit 1")[0][0])


@pytest.fixture()
def world(tmp_path: Path, sample_dir: Path):
    """(warehouse, the consultation's comments, run(batch, run_id)): each run loads the batch as a scan, detects the
    ideas and clusters them with the multilingual backend, as the pipeline's analyse stage does."""
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample_dir / "consultations.toml").consultations
                        if c.slug == SLUG).model_copy(update={"backend": "multilingual"})
    comments = [c for c in data["comments"] if c["post_id"] in consultation.post_ids]
    wh = tmp_path / "wh.duckdb"

    def run(batch: list[dict], name: str) -> dict:
        for post_id in consultation.post_ids:
            rows = [c for c in batch if c["post_id"] == post_id]
            table = comments_table(pseudonymise_comments(rows, b"salt" * 8, data["page"]["id"]), post_id, SLUG)
            with db.session(wh) as con:
                load.save_scan(con, table, post_id=post_id, run_id=name, complete=False, n_requests=1,
                               now=dt.datetime.now(dt.UTC))
        find_ideas.fn(str(wh), SLUG)
        cluster_topics.fn(str(wh), consultation, name)
        return _params(wh)["vectors"]

    return wh, comments, run


def test_a_text_is_encoded_once_ever(world, sample_dir: Path) -> None:
    wh, comments, run = world
    model_id = vector_model_id("multilingual")
    first = run(comments, "r1")
    n_texts = _q(wh, "select count(*) from core_text_vectors")[0][0]
    assert first == {"model": model_id, "stored": 0, "encoded": n_texts} and n_texts > 20

    # a like changes the inputs: a full analysis of the same ideas, which encodes nothing
    idea = _q(wh, "select idea_id from ideas order by idea_id limit 1")[0][0]
    liked = [{**c, "like_count": c.get("like_count", 0) + 5} if c["id"] == idea else c for c in comments]
    assert run(liked, "r2") == {"model": model_id, "stored": n_texts, "encoded": 0}
    assert [r for (r,) in _q(wh, "select run_id from core_topic_runs order by created_at")] == ["r1", "r2"]

    # three new ideas (new texts): a refit encodes those three
    ideas = [i for (i,) in _q(wh, "select idea_id from ideas order by idea_id limit 3")]
    new = [{**c, "id": f"{c['id']}9", "message": c["message"] + " – og gerne med træer"}
           for c in liked if c["id"] in ideas]
    assert run(liked + new, "r3") == {"model": model_id, "stored": n_texts, "encoded": 3}
    # one vector per idea text and per planner theme (its label and seeds as one text), each encoded once
    config = load_consultations(sample_dir / "consultations.toml")
    themes = next(c for c in config.consultations if c.slug == SLUG).themes
    assert _q(wh, "select count(*) from core_text_vectors")[0][0] == n_texts + 3 \
        == _q(wh, "select count(*) from ideas")[0][0] + len(themes)


def test_stored_vectors_are_the_encoders_and_leave_with_their_text(tmp_path: Path) -> None:
    """What is stored comes back bit for bit under its model id (no other), keyed by a hash DuckDB computes the same
    way, so an erasure can drop the vectors of texts no idea holds any more (warehouse.vectors.forget_unused)."""
    wh = tmp_path / "wh.duckdb"
    texts = ["Flere cykelstier langs åen", "Hundeskov med hegn", "Mindre klasser i folkeskolen"]
    encoded = multilingual_model().encode(texts)
    now = dt.datetime.now(dt.UTC)
    with db.session(wh) as con:
        assert vectors.save_vectors(con, "m1", dict(zip(texts, encoded, strict=True)), now) == 3
        assert vectors.save_vectors(con, "m1", {texts[0]: encoded[1]}, now) == 0  # a stored vector is kept
        got = vectors.load_vectors(con, "m1", [*texts, "never encoded"])
        assert vectors.load_vectors(con, "m2", texts) == {}
        assert set(got) == set(texts) and all(np.array_equal(got[t], v) for t, v in zip(texts, encoded, strict=True))
        assert con.execute("select sha256($t)", {"t": texts[0]}).fetchone()[0] == vectors.text_hash(texts[0])
        con.execute("insert into core_ideas (idea_id, consultation, channel, text, like_count, reply_count) values "
                    "('1', 'c', 'facebook', $a, 0, 0), ('2', 'c', 'facebook', $b, 0, 0)",
                    {"a": texts[0], "b": texts[1]})
        assert vectors.forget_unused(con) == 1  # the third text is no idea's (erased or edited away)
        assert set(vectors.load_vectors(con, "m1", texts)) == set(texts[:2])
