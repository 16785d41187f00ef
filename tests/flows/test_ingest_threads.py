"""`ingest_posts` reads posts in background threads: results in post order, errors where the post would have come,
and nothing left running when it returns (real stand-in over loopback, real DuckDB file)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import duckdb
import pytest
from ingestkit import PAGE_ID, SALT, make_dataset

from flows import ingest
from flows.ingest import ingest_posts
from sources.facebook.client import FacebookReader
from sources.graph import GraphClient, ScanCancelled, TokenError
from sources.standin import DEFAULT_TOKEN, GraphStandIn
from transforms.pseudonym import author_key
from warehouse import db, erase

OBJS = [f"2000000000001{i:02d}" for i in range(6)]
POSTS = [f"{PAGE_ID}_{o}" for o in OBJS]


def _dataset(sizes: list[int]) -> dict:
    data = {"page": None, "posts": [], "comments": []}
    for obj, size in zip(OBJS, sizes, strict=False):
        part = make_dataset(size, post_obj=obj)
        data["page"] = part["page"]
        data["posts"] += part["posts"]
        data["comments"] += part["comments"]
    return data


def _stored(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select post_id, count(*) from stg_comments group by post_id").fetchall())


def _fetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("graph-fetch")]


class _FailingPost(FacebookReader):
    """A real reader that fails for good on one post, after a pause so the posts after it are under way."""

    def __init__(self, client: GraphClient, *, failing: str) -> None:
        super().__init__(client)
        self.failing = failing

    def fetch_comments(self, post_id: str, since: int | None = None):  # noqa: ANN201
        if post_id == self.failing:
            time.sleep(0.2)
            raise TokenError("Facebook rejected the access token: it has expired")
        return super().fetch_comments(post_id, since)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_posts_come_back_in_order_and_all_are_stored(tmp_path: Path, threads: int) -> None:
    sizes = [7, 1, 12, 3, 9, 2]
    warehouse = tmp_path / "wh.duckdb"
    with GraphStandIn(_dataset(sizes)) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2) as client:
        standin.delete_post(POSTS[3])  # answers 100/33: counted in its place, nothing stored
        counts = ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS, "r1", SALT, fetch_threads=threads,
                              flush_rows=10)
    assert list(counts) == POSTS
    assert [counts[p]["fetched"] for p in POSTS] == [7, 1, 12, 0, 9, 2]
    assert _stored(warehouse) == {p: n for p, n in zip(POSTS, sizes, strict=True) if p != POSTS[3]}
    assert _fetch_threads() == []


def test_a_failed_post_keeps_the_posts_before_it_and_stores_none_after_it(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with GraphStandIn(_dataset([4, 5, 6, 7])) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2) as graph:
        client = _FailingPost(graph, failing=POSTS[1])
        with pytest.raises(TokenError):
            ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[:4], "r1", SALT, fetch_threads=2)
        assert _fetch_threads() == []
        client.fetch_post(POSTS[0])  # the client is usable again after the cancelled reads
    assert _stored(warehouse) == {POSTS[0]: 4}


def test_leaving_early_cancels_the_reads_under_way(tmp_path: Path) -> None:
    """A caller that stops (an error while storing) does not wait for a long post's remaining pages."""
    with GraphStandIn(_dataset([1, 400])) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=1) as client:
        since = dict.fromkeys(POSTS[:2])
        with ingest._prefetched(FacebookReader(client), POSTS[:2], since, workers=2) as items:
            first = next(items)
        requests_at_exit = len(standin.requests)
        assert first[0] == POSTS[0] and _fetch_threads() == []
        assert requests_at_exit < 300  # the 400-page post was cut short
        time.sleep(0.2)
        assert len(standin.requests) == requests_at_exit
        with pytest.raises(ScanCancelled):
            client.cancel()
            FacebookReader(client).fetch_comments(POSTS[1])
        client.resume()
        assert len(FacebookReader(client).fetch_comments(POSTS[0]).comments) == 1


def test_cancel_stops_a_rate_limit_wait_at_once() -> None:
    """With the real clock, a read waiting out a rate limit stops when the ingest cancels it, not minutes later."""
    with GraphStandIn(_dataset([3])) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, rate_limit_wait=120.0, max_wait_seconds=300.0) as client:
        standin.inject_next("code4")
        failure: list[BaseException] = []

        def read() -> None:
            try:
                FacebookReader(client).fetch_post(POSTS[0])
            except BaseException as error:  # noqa: BLE001
                failure.append(error)

        reader = threading.Thread(target=read)
        reader.start()
        time.sleep(0.5)  # the answer (code 4) has come; the reader now waits 60-120 s
        assert reader.is_alive()
        started = time.monotonic()
        client.cancel()
        reader.join(timeout=10)
        assert not reader.is_alive() and time.monotonic() - started < 5
        assert len(failure) == 1 and isinstance(failure[0], ScanCancelled)
        client.resume()
        assert FacebookReader(client).fetch_post(POSTS[0])["id"] == POSTS[0]


class _ForgetDuringFetch(FacebookReader):
    """A real reader that records erasures in the warehouse while a later post of the batch is being read."""

    def __init__(self, client: GraphClient, *, warehouse: Path, at: str, comment: str = f"{OBJS[0]}_{10**15}") -> None:
        super().__init__(client)
        self.warehouse, self.at, self.comment, self.armed = warehouse, at, comment, False

    def fetch_comments(self, post_id: str, since: int | None = None):  # noqa: ANN201
        if post_id == self.at and self.armed:
            now = dt.datetime.now(dt.UTC)
            with db.session(str(self.warehouse)) as con:
                erase.forget_author(con, author_key("700001", SALT), now)  # the person others tag
                erase.forget_comment(con, self.comment, now)  # by default a comment with two replies
        return super().fetch_comments(post_id, since)


@pytest.mark.parametrize("record_rows", [None, 1], ids=["rows-at-store", "rows-derived-ahead"])
@pytest.mark.parametrize("threads", [0, 2])
def test_an_erasure_made_while_a_batch_is_read_is_honoured_when_it_is_stored(
        tmp_path: Path, threads: int, record_rows: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts prepared before `civic-ideas forget` ran are built again from their payloads before they are loaded;
    also when their staging rows were derived ahead (`RECORD_ROWS=1`: as soon as each post is prepared)."""
    if record_rows is not None:
        monkeypatch.setattr(ingest, "RECORD_ROWS", record_rows)
    warehouse = tmp_path / "wh.duckdb"
    data = _dataset([[2, 3, 1], 4])
    tagger = author_key("700001", SALT)
    with GraphStandIn(data) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2) as graph:
        client = _ForgetDuringFetch(graph, warehouse=warehouse, at=POSTS[1])
        ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[1:2], "r0", SALT, fetch_threads=0)
        client.armed = True
        counts = ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[:2], "r1", SALT,
                              fetch_threads=threads, flush_rows=1000)
    gone = {f"{OBJS[0]}_{10**15 + n}" for n in (0, 1, 2)}  # the comment and its replies
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = {r[0] for r in con.execute("select comment_id from stg_comments where post_id = $p",
                                            {"p": POSTS[0]}).fetchall()}
        payloads = [r[0] for r in con.execute("select payload from raw_comments").fetchall()]
        tagged = con.execute("select message, tag_spans, author_key from stg_comments where tag_spans <> '[]'"
                             ).fetchall()
    assert stored == {c["id"] for c in data["comments"] if c["post_id"] == POSTS[0]} - gone
    assert counts[POSTS[0]]["fetched"] == len(stored) == 9 - len(gone)  # 3 top-level comments, 6 replies
    assert payloads and not any(tagger in p for p in payloads)
    # the forgotten person's tags keep only their span, now over `[navn]` (transforms.erasure): no name, no key
    assert tagged and all(message[o:o + n] == "[navn]" for message, spans, _ in tagged for o, n in json.loads(spans))
    assert tagger not in {key for _, _, key in tagged}


def test_a_failed_background_store_is_raised_and_leaves_no_thread(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches are stored in a thread while the next one is prepared: the first is kept, the failing one's error
    reaches the caller (not a later batch's success), and no loading thread is left running."""
    warehouse = tmp_path / "wh.duckdb"
    real_store, stored_batches = ingest._store, []

    def store(warehouse: str, batch: list, *args: object):  # noqa: ANN202
        if stored_batches:
            raise OSError("No space left on device")
        stored_batches.append([item.post_id for item in batch])
        return real_store(warehouse, batch, *args)

    monkeypatch.setattr(ingest, "_store", store)
    with GraphStandIn(_dataset([5, 5, 5, 5])) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2) as client:
        with pytest.raises(OSError, match="No space left"):
            ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[:4], "r1", SALT, fetch_threads=2,
                         flush_rows=5)
    assert stored_batches == [[POSTS[0]]]
    assert _stored(warehouse) == {POSTS[0]: 5}
    assert [t for t in threading.enumerate() if t.name.startswith(("warehouse-load", "graph-fetch"))] == []


class _SlowPosts(FacebookReader):
    """A real reader that takes a while for each post, and reads ``POSTS[3]`` only after ``failed`` is set (a failed
    background store is then over before that post comes back)."""

    failed = threading.Event()

    def fetch_comments(self, post_id: str, since: int | None = None):  # noqa: ANN201
        if post_id == POSTS[3]:
            assert self.failed.wait(30)
        time.sleep(0.2)
        return super().fetch_comments(post_id, since)


def test_a_failed_background_store_stops_the_ingest_at_the_next_post(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The first batch (3 posts) cannot be stored: the ingest stops at the post read after that, whose comments are
    kept (they were read whole), instead of reading the rest of the next batch first and keeping none of it."""
    warehouse = tmp_path / "wh.duckdb"
    real_store = ingest._store
    _SlowPosts.failed = threading.Event()

    def store(warehouse: str, batch: list, *args: object):  # noqa: ANN202
        if POSTS[0] in [item.post_id for item in batch]:
            _SlowPosts.failed.set()
            raise OSError("No space left on device")
        return real_store(warehouse, batch, *args)

    monkeypatch.setattr(ingest, "_store", store)
    with GraphStandIn(_dataset([5] * 6)) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=5) as graph:
        client = _SlowPosts(graph)
        with pytest.raises(OSError, match="No space left"):
            ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS, "r1", SALT, fetch_threads=1, flush_rows=15)
    assert _stored(warehouse) == {POSTS[3]: 5}
    assert [t for t in threading.enumerate() if t.name.startswith(("warehouse-load", "graph-fetch"))] == []


@pytest.mark.parametrize("threads", [0, 2])
def test_an_erasure_during_the_ingest_reaches_replies_below_comments_left_out_earlier(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int) -> None:
    """A thread A <- B <- C <- D where B's author was erased before the run and A is forgotten while the post is read:
    the whole thread is left out, also when the batch was prepared before the erasure and stored after a batch that
    already saw it (the first store is slowed down so the erasure comes first)."""
    warehouse = tmp_path / "wh.duckdb"
    data = _dataset([5])
    chain = make_dataset([3], depth=2, post_obj=OBJS[1])  # comment 0, a reply to it, a reply to that, and one more
    data["posts"] += chain["posts"]
    data["comments"] += chain["comments"]
    thread = {c["id"] for c in chain["comments"]}
    real_store, calls = ingest._store, []

    def slow_first_store(*args: object):  # noqa: ANN202
        calls.append(1)
        if len(calls) == 2:  # the first store of the second ingest
            time.sleep(0.5)
        return real_store(*args)

    monkeypatch.setattr(ingest, "_store", slow_first_store)
    with GraphStandIn(data) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2) as graph:
        client = _ForgetDuringFetch(graph, warehouse=warehouse, at=POSTS[1], comment=f"{OBJS[1]}_{10**15}")
        ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[:1], "r0", SALT, fetch_threads=0)
        with db.session(str(warehouse)) as con:  # the author of the reply to comment 0, before the run
            erase.forget_author(con, author_key("500001", SALT), dt.datetime.now(dt.UTC))
        client.armed = True  # forgets comment 0 of the second post (and the tagged person) while reading it
        counts = ingest_posts(client, str(warehouse), PAGE_ID, "test", POSTS[:2], "r1", SALT,
                              fetch_threads=threads, flush_rows=1)
    stored = set(_ids(warehouse))
    assert counts[POSTS[1]]["fetched"] == 0 and not stored & thread
    assert {c["id"] for c in data["comments"]
            if c["post_id"] == POSTS[0] and c.get("from", {}).get("id") != "500001"} <= stored


def _ids(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [r[0] for r in con.execute("select comment_id from stg_comments union all "
                                          "select comment_id from raw_comments").fetchall()]
