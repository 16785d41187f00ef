"""End to end: the installed CLI against the Graph API stand-in over real HTTP, real DuckDB files, real exports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).parent / "civic-ideas")


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_"))}
    env.update(CIVIC_IDEAS_SALT_FILE=str(tmp / "salt"), **extra)
    return env


def cli(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `civic-ideas` with this test's warehouse and export folder."""
    command = [CLI, "--warehouse", str(tmp / "wh.duckdb"), "--export-dir", str(tmp / "exports"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env or _env(tmp), timeout=240, check=False)


def _sample_counts(sample_dir: Path) -> dict[str, int]:
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    return {"comments": len(data["comments"]), "posts": len(data["posts"])}


def _stable_state(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return tuple(
            con.execute(f"select count(*), sum(hash(t::varchar)) from {t} as t").fetchone()
            for t in ("raw_comments", "stg_comments", "stg_comment_history", "core_ideas")
        ) + (con.execute("select count(*) from topics").fetchone(),)
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("demo")
    return tmp, cli(tmp, "demo")


def test_demo_exits_zero_and_prints_paths_and_topics(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    tmp, result = demo_run
    assert result.returncode == 0, result.stderr
    assert "exports/motorvejsoverdaekning/topics.csv" in result.stdout
    assert "exports/udviklingsstrategi/ideas.parquet" in result.stdout
    assert "label" in result.stdout and "n_ideas" in result.stdout
    last = result.stdout.strip().splitlines()[-1]  # the demo ends with the one thing to do next
    assert last.startswith("Open the report: ") and f"{tmp}/exports/motorvejsoverdaekning/report.html" in last
    assert all(Path(p).is_file() for p in last.removeprefix("Open the report: ").split(" and "))


def test_sql_counts_every_comment_and_reply(demo_run: tuple[Path, subprocess.CompletedProcess[str]],
                                           sample_dir: Path) -> None:
    tmp, _ = demo_run
    result = cli(tmp, "sql", "select count(*) as n from comments", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": _sample_counts(sample_dir)["comments"]}]


def test_warehouse_rows_are_pseudonymised_and_typed(demo_run: tuple[Path, subprocess.CompletedProcess[str]],
                                                    sample_dir: Path) -> None:
    tmp, _ = demo_run
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(tmp / "wh.duckdb"), read_only=True)
    try:
        frame = con.execute("select * from comments").df()
        # Message text is the citizen's own published comment (it may name a tagged friend); everything else in the
        # raw payload must be free of names and user ids.
        raw = "\n".join(r[0] for r in con.execute(
            "select json_merge_patch(payload, '{\"message\": null}')::varchar from raw_comments"
        ).fetchall())
        runs = con.execute("select status, n_comments_fetched from runs").fetchall()
        n_ideas = con.execute("select count(*) from ideas where topic_id is not null").fetchone()[0]
    finally:
        con.close()
    page_id = data["page"]["id"]
    authors = {
        c["from"]["id"]: c["from"]["name"] for c in data["comments"] if "from" in c and c["from"]["id"] != page_id
    }
    assert frame["author_key"].dropna().str.fullmatch(r"[0-9a-f]{16}").all()
    for user_id, name in authors.items():
        assert user_id not in raw and name not in raw
    assert frame["is_page_reply"].sum() > 0
    assert frame["parent_id"].notna().sum() > 0
    assert runs[-1][0] == "COMPLETED" and runs[-1][1] == len(data["comments"])
    assert n_ideas > 0


def test_exports_have_the_contract_columns(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    tmp, _ = demo_run
    for slug in ("motorvejsoverdaekning", "udviklingsstrategi"):
        folder = tmp / "exports" / slug
        topics = pd.read_csv(folder / "topics.csv")
        ideas = pd.read_parquet(folder / "ideas.parquet")
        assert {"topic_id", "label", "keywords", "n_ideas", "n_authors", "total_likes"} <= set(topics.columns)
        assert {"idea_id", "topic_id", "topic_label", "text", "like_count"} <= set(ideas.columns)
        assert "author_key" not in ideas.columns
        assert topics["n_ideas"].sum() == len(ideas)
        assert (folder / "topics.csv").read_bytes().count(b"\r\n") >= len(topics)


def _imported(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*), sum(hash(t::varchar)) from (select * exclude (last_imported_at) "
                           "from stg_imported_items) as t").fetchone()  # a re-import says when it last saw them
    finally:
        con.close()


def test_second_demo_changes_no_count(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    tmp, first = demo_run
    assert first.returncode == 0, first.stderr
    before, imported = _stable_state(tmp / "wh.duckdb"), _imported(tmp / "wh.duckdb")
    again = cli(tmp, "demo")
    assert again.returncode == 0, again.stderr
    assert _stable_state(tmp / "wh.duckdb") == before
    assert _imported(tmp / "wh.duckdb") == imported  # the meeting's notes are not imported twice


def test_demo_imports_the_meeting_as_a_channel(demo_run: tuple[Path, subprocess.CompletedProcess[str]],
                                               sample_dir: Path) -> None:
    tmp, result = demo_run
    assert result.returncode == 0, result.stderr
    rows = (sample_dir / "borgermoede-2014-05-12.csv").read_text(encoding="utf-8").strip().count("\n")
    con = duckdb.connect(str(tmp / "wh.duckdb"), read_only=True)
    try:
        stored = con.execute("select consultation, channel, count(*) from stg_imported_items group by all").fetchall()
        ideas = dict(con.execute("select channel, count(*) from ideas where consultation = 'motorvejsoverdaekning' "
                                 "group by all").fetchall())
        places = {r[0] for r in con.execute(
            "select place from idea_places join ideas using (idea_id) where channel = 'borgermoede-2014-05-12'"
        ).fetchall()}
    finally:
        con.close()
    assert sorted(stored) == [("motorvejsoverdaekning", "borgermoede-2014-05-12", rows),
                              ("motorvejsoverdaekning", "instagram", 18)]  # and the sample's Instagram comments
    assert 10 <= ideas["borgermoede-2014-05-12"] < rows and ideas["facebook"] > 50
    assert {"Kjellerup", "Them", "Gjern", "Aarhusvej"} <= places  # Aarhusvej from the consultation's own `places`
    folder = tmp / "exports" / "motorvejsoverdaekning"
    channels = pd.read_csv(folder / "topic_channels.csv")
    assert set(channels["channel"]) == {"facebook", "borgermoede-2014-05-12", "instagram"}
    assert channels.groupby("channel")["n_ideas"].sum().to_dict() == ideas
    import openpyxl

    workbook = openpyxl.load_workbook(folder / "motorvejsoverdaekning.xlsx", read_only=True)
    try:
        assert "Kanaler" in workbook.sheetnames
    finally:
        workbook.close()


def test_sql_refuses_to_write(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    tmp, _ = demo_run
    result = cli(tmp, "sql", "delete from stg_comments")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "read-only" in result.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """One error line; before it, at most progress lines (`civic-ideas: <stage>`), no traceback."""
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("civic-ideas: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert all(line.startswith("civic-ideas: ") for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_missing_config(tmp_path: Path) -> None:
    _one_line_error(cli(tmp_path, "run", "--config", str(tmp_path / "nope.toml")), "not found", "--config")


def test_malformed_config(tmp_path: Path) -> None:
    bad = tmp_path / "consultations.toml"
    bad.write_text("[facebook\n", encoding="utf-8")
    _one_line_error(cli(tmp_path, "run", "--config", str(bad)), "not valid TOML")


def test_unknown_consultation(tmp_path: Path, sample_dir: Path) -> None:
    result = cli(tmp_path, "run", "--config", str(sample_dir / "consultations.toml"), "--consultation", "nope")
    _one_line_error(result, "unknown consultation nope", "udviklingsstrategi")


def test_an_out_of_range_setting_is_one_line(tmp_path: Path, sample_dir: Path) -> None:
    env = _env(tmp_path, CIVIC_IDEAS_FETCH_THREADS="0", FACEBOOK_ACCESS_TOKEN="tok-secret-1", CIVIC_IDEAS_SALT="s" * 32)
    result = cli(tmp_path, "run", "--config", str(sample_dir / "consultations.toml"), env=env)
    _one_line_error(result, "CIVIC_IDEAS_FETCH_THREADS is not valid", "greater than or equal to 1")
    assert "unexpected error" not in result.stderr and "tok-secret-1" not in result.stderr


def test_unreachable_graph_api(tmp_path: Path, sample_dir: Path) -> None:
    env = _env(tmp_path, FACEBOOK_GRAPH_URL=f"http://127.0.0.1:{_closed_port()}", FACEBOOK_ACCESS_TOKEN="tok-secret-1",
               CIVIC_IDEAS_SALT="s" * 32, CIVIC_IDEAS_MAX_RETRIES="1")
    result = cli(tmp_path, "ingest", "--config", str(sample_dir / "consultations.toml"), env=env)
    _one_line_error(result, "127.0.0.1")
    assert "tok-secret-1" not in result.stderr + result.stdout


def test_cluster_file_rejects_a_non_csv(tmp_path: Path) -> None:
    blob = tmp_path / "picture.csv"
    blob.write_bytes(bytes(range(256)) * 4)
    _one_line_error(
        cli(tmp_path, "cluster-file", str(blob), "--text-column", "text", "--out", str(tmp_path / "o.csv")),
        "is not UTF-8",
    )


def test_cluster_file_names_a_missing_column(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,tekst\n1,mere cykelsti\n", encoding="utf-8")
    _one_line_error(
        cli(tmp_path, "cluster-file", str(src), "--text-column", "text", "--out", str(tmp_path / "o.csv")),
        "no column 'text'", "'tekst'",
    )


def test_cluster_file_writes_the_contract_columns(tmp_path: Path, sample_dir: Path) -> None:
    gold = pd.read_csv(sample_dir / "gold.csv", dtype=str)
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    text = {c["id"]: c.get("message", "") for c in data["comments"]}
    src = tmp_path / "in.csv"
    gold.assign(text=gold["comment_id"].map(text))[["comment_id", "text"]].to_csv(src, index=False)
    out = tmp_path / "out.csv"
    result = cli(tmp_path, "cluster-file", str(src), "--text-column", "text", "--id-column", "comment_id",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out, dtype={"comment_id": str})
    assert list(frame.columns) == ["comment_id", "is_idea", "kind", "topic_id", "topic_label", "text"]
    assert len(frame) == len(gold)
    assert frame["comment_id"].tolist() == gold["comment_id"].tolist()
    assert (frame["kind"] == "idea").equals(frame["is_idea"])
    assert (tmp_path / "out_topics.csv").is_file() and str(tmp_path / "out_topics.csv") in result.stdout
    assert frame.loc[frame["is_idea"], "topic_label"].notna().all()
    assert frame.loc[~frame["is_idea"], "topic_id"].isna().all()


def test_topics_rename_holds_after_the_next_analysis(demo_run: tuple[Path, subprocess.CompletedProcess[str]],
                                                      sample_dir: Path) -> None:
    tmp, _ = demo_run
    slug = "motorvejsoverdaekning"
    _one_line_error(cli(tmp, "topics", "rename", "999", "x", "--consultation", slug), "no topic 999")
    _one_line_error(cli(tmp, "topics", "rename", "1", "x"), "add --consultation")
    renamed = cli(tmp, "topics", "rename", "1", "Grønne områder og ophold", "--consultation", slug)
    assert renamed.returncode == 0, renamed.stderr
    analysed = cli(tmp, "analyse", "--config", str(sample_dir / "consultations.toml"), "--consultation", slug)
    assert analysed.returncode == 0, analysed.stderr
    labels = cli(tmp, "sql", f"select label, is_corrected from topics where consultation = '{slug}' and topic_id = 1",
                 "--format", "json")
    assert json.loads(labels.stdout) == [{"label": "Grønne områder og ophold", "is_corrected": True}]


def test_cluster_file_with_the_embeddings_backend(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    rows = ["We need more bike lanes on the main road", "Build protected cycle paths to the schools",
            "More bicycle parking at the station", "A cycle highway between the suburbs and downtown",
            "Plant more trees in the city park", "We need a playground and benches in the green area",
            "More flowers and grass instead of concrete", "Picnic tables and shade trees in the park"]
    pd.DataFrame({"text": rows}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    result = cli(tmp_path, "cluster-file", str(src), "--text-column", "text", "--language", "en",
                 "--backend", "embeddings", "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert frame["is_idea"].all()
    bikes, parks = frame["topic_id"][:4], frame["topic_id"][4:]  # an outlier may go to "Andet" (0) on 8 rows
    assert (bikes == bikes.mode()[0]).sum() >= 3 and (parks == parks.mode()[0]).sum() >= 3
    assert bikes.mode()[0] != parks.mode()[0] and 0 not in (bikes.mode()[0], parks.mode()[0])


def test_cluster_file_with_the_multilingual_backend(tmp_path: Path) -> None:
    src = tmp_path / "ind.csv"
    rows = ["Flere cykelstier langs landevejen", "En sikker sti til cyklister ved skolen",
            "Cykelbaner hele vejen ind til byen", "Separate stier til cykler og gående",
            "En indhegnet hundeskov", "Et sted hvor hunde kan løbe frit", "Vandpost til hundene ved stien",
            "Agilitybane til vores hunde"]
    pd.DataFrame({"tekst": rows}).to_csv(src, index=False)
    out = tmp_path / "ud.csv"
    result = cli(tmp_path, "cluster-file", str(src), "--text-column", "tekst", "--backend", "multilingual",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert frame["is_idea"].all()
    bikes, dogs = frame["topic_id"][:4], frame["topic_id"][4:]  # an outlier may go to "Andet" (0) on 8 rows
    assert (bikes == bikes.mode()[0]).sum() >= 3 and (dogs == dogs.mode()[0]).sum() >= 3
    assert bikes.mode()[0] != dogs.mode()[0] and 0 not in (bikes.mode()[0], dogs.mode()[0])


def test_embeddings_backend_without_a_model_is_one_line(tmp_path: Path, sample_dir: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text\nmere cykelsti\n", encoding="utf-8")
    result = cli(tmp_path, "cluster-file", str(src), "--text-column", "text", "--backend", "embeddings",
                 "--embeddings-model", str(tmp_path), "--out", str(tmp_path / "o.csv"))
    _one_line_error(result, "not a sentence-transformers model folder", "embeddings_model_path")
    config = tmp_path / "consultations.toml"
    config.write_text((sample_dir / "consultations.toml").read_text(encoding="utf-8").replace(
        'slug = "motorvejsoverdaekning"',
        f'slug = "motorvejsoverdaekning"\nbackend = "embeddings"\nembeddings_model_path = "{tmp_path}"', 1,
    ), encoding="utf-8")
    _one_line_error(cli(tmp_path, "analyse", "--config", str(config)), "not a sentence-transformers model folder")
    assert not (tmp_path / "wh.duckdb").exists()  # refused before anything was opened


def test_analyse_with_the_embeddings_backend_records_it(demo_run: tuple[Path, subprocess.CompletedProcess[str]],
                                                        sample_dir: Path) -> None:
    tmp, _ = demo_run
    slug = "udviklingsstrategi"
    result = cli(tmp, "analyse", "--config", str(sample_dir / "consultations.toml"), "--consultation", slug,
                 "--backend", "embeddings")
    assert result.returncode == 0, result.stderr
    runs = cli(tmp, "sql", "select parameters from runs order by started_at desc limit 1", "--format", "json")
    assert json.loads(json.loads(runs.stdout)[0]["parameters"])["backend"] == "embeddings"
    params = cli(tmp, "sql", f"select params from core_topic_runs where consultation = '{slug}'"
                 " order by created_at desc limit 1", "--format", "json")
    assert json.loads(json.loads(params.stdout)[0]["params"])["backend"].startswith("minilm-embeddings")
    topics = cli(tmp, "sql", f"select count(*) as n from topics where consultation = '{slug}'", "--format", "json")
    assert json.loads(topics.stdout)[0]["n"] >= 2
