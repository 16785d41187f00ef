"""Every comment has a kind; planners bring non-ideas back (`topics include`) and undo an exclude, and both survive
re-runs: real DuckDB file, the flow's task bodies, the CLI in-process, real exports read with openpyxl."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from flows.cli import main
from flows.pipeline import cluster_topics, export_files, find_ideas, find_imported_ideas
from flows.settings import load_consultations
from transforms.ideas import KINDS
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, erase, load

SLUG = "motorvejsoverdaekning"


def _load(wh: Path, comments: list[dict], page_id: str, post_id: str, run: str) -> None:
    table = comments_table(pseudonymise_comments(comments, b"salt" * 8, page_id), post_id, SLUG)
    with db.session(wh) as con:
        load.save_scan(con, table, post_id=post_id, run_id=run, complete=False, n_requests=1,
                       now=dt.datetime.now(dt.UTC))


def _q(wh: Path, sql: str, **params: object) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _cli(wh: Path, *args: str):
    return CliRunner().invoke(main, ["--warehouse", str(wh), "topics", *args])


@pytest.fixture()
def world(tmp_path: Path, sample_dir: Path):
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample_dir / "consultations.toml").consultations
                        if c.slug == SLUG)
    post_id = consultation.post_ids[0]
    comments = [c for c in data["comments"] if c["post_id"] == post_id]
    wh, exports = tmp_path / "wh.duckdb", tmp_path / "exports"
    _load(wh, comments, data["page"]["id"], post_id, "r0")

    def analyse(run: str) -> None:
        find_ideas.fn(str(wh), SLUG)
        find_imported_ideas.fn(str(wh), SLUG)
        cluster_topics.fn(str(wh), consultation, run)
        export_files.fn(str(wh), consultation, str(exports))

    analyse("r0")
    return wh, exports, analyse, comments, (data["page"]["id"], post_id)


def _sheet(exports: Path, name: str) -> list[tuple]:
    return list(load_workbook(exports / SLUG / f"{SLUG}.xlsx")[name].iter_rows(min_row=2, values_only=True))


def test_every_comment_has_a_kind_and_a_reason_in_the_comments_view(world) -> None:
    wh, exports, _, comments, _ = world
    rows = _q(wh, "select comment_id, kind, kind_reason from comments where consultation = $c", c=SLUG)
    assert len(rows) == len(comments) and {k for _, k, _ in rows} <= set(KINDS)
    assert all(reason for _, _, reason in rows)
    assert {"idea", "staff"} <= {k for _, k, _ in rows} and len({k for _, k, _ in rows}) >= 4
    ideas = {i for (i,) in _q(wh, "select idea_id from ideas where consultation = $c", c=SLUG)}
    assert ideas == {i for i, k, _ in rows if k == "idea"}
    # the workbook's sheet Ikke idéer is the rest, each with its reason
    sheet = _sheet(exports, "Ikke idéer")
    assert sorted((r[0], r[2]) for r in sheet) == sorted((i, reason) for i, k, reason in rows if k != "idea")


def test_include_makes_a_non_idea_an_idea_with_a_topic_and_it_survives_reruns(world) -> None:
    wh, exports, analyse, comments, (page_id, post_id) = world
    [(rescued, kind)] = _q(wh, """select comment_id, kind from comments where consultation = $c
                                  and kind in ('complaint', 'question', 'thanks') and not is_page_reply
                                  order by like_count desc, comment_id limit 1""", c=SLUG)
    assert _cli(wh, "move", rescued, "1").exit_code != 0  # not an idea (yet): move refuses it
    result = _cli(wh, "include", rescued)
    assert result.exit_code == 0 and "saved" in result.output
    analyse("r1")
    [(topic_id, label)] = _q(wh, "select topic_id, topic_label from ideas where idea_id = $i", i=rescued)
    assert topic_id is not None and label
    assert _q(wh, "select kind, kind_reason from comments where comment_id = $i", i=rescued) == [
        ("idea", _q(wh, "select kind_reason from core_comment_kinds where comment_id = $i", i=rescued)[0][0])]
    assert _q(wh, "select kind_reason from comments where comment_id = $i", i=rescued)[0][0].startswith(
        f"included by a planner (topics include); the rules said {kind}: ")
    assert rescued not in {r[0] for r in _sheet(exports, "Ikke idéer")}
    text = _q(wh, "select text from ideas where idea_id = $i", i=rescued)[0][0]
    assert text in {r[3] for r in _sheet(exports, "Idéer")}  # Idé-id, Emne nr., Emne, Idé

    # `topics move` works on it now, and both corrections hold through re-runs that add and re-detect comments
    other = _q(wh, "select topic_id from topics where topic_id not in (0, $t) order by topic_id limit 1",
               t=topic_id)[0][0]
    assert _cli(wh, "move", rescued, str(other)).exit_code == 0
    new = {"id": f"{post_id.split('_')[1]}_999002", "post_id": post_id,
           "message": "Byg en udendørs scene til koncerter på overdækningen",
           "created_time": "2024-05-02T10:00:00+0000",
           "from": {"id": "777002", "name": "Ny Borger"}, "like_count": 1, "comment_count": 0}
    _load(wh, [*comments, new], page_id, post_id, "r2")
    analyse("r2")
    with db.session(wh) as con:  # new rules: every comment is read again
        con.execute("update core_idea_detection set rules_version = 'older-rules'")
    analyse("r3")
    assert _q(wh, "select topic_id from ideas where idea_id = $i", i=rescued) == [(other,)]
    assert _q(wh, "select kind from comments where comment_id = $i", i=new["id"]) == [("idea",)]


def test_include_undoes_an_exclude_and_the_undo_survives_reruns(world) -> None:
    wh, exports, analyse, _, _ = world
    idea = _q(wh, "select idea_id from ideas where topic_id <> 0 order by like_count desc, idea_id limit 1")[0][0]
    assert _cli(wh, "exclude", idea).exit_code == 0
    analyse("r1")
    assert _q(wh, "select count(*) from ideas where idea_id = $i", i=idea) == [(0,)]
    [row] = [r for r in _sheet(exports, "Ikke idéer") if r[0] == idea]
    assert row[1] == "Uden for emnet" and row[2].startswith("excluded by a planner")
    assert row[7] == f"civic-ideas topics include {idea} --consultation {SLUG}"

    result = _cli(wh, "include", idea)
    assert result.exit_code == 0, result.output
    for run in ("r2", "r3"):
        analyse(run)
        [(topic_id,)] = _q(wh, "select topic_id from ideas where idea_id = $i", i=idea)
        assert topic_id is not None, run
        assert _q(wh, "select kind from comments where comment_id = $i", i=idea) == [("idea",)]
    # the rules take it for an idea anyway: its reason is theirs again, not a planner's
    assert not _q(wh, "select kind_reason from comments where comment_id = $i", i=idea)[0][0].startswith("included")
    assert _cli(wh, "exclude", idea).exit_code == 0  # and it can be excluded again
    analyse("r4")
    assert _q(wh, "select count(*) from ideas where idea_id = $i", i=idea) == [(0,)]


def test_include_refuses_what_it_cannot_do_in_one_line(world) -> None:
    wh, _, _, _, _ = world
    idea = _q(wh, "select idea_id from ideas limit 1")[0][0]
    other = _q(wh, "select comment_id from comments where kind <> 'idea' limit 1")[0][0]
    for args, says in ((["include", idea], "already an idea"), (["include", "123_456"], "no comment 123_456"),
                       (["include", other, "--consultation", "nowhere"], "no topics for consultation nowhere")):
        result = _cli(wh, *args)
        assert result.exit_code != 0 and says in result.output, result.output
        assert "Traceback" not in result.output
    assert _cli(wh, "include", other).exit_code == 0
    result = _cli(wh, "include", other)
    assert result.exit_code != 0 and "already included" in result.output
    assert _q(wh, "select count(*) from topic_corrections where action = 'include'") == [(1,)]


def test_imported_items_get_kinds_can_be_included_and_forget_erases_kinds(world) -> None:
    wh, exports, analyse, _, _ = world
    items = pd.DataFrame({"item_id": ["1", "2"], "text": ["Lav en cykelsti langs motorvejen", "Tak for et godt møde"],
                          "created_at": [dt.datetime(2024, 5, 3, tzinfo=dt.UTC)] * 2, "author_key": [None, None]})
    with db.session(wh) as con:
        load.save_imported_items(con, items, consultation=SLUG, channel="borgermoede", source_file="noter.csv",
                                 now=dt.datetime.now(dt.UTC))
    analyse("r1")
    kinds = dict(_q(wh, "select comment_id, kind from core_comment_kinds where channel = 'borgermoede'"))
    assert kinds == {"borgermoede:1": "idea", "borgermoede:2": "thanks"}
    assert "borgermoede:2" in {r[0] for r in _sheet(exports, "Ikke idéer")}
    assert _cli(wh, "include", "borgermoede:2").exit_code == 0
    analyse("r2")
    assert _q(wh, "select channel, topic_id is not null from ideas where idea_id = 'borgermoede:2'") == [
        ("borgermoede", True)]

    non_idea = _q(wh, "select comment_id from comments where kind <> 'idea' and not is_page_reply limit 1")[0][0]
    with db.session(wh) as con:
        erase.forget_comment(con, non_idea, dt.datetime.now(dt.UTC))
        erase.forget_comment(con, "borgermoede:2", dt.datetime.now(dt.UTC))
    left = {i for (i,) in _q(wh, "select comment_id from core_comment_kinds")}
    assert non_idea not in left and "borgermoede:2" not in left and "borgermoede:1" in left
