"""The functions the CLI now calls instead of holding SQL, erasure and corrections steps itself."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows import corrections
from warehouse import erase, queries
from warehouse.db import WarehouseBusy, WarehouseError, connect
from warehouse.store import Warehouse

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    connect(path).close()
    return path


def test_summary_of_an_empty_warehouse(warehouse: Path) -> None:
    con = connect(warehouse, read_only=True)
    try:
        assert queries.warehouse_totals(con) == (0, 0, 0)
        assert queries.summary_topics(con) is None
        assert queries.consultations_with_topics(con) == []
    finally:
        con.close()


def test_the_summary_of_an_empty_warehouse_loads_no_pandas(warehouse: Path) -> None:
    code = ("import sys, json; from warehouse import queries; from warehouse.db import connect\n"
            f"con = connect({str(warehouse)!r}, read_only=True); queries.warehouse_totals(con); "
            "queries.summary_topics(con); con.close()\n"
            "print(json.dumps('pandas' in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                            cwd=warehouse.parent, env={"PATH": "/usr/bin:/bin",
                                                       "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) is False


def test_forget_a_person_needs_the_salt(warehouse: Path) -> None:
    with pytest.raises(ValueError, match="needs the pseudonym salt"):
        erase.forget(warehouse, "instagram_user", "someone", None, NOW)


def test_forget_an_unknown_comment_erases_nothing(warehouse: Path) -> None:
    assert erase.forget(warehouse, "comment", "123_456", None, NOW) == 0
    assert set(erase.FORGET_KINDS) == {"facebook_user", "imported_author", "instagram_user", "comment"}


# -- the corrections commands' steps (flows.corrections) over a Warehouse ------------------------------------------

SLUG = "motorvejsoverdaekning"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with one consultation's comments from the sample, its ideas and a topic run (tfidf)."""
    from flows.pipeline import cluster_topics, find_ideas
    from flows.settings import load_consultations
    from transforms.pseudonym import pseudonymise_comments
    from transforms.records import comments_table
    from warehouse import load

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    data = json.loads((sample / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample / "consultations.toml").consultations if c.slug == SLUG)
    post_id = consultation.post_ids[0]
    comments = [c for c in data["comments"] if c["post_id"] == post_id]
    path = tmp_path_factory.mktemp("analysed") / "wh.duckdb"
    table = comments_table(pseudonymise_comments(comments, b"salt" * 8, data["page"]["id"]), post_id, SLUG)
    con = connect(path)
    try:
        load.save_scan(con, table, post_id=post_id, run_id="r0", complete=False, n_requests=1, now=NOW)
    finally:
        con.close()
    find_ideas.fn(str(path), SLUG)
    cluster_topics.fn(Warehouse.at(path), consultation.model_copy(update={"backend": "tfidf"}), "r0")
    return path


@pytest.fixture()
def copy(analysed: Path, tmp_path: Path) -> Warehouse:
    target = tmp_path / "wh.duckdb"
    shutil.copyfile(analysed, target)
    return Warehouse.at(target)


def test_every_corrections_function_refuses_a_missing_warehouse(tmp_path: Path) -> None:
    missing = Warehouse.at(tmp_path / "typo" / "wh.duckdb")
    calls = [lambda: corrections.correct(missing, None, "rename", by="x", topic_id=1, label="y"),
             lambda: corrections.new_topic(missing, None, "Ny", ["1_2"], by="x"),
             lambda: corrections.undo(missing, 1),
             lambda: corrections.apply_now(missing, SLUG, tmp_path / "exports"),
             lambda: corrections.topic_lists(missing, None),
             lambda: corrections.correction_list(missing, None)]
    for call in calls:
        with pytest.raises(WarehouseError, match=r"^no warehouse at .*typo/wh\.duckdb: pass --warehouse"):
            call()
    assert not (tmp_path / "typo").exists(), "nothing created"


def test_correct_list_apply_and_undo_through_the_functions(copy: Warehouse, tmp_path: Path) -> None:
    [(slug, frame)] = corrections.topic_lists(copy, None)
    assert slug == SLUG and len(frame) >= 3 and not frame["is_corrected"].any()
    topic = int(frame[frame["topic_id"] != 0]["topic_id"].iloc[0])
    assert corrections.correct(copy, None, "rename", by="planlægger", topic_id=topic, label="=Planlæggerens navn") \
        == (SLUG, 1)
    listed = corrections.correction_list(copy, SLUG)
    assert list(listed["correction"]) == [f'rename topic {topic} to "=Planlæggerens navn"']
    assert list(listed["by"]) == ["planlægger"]
    paths = corrections.apply_now(copy, SLUG, tmp_path / "exports", tmp_path / "no-such.toml")
    topics_csv = next(p for p in paths if p.name == "topics.csv")
    assert "'=Planlæggerens navn" in topics_csv.read_text(encoding="utf-8"), "the label shows at once, as a text cell"
    [(_, after)] = corrections.topic_lists(copy, SLUG)
    assert after.set_index("topic_id").loc[topic, "label"] == "=Planlæggerens navn"
    assert corrections.undo(copy, 1) == (SLUG, f'rename topic {topic} to "=Planlæggerens navn"')
    assert corrections.correction_list(copy, None).empty
    with pytest.raises(WarehouseError, match="^no correction 1: see the id column"):
        corrections.undo(copy, 1)


def test_a_new_topic_and_a_refused_correction(copy: Warehouse) -> None:
    [(_, frame)] = corrections.topic_lists(copy, None)
    with copy.session(read_only=True) as con:
        idea = con.execute("select idea_id from ideas order by idea_id limit 1").fetchone()[0]
    slug, topic_id, rule = corrections.new_topic(copy, SLUG, "Skøjtebane", [idea, idea], by="team")
    assert (slug, rule) == (SLUG, 1) and topic_id not in set(frame["topic_id"])
    assert list(corrections.correction_list(copy, None)["correction"]) == \
        [f'new topic {topic_id} "Skøjtebane" of ideas {idea}']
    with pytest.raises(WarehouseError, match="^no topic 9999 in motorvejsoverdaekning"):
        corrections.correct(copy, None, "merge", by="x", topic_id=9999, target_topic_id=1)
    assert len(corrections.correction_list(copy, None)) == 1, "a refused correction stores nothing"


def test_a_correction_waits_for_the_writer_lock(copy: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corrections, "LOCK_SECONDS", 0)
    with copy.writer_lock():  # a run holds the warehouse
        with pytest.raises(WarehouseBusy):
            corrections.correct(copy, None, "exclude", by="x", idea_id="1_2")
    assert corrections.correction_list(copy, None).empty


def test_the_cli_refuses_a_shared_warehouse_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    result = CliRunner().invoke(main, ["--warehouse", "md:civic_ideas", "sql", "select 1"])
    assert result.exit_code == 1
    assert result.output.splitlines() == ["civic-ideas: error: the warehouse md:... is a shared warehouse, which "
                                          "this version cannot open yet: pass --warehouse PATH (a DuckDB file)"]
    assert not (tmp_path / "md:civic_ideas").exists() and not Path("md:civic_ideas").exists()
