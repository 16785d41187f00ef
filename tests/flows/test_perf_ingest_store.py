"""Staging rows derived ahead, while the next posts are fetched (`flows.ingest.RECORD_ROWS`), store exactly what
deriving them all at store time stores (real stand-in, real DuckDB files). An erasure that comes in between is
tested in test_ingest_threads.py (test_an_erasure_made_while_a_batch_is_read_is_honoured_when_it_is_stored)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingestkit import PAGE_ID, SALT
from test_ingest_threads import POSTS, _dataset

from flows import ingest
from flows.ingest import ingest_posts
from sources.graph import GraphClient
from sources.standin import DEFAULT_TOKEN, GraphStandIn

_COLUMNS = ("comment_id, post_id, consultation, parent_id, author_key, is_page_reply, message, tag_spans::varchar, "
            "has_attachment, created_at, like_count, reaction_count, reply_count, is_hidden, permalink_url")


def _rows(warehouse: Path) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        staging = con.execute(f"select {_COLUMNS} from stg_comments order by comment_id").fetchall()
        raw = con.execute("select comment_id, post_id, payload::varchar, payload_hash from raw_comments "
                          "order by comment_id").fetchall()
    return staging, raw


def _ingest(data: dict, warehouse: Path, threads: int) -> dict:
    with GraphStandIn(data) as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=3) as client:
        return ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS, "r1", SALT, fetch_threads=threads,
                            flush_rows=20)


@pytest.mark.parametrize("threads", [0, 2])
def test_rows_derived_ahead_are_the_rows_derived_at_store_time(tmp_path: Path, threads: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    data = _dataset([[2, 3, 1], 4, [1, 2], 7, 5, 2])
    monkeypatch.setattr(ingest, "RECORD_ROWS", 10**9)  # all at store time, as before
    at_store = _ingest(data, tmp_path / "store.duckdb", threads)
    calls: list[int] = []
    derive = ingest._derive_records
    monkeypatch.setattr(ingest, "_derive_records", lambda items, c: (calls.append(len(items)), derive(items, c)))
    monkeypatch.setattr(ingest, "RECORD_ROWS", 12)  # several posts a query; the batches of 20 rows each keep a rest
    ahead = _ingest(data, tmp_path / "ahead.duckdb", threads)
    assert calls and max(calls) > 1  # rows were derived ahead, for several posts at once
    assert ahead == at_store
    staging, raw = _rows(tmp_path / "ahead.duckdb")
    assert len(staging) == len(raw) == sum(n["fetched"] for n in ahead.values()) > 0
    assert (staging, raw) == _rows(tmp_path / "store.duckdb")
