"""Staging rows derived ahead, while the next posts are fetched (`flows.ingest.RECORD_ROWS`), store exactly what
deriving them all at store time stores, also when an erasure comes in between (real stand-in, real DuckDB files)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from ingestkit import PAGE_ID, SALT
from test_ingest_threads import OBJS, POSTS, _dataset, _ForgetDuringFetch

from flows import ingest
from flows.ingest import ingest_posts
from sources.graph import GraphClient
from sources.standin import DEFAULT_TOKEN, GraphStandIn
from transforms.pseudonym import author_key

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


@pytest.mark.parametrize("threads", [0, 2])
def test_an_erasure_after_rows_were_derived_ahead_is_honoured(tmp_path: Path, threads: int,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "RECORD_ROWS", 1)  # every post's rows derived as soon as it is prepared
    warehouse = tmp_path / "wh.duckdb"
    data = _dataset([[2, 3, 1], 4])
    tagger = author_key("700001", SALT)
    with GraphStandIn(data) as standin, \
            _ForgetDuringFetch(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2, warehouse=warehouse,
                               at=POSTS[1]) as client:
        ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[1:2], "r0", SALT, fetch_threads=0)
        client.armed = True
        ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[:2], "r1", SALT, fetch_threads=threads,
                     flush_rows=1000)
    gone = {f"{OBJS[0]}_{10**15 + n}" for n in (0, 1, 2)}  # the forgotten comment and its replies
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = {r[0] for r in con.execute("select comment_id from stg_comments where post_id = $p",
                                            {"p": POSTS[0]}).fetchall()}
        payloads = [r[0] for r in con.execute("select payload from raw_comments").fetchall()]
        tagged = con.execute("select message, tag_spans, author_key from stg_comments where tag_spans <> '[]'"
                             ).fetchall()
    assert stored == {c["id"] for c in data["comments"] if c["post_id"] == POSTS[0]} - gone
    assert payloads and not any(tagger in p for p in payloads)
    assert tagged and all(message[o:o + n] == "[navn]" for message, spans, _ in tagged for o, n in json.loads(spans))
    assert tagger not in {key for _, _, key in tagged}
