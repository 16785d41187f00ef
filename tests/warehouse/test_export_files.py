"""The export folder of one consultation, against a real warehouse: files, CSV format, README, Pol.is layout."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import exportkit
import pandas as pd
import pytest

from warehouse import columns, export, polis


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, list[Path]]:
    root = tmp_path_factory.mktemp("export")
    con = exportkit.build(root / "wh.duckdb")
    paths = export.export_consultation(con, exportkit.SLUG, root / "exports", title=exportkit.TITLE,
                                       generated_at=exportkit.GENERATED_AT)
    yield con, paths
    con.close()


def _rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n"), "RFC 4180 wants CRLF line endings"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def test_every_export_file_is_written_and_returned(exported) -> None:
    _, paths = exported
    folder = paths[0].parent
    names = sorted(str(p.relative_to(folder)) for p in paths)
    assert names == sorted(["topics.csv", "topics.parquet", "ideas.csv", "ideas.parquet", f"{exportkit.SLUG}.xlsx",
                            "report.html", "polis/comments.csv", "README.md", "dialog.csv", "dialog.xlsx",
                            "topic_channels.csv"])
    assert all(p.stat().st_size > 0 for p in paths)
    assert not list(folder.rglob(".*.tmp"))


def test_topics_show_change_since_last_run(exported) -> None:
    _, paths = exported
    topics = {r["label"]: r for r in _rows(paths[0])}
    assert list(topics) == ["Park og træer", "Legeplads og børn", "Skaterbane og sport", "Andet"]
    park, play, skate = topics["Park og træer"], topics["Legeplads og børn"], topics["Skaterbane og sport"]
    assert (park["status"], park["n_ideas_previous"], park["n_ideas"], park["n_ideas_change"]) == (
        "growing", "4", "7", "3")
    assert (play["status"], play["n_ideas_previous"], play["n_ideas_change"]) == ("new", "", "")
    assert (skate["status"], skate["n_ideas_change"]) == ("stable", "0")
    assert len(park["examples"].split(" | ")) == 5


def test_csv_and_parquet_hold_the_same_rows_as_the_warehouse(exported) -> None:
    con, paths = exported
    folder = paths[0].parent
    ideas_csv = pd.read_csv(folder / "ideas.csv", dtype=str, keep_default_na=False)
    ideas_parquet = pd.read_parquet(folder / "ideas.parquet")
    warehouse_ids = {r[0] for r in con.execute("select idea_id from ideas where consultation = ?",
                                               [exportkit.SLUG]).fetchall()}
    assert set(ideas_csv["idea_id"]) == set(ideas_parquet["idea_id"]) == warehouse_ids
    assert list(ideas_csv["idea_id"]) == list(ideas_parquet["idea_id"])
    assert str(ideas_parquet["created_at"].dt.tz) == "UTC"
    # sorted by topic (in topic order), then support
    order = {t: i for i, t in enumerate(pd.read_csv(folder / "topics.csv")["topic_id"])}
    keys = [(order[int(t)], -int(n)) for t, n in zip(ideas_csv["topic_id"], ideas_csv["like_count"], strict=True)]
    assert keys == sorted(keys)


def test_readme_defines_every_column_of_every_file(exported) -> None:
    _, paths = exported
    folder = paths[0].parent
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name in ("topics.csv", "ideas.csv", "polis/comments.csv"):
        header = next(csv.reader(io.StringIO((folder / name).read_text(encoding="utf-8"))))
        for column in header:
            assert f"| `{column}` |" in readme, f"{name}: column {column} is not defined in README.md"
    for path in paths:
        assert str(path.relative_to(folder)) in readme
    assert set(pd.read_parquet(folder / "topics.parquet").columns) == set(columns.names(columns.TOPICS))


def test_polis_file_has_the_open_data_layout(exported) -> None:
    con, paths = exported
    rows = _rows(paths[0].parent / "polis" / "comments.csv")
    assert list(rows[0]) == ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
                             "comment-body"]
    ideas = con.execute("select idea_id, author_key, like_count, epoch_ms(created_at) from ideas order by created_at"
                        ).fetchall()
    assert [int(r["comment-id"]) for r in rows] == list(range(len(ideas)))
    assert [int(r["timestamp"]) for r in rows] == [i[3] for i in ideas]
    assert [int(r["agrees"]) for r in rows] == [i[2] for i in ideas]
    assert {(r["disagrees"], r["moderated"]) for r in rows} == {("0", "1")}
    assert rows[0]["datetime"] == "Fri May 02 09:01:00 UTC 2014"
    # one small integer per citizen, numbered by first appearance
    by_key: dict[str, str] = {}
    for row, idea in zip(rows, ideas, strict=True):
        assert by_key.setdefault(idea[1], row["author-id"]) == row["author-id"]
    assert [int(a) for a in dict.fromkeys(r["author-id"] for r in rows)] == list(range(len(by_key)))


def test_polis_author_numbers_keep_unknown_authors_apart() -> None:
    assert polis.author_numbers(["a", "b", "a", None, "c", None, "b"]) == [0, 1, 0, 2, 3, 4, 1]


def test_a_consultation_without_topics_still_exports(tmp_path: Path) -> None:
    from warehouse import db

    con = db.connect(tmp_path / "empty.duckdb")
    paths = export.export_consultation(con, "tom", tmp_path / "exports", title="Tom høring")
    con.close()
    assert len(paths) == 11
    assert "Ingen emner endnu" in (tmp_path / "exports" / "tom" / "report.html").read_text(encoding="utf-8")
