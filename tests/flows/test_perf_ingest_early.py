"""Batches stored early while the loading thread is idle (`flows.ingest.EARLY_ROWS`) store exactly what one batch
stores, in batches that grow; and the staging rows share their payloads' buffers instead of holding a second copy
(real stand-in over loopback, real DuckDB files)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from ingestkit import PAGE_ID, SALT
from test_ingest_threads import POSTS, _dataset, _FailingPost, _stored
from test_perf_ingest_store import _rows

from flows import ingest
from flows.ingest import ingest_posts
from sources.graph import GraphClient, TokenError
from sources.standin import DEFAULT_TOKEN, GraphStandIn
from transforms.records import SQL_FROM_ROWS, payload_table, records_table

SIZES = [[2, 3, 1], 4, [1, 2], 7, 5, 2]  # 6 posts, top-level comments with replies
STORE = ingest._store


def _ingest(data: dict, warehouse: Path, threads: int, early_rows: int,
            monkeypatch: pytest.MonkeyPatch) -> tuple[dict, list[int]]:
    """The posts ingested with ``early_rows``; returns the counts and the comments of each batch stored."""
    batches: list[int] = []

    def counting(warehouse: str, fetched: list, *args: object) -> tuple:
        batches.append(sum(item.rows for item in fetched))
        return STORE(warehouse, fetched, *args)

    monkeypatch.setattr(ingest, "_store", counting)
    with GraphStandIn(data) as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=3) as client:
        counts = ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS, "r1", SALT, fetch_threads=threads,
                              flush_rows=1000, early_rows=early_rows)
    return counts, batches


@pytest.mark.parametrize("threads", [0, 2])
def test_early_batches_store_what_one_batch_stores(tmp_path: Path, threads: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = _dataset(SIZES)
    once, one_batch = _ingest(data, tmp_path / "once.duckdb", threads, 1000, monkeypatch)
    early, batches = _ingest(data, tmp_path / "early.duckdb", threads, 8, monkeypatch)
    assert one_batch == [sum(n["fetched"] for n in once.values())]  # early_rows at flush_rows: never early
    assert len(batches) > 1 and sum(batches) == one_batch[0]  # the first batch went early: the loader was idle
    assert early == once and list(early) == POSTS
    staging, raw = _rows(tmp_path / "early.duckdb")
    assert len(staging) == len(raw) == one_batch[0] > 0
    assert (staging, raw) == _rows(tmp_path / "once.duckdb")


@pytest.mark.parametrize("threads", [0, 2])
def test_a_failed_post_after_early_batches_keeps_every_post_before_it_once(tmp_path: Path, threads: int) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with GraphStandIn(_dataset([4, 5, 6, 7, 3])) as standin, \
            _FailingPost(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2, failing=POSTS[4]) as client:
        with pytest.raises(TokenError):
            ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[:5], "r1", SALT, fetch_threads=threads,
                         flush_rows=1000, early_rows=4)
    assert _stored(warehouse) == {POSTS[0]: 4, POSTS[1]: 5, POSTS[2]: 6, POSTS[3]: 7}
    staging, raw = _rows(warehouse)
    assert len(raw) == len(staging) == len({row[0] for row in staging}) == 22  # each comment once


def test_early_batches_go_from_early_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # in this thread the loader is idle at every post: a batch goes as soon as it may (`_early`)
    counts, batches = _ingest(_dataset(SIZES), tmp_path / "wh.duckdb", 0, 5, monkeypatch)
    assert len(batches) >= 3 and all(size >= 5 for size in batches[:-1])
    assert sum(batches) == sum(n["fetched"] for n in counts.values())


@pytest.mark.parametrize(("waiting", "submitted", "read", "early"), [
    (20, 0, 10, True),  # the first batch goes at early_rows
    (19, 0, 10, False),  # never below early_rows
    (20, 40, 20, False),  # 40 stored; 60 read of 20 posts, 30 to come: about 90 expected, so at least 40 now
    (40, 40, 20, True),
    (20, 80, 48, True),  # 2 posts to come: the batches shrink back to early_rows towards the end
    (20, 80, 50, True),
])
def test_when_a_batch_goes_early(waiting: int, submitted: int, read: int, early: bool) -> None:
    assert ingest._early(waiting, submitted, 20, read, 50) is early


def test_staging_rows_share_the_payloads_buffers() -> None:
    comments = [{"id": f"1_{n}", "message": f"idé {n}", "created_time": "2024-01-01T08:00:00+0000",
                 "from": {"author_key": "k"}} for n in range(SQL_FROM_ROWS)]
    payloads = payload_table(comments, "1")
    rows = records_table(payloads, "test")
    assert rows.num_rows == SQL_FROM_ROWS and rows.column("payload").equals(payloads.column("payload"))
    text = payloads.column("payload").chunk(0).buffers()[2]
    assert rows.column("payload").chunk(0).buffers()[2].address == text.address  # no second copy of the text
    assert rows.column("payload_hash").type == pa.string()
