"""The planner's workflow: correct from the workbook's ids, see the correction after `export` without clustering
again, list and undo corrections. Real DuckDB file, the flow's task bodies, the real CLI."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.pipeline import cluster_topics, export_files, find_ideas
from flows.settings import load_consultations
from models.corrections import status_for
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, load

SLUG = "motorvejsoverdaekning"


def _q(wh: Path, sql: str, **params: object) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture()
def analysed(tmp_path: Path, sample_dir: Path):
    """Two topic runs of the sample consultation (70 %, then all comments), exported; the CLI against them."""
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample_dir / "consultations.toml").consultations
                        if c.slug == SLUG)
    post_id = consultation.post_ids[0]
    comments = [c for c in data["comments"] if c["post_id"] == post_id]
    wh, exports = tmp_path / "wh.duckdb", tmp_path / "exports"
    for run, part in (("r0", comments[: int(len(comments) * 0.7)]), ("r1", comments)):
        table = comments_table(pseudonymise_comments(part, b"salt" * 8, data["page"]["id"]), post_id, SLUG)
        with db.session(wh) as con:
            load.save_scan(con, table, post_id=post_id, run_id=run, complete=False, n_requests=1,
                           now=dt.datetime.now(dt.UTC))
        find_ideas.fn(str(wh), SLUG)
        cluster_topics.fn(str(wh), consultation, run)
    export_files.fn(str(wh), consultation, str(exports))

    def cli(*args: str):
        result = CliRunner().invoke(main, ["--warehouse", str(wh), "--export-dir", str(exports), *args])
        assert result.exit_code == 0, result.output
        return result.output

    def export() -> tuple[pd.DataFrame, pd.DataFrame]:
        export_files.fn(str(wh), consultation, str(exports))
        return (pd.read_csv(exports / SLUG / "topics.csv"),
                pd.read_csv(exports / SLUG / "ideas.csv", dtype={"idea_id": str}))

    def cluster(run: str) -> None:
        cluster_topics.fn(str(wh), consultation, run)

    export.cluster = cluster
    return wh, cli, export


def test_topics_list_shows_numbers_labels_ideas_citizens_and_status(analysed) -> None:
    wh, cli, _ = analysed
    out = cli("topics", "list", "--consultation", SLUG)
    rows = _q(wh, "select topic_id, label, n_ideas, n_authors, status from topics")
    assert out.splitlines()[0] == f"{SLUG}:" and "citizens" in out.splitlines()[1]
    for topic_id, label, n_ideas, n_authors, status in rows:
        assert any(line.split()[:4] == [str(topic_id), str(n_ideas), str(n_authors), status] and label in line
                   for line in out.splitlines()[2:]), (topic_id, out)


def test_a_merge_shows_after_export_without_a_new_topic_run_and_reads_consistently(analysed) -> None:
    wh, cli, export = analysed
    runs = _q(wh, "select count(*) from core_topic_runs")
    before, _ = export()
    topics = before[before["topic_id"] != 0].sort_values("n_ideas", ascending=False)
    big, small = (int(t) for t in topics["topic_id"].iloc[:2])
    big_row, small_row = (before.set_index("topic_id").loc[t] for t in (big, small))
    cli("topics", "merge", str(small), str(big))
    started = time.monotonic()
    after, ideas = export()
    assert time.monotonic() - started < 5  # no clustering: seconds, not minutes
    assert _q(wh, "select count(*) from core_topic_runs") == runs
    assert small not in set(after["topic_id"])
    row = after.set_index("topic_id").loc[big]
    assert row["n_ideas"] == big_row["n_ideas"] + small_row["n_ideas"]
    assert set(ideas.loc[ideas["topic_id"] == big, "idea_id"]) >= set(
        i for (i,) in _q(wh, "select idea_id from core_idea_topics where model_topic_id = $t", t=small))
    # the status follows the numbers beside it (the issue: "stabil: fra 9 til 18 idéer")
    previous = row["n_ideas_previous"]
    assert not pd.isna(previous) and previous < row["n_ideas"]
    assert row["status"] == status_for(int(previous), int(row["n_ideas"])) == "growing"
    # keywords and examples are the merged topic's own, not topic `big`'s alone
    assert row["keywords"] != big_row["keywords"]
    examples = set(json.loads(_q(wh, "select representative_ids::varchar from topics where topic_id = $t",
                                  t=big)[0][0]))
    from_small = {i for (i,) in _q(wh, "select idea_id from core_idea_topics it join latest_topic_runs r "
                                       "using (topic_run_id) where it.model_topic_id = $t", t=small)}
    assert examples & from_small and examples - from_small


def test_new_topic_from_workbook_ids_then_list_and_undo(analysed) -> None:
    wh, cli, export = analysed
    _, ideas = export()
    chosen = ideas[ideas["topic_id"] != 0]["idea_id"].tolist()[:3]
    out = cli("topics", "new", "Skøjtebane", *[a for i in chosen for a in ("--ideas", i)], "--apply")
    assert "topic 1001" in out and "exports for" in out
    topics = pd.read_csv(wh.parent / "exports" / SLUG / "topics.csv")  # written by --apply
    new = topics.set_index("topic_id").loc[1001]
    assert (new["label"], new["n_ideas"], new["status"]) == ("Skøjtebane", 3, "new")
    listed = cli("corrections", "list")
    line = next(ln for ln in listed.splitlines() if "Skøjtebane" in ln)
    assert all(i in line for i in chosen)
    number = int(line.split()[0])
    # a new topic survives the next clustering run, like the other corrections
    export.cluster("r2")
    assert _q(wh, "select label, n_ideas from topics where topic_id = 1001") == [("Skøjtebane", 3)]
    cli("corrections", "undo", str(number))
    assert "Skøjtebane" not in cli("corrections", "list")
    topics, ideas = export()
    assert 1001 not in set(topics["topic_id"])
    assert not (ideas["topic_id"] == 1001).any()


def test_undo_of_an_unknown_correction_and_a_wrong_warehouse_fail_in_one_line(analysed, tmp_path: Path) -> None:
    wh, _, _ = analysed
    result = CliRunner().invoke(main, ["--warehouse", str(wh), "corrections", "undo", "999"])
    assert result.exit_code == 1 and "no correction 999" in result.output
    missing = tmp_path / "nope" / "wh.duckdb"
    result = CliRunner().invoke(main, ["--warehouse", str(missing), "topics", "rename", "1", "X"])
    assert result.exit_code == 1 and "no warehouse at" in result.output and not missing.exists()


def test_the_demo_refuses_a_warehouse_with_other_data_in_one_line(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    with db.session(wh) as con:
        load.save_post(con, {"id": "1_2", "created_time": "2024-01-02T09:00:00+0000", "message": "Idéer?"},
                       "skolevej", dt.datetime.now(dt.UTC))
    result = CliRunner().invoke(main, ["--warehouse", str(wh), "--export-dir", str(tmp_path / "ex"), "demo"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "holds other data (skolevej)" in result.output
    assert "--warehouse data/demo.duckdb" in result.output
    assert _q(wh, "select distinct consultation from stg_posts") == [("skolevej",)]
    assert not (tmp_path / "ex").exists()
