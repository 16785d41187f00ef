"""Idea detection reads only the comments that changed since the last run, and ends where a full run would."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from flows import pipeline
from flows.settings import load_consultations
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, load

SLUG = "motorvejsoverdaekning"


def _load(wh: Path, comments: list[dict], page_id: str, post_id: str, run: str, complete: bool = False) -> None:
    table = comments_table(pseudonymise_comments(comments, b"salt" * 8, page_id), post_id, SLUG)
    with db.session(wh) as con:
        load.save_scan(con, table, post_id=post_id, run_id=run, complete=complete, n_requests=1,
                       now=dt.datetime.now(dt.UTC))


def _ideas(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute("select * from core_ideas order by idea_id").fetchall()
    finally:
        con.close()


def _kinds(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute("select * from core_comment_kinds order by comment_id").fetchall()
    finally:
        con.close()


@pytest.fixture()
def world(tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch):
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample_dir / "consultations.toml").consultations
                        if c.slug == SLUG)
    post_id = consultation.post_ids[0]
    comments = [c for c in data["comments"] if c["post_id"] == post_id]
    read: list[int] = []
    real = pipeline.select_ideas

    def counting(frame, *args, **kwargs):
        read.append(len(frame))
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(pipeline, "select_ideas", counting)
    return tmp_path / "wh.duckdb", comments, data["page"]["id"], post_id, read


def test_a_second_run_reads_only_changed_comments_and_agrees_with_a_full_run(world) -> None:
    wh, comments, page_id, post_id, read = world
    _load(wh, comments, page_id, post_id, "r1")
    first = pipeline.find_ideas.fn(str(wh), SLUG)
    assert read == [len(comments)] and first == len(_ideas(wh))

    ideas = {row[0] for row in _ideas(wh)}
    idea_comments = [c for c in comments if c["id"] in ideas]
    turned, gone, excluded = idea_comments[0], idea_comments[1], idea_comments[2]
    changed = [dict(c) for c in comments if c["id"] != gone["id"]]
    for c in changed:
        if c["id"] == turned["id"]:
            c["message"] = "Tak for info 👍"  # an idea edited into a thank-you
    new = {"id": f"{post_id.split('_')[1]}_999001", "post_id": post_id, "message":
           "Lav en skaterbane på overdækningen, det mangler de unge", "created_time": "2024-05-01T10:00:00+0000",
           "from": {"id": "777001", "name": "Ny Borger"}, "like_count": 3, "comment_count": 0}
    _load(wh, [*changed, new], page_id, post_id, "r2", complete=True)  # `gone` is tombstoned: it was deleted
    with db.session(wh) as con:
        load.add_correction(con, SLUG, "exclude", created_by="test", idea_id=excluded["id"],
                             now=dt.datetime.now(dt.UTC))
    second = pipeline.find_ideas.fn(str(wh), SLUG)
    assert read[1] == 3  # the edited comment, the new one, and the one a planner excluded since
    after = {row[0] for row in _ideas(wh)}
    assert new["id"] in after and turned["id"] not in after and gone["id"] not in after
    assert excluded["id"] not in after and second == len(after)

    kinds = dict((k[0], k[3]) for k in _kinds(wh))
    assert set(kinds) == {c["id"] for c in changed} | {new["id"]}  # every live comment, the deleted one gone
    assert kinds[turned["id"]] in ("thanks", "tag") and kinds[new["id"]] == "idea"
    assert kinds[excluded["id"]] == "off_topic"  # a planner's exclude: kept with a kind, not dropped

    incremental, incremental_kinds = _ideas(wh), _kinds(wh)
    with db.session(wh) as con:
        con.execute("delete from core_idea_detection")
    pipeline.find_ideas.fn(str(wh), SLUG)
    assert read[2] == len(changed) + 1  # a full run: every live comment (the tombstoned one is not live)
    assert _ideas(wh) == incremental and _kinds(wh) == incremental_kinds


def test_a_changed_verdict_rereads_only_that_comment_and_include_undoes_exclude(world) -> None:
    wh, comments, page_id, post_id, read = world
    _load(wh, comments, page_id, post_id, "r1")
    pipeline.find_ideas.fn(str(wh), SLUG)
    idea = sorted(row[0] for row in _ideas(wh))[0]
    now = dt.datetime.now(dt.UTC)
    with db.session(wh) as con:
        load.add_correction(con, SLUG, "exclude", created_by="test", idea_id=idea, now=now)
    pipeline.find_ideas.fn(str(wh), SLUG)
    pipeline.find_ideas.fn(str(wh), SLUG)
    assert read[1:] == [1, 0] and idea not in {row[0] for row in _ideas(wh)}
    with db.session(wh) as con:
        load.add_correction(con, SLUG, "include", created_by="test", idea_id=idea, now=now)
    pipeline.find_ideas.fn(str(wh), SLUG)
    assert read[3] == 1 and idea in {row[0] for row in _ideas(wh)}
    assert [k[3] for k in _kinds(wh) if k[0] == idea] == ["idea"]


def test_new_rules_read_every_comment_again(world) -> None:
    wh, comments, page_id, post_id, read = world
    _load(wh, comments, page_id, post_id, "r1")
    pipeline.find_ideas.fn(str(wh), SLUG)
    pipeline.find_ideas.fn(str(wh), SLUG)
    assert read == [len(comments), 0]
    with db.session(wh) as con:
        con.execute("update core_idea_detection set rules_version = 'older-rules'")
    pipeline.find_ideas.fn(str(wh), SLUG)
    assert read[-1] == len(comments)
