"""Ingest posts: fetch them and their comments, pseudonymise, and load them; no Prefect, so tests pass a client."""

from __future__ import annotations

import contextvars
import datetime as dt
import gc
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from flows.settings import Settings, access_token, app_secret
from sources.facebook.client import CommentScan, FacebookReader
from sources.graph import GraphClient
from transforms.pseudonym import pseudonymise_comments
from transforms.records import drop_suppressed, payload_table, records_table
from warehouse import erase
from warehouse.db import transaction
from warehouse.load.comments import PostScan, new_comments_since, save_scans
from warehouse.load.posts import log_missing_post, mark_post_deleted, post_was_missing, save_posts
from warehouse.store import Warehouse

log = logging.getLogger(__name__)
progress = logging.getLogger("civic_ideas.progress")  # stage lines the CLI shows on stderr

# Comments fetched before they are loaded together: bounds memory (a batch being loaded and the next one being
# prepared, about 1 KB per comment each) and saves a session and a commit per post. More than one DuckDB row group
# (122,880 rows) per batch: fewer, larger commits store a large ingest markedly faster than 50k-row batches, for a
# little more memory (figures: benchmarks/README.md).
FLUSH_ROWS = 150_000
FETCH_THREADS = 2  # posts read at once (CIVIC_IDEAS_FETCH_THREADS; see `_prefetched`)
PAGE_LINE_EVERY = 20  # pages of a post between two "so far" progress lines (2,000 comments at the usual page size)
# Prepared comments whose staging rows are derived together while the next posts are fetched (one DuckDB query per
# this many rows, see `_derive_records`): the query's fixed cost stays negligible, and at most this many rows are
# left to derive after the last page instead of the whole batch.
RECORD_ROWS = 10_000


def _status(done: int, total: int, *, transient: bool) -> dict[str, Any]:
    """`extra` of a progress record: the CLI draws a bar of posts read (`done` of `total`) on a terminal, and a
    transient line is redrawn by the next one there (flows.cli); elsewhere each is a plain line."""
    return {"bar": (done, total), "transient": transient}


def graph_client(settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> GraphClient:
    """The Graph API client the settings describe (base URL, version, token, timeout, retries, page size)."""
    return GraphClient(
        settings.facebook_graph_url,
        settings.facebook_graph_version,
        access_token(settings),
        timeout=settings.http_timeout_seconds,
        max_retries=settings.max_retries,
        max_wait_seconds=settings.max_wait_seconds,
        page_limit=settings.page_limit,
        sleep=sleep,
        app_secret=app_secret(settings),
        check_token_first=True,
    )


def ingest_one_post(client: GraphClient | FacebookReader, warehouse: Warehouse | str, page_id: str, consultation: str,
                    post_id: str, run_id: str, salt: bytes, full_rescan_hours: float = 0) -> dict[str, int]:
    """Scan one post's comments and upsert them (see :func:`ingest_posts`); returns its counts."""
    return ingest_posts(client, warehouse, page_id, consultation, [post_id], run_id, salt,
                        full_rescan_hours=full_rescan_hours)[post_id]


def ingest_posts(client: GraphClient | FacebookReader, warehouse: Warehouse | str, page_id: str, consultation: str,
                 post_ids: list[str], run_id: str, salt: bytes, *, full_rescan_hours: float = 0,
                 flush_rows: int = FLUSH_ROWS, fetch_threads: int = FETCH_THREADS) -> dict[str, dict[str, int]]:
    """Scan posts' comments and upsert them; deletions are marked only after a complete full scan of a post.

    A full rescan when the post's last one is older than ``full_rescan_hours`` (0: always), else only the comments
    created since the newest stored one (``new_comments_since``; the post itself is not read then, and a
    deleted post shows as the comments edge's 100/33). Background threads fetch the posts,
    ``fetch_threads`` at a time (:func:`_prefetched`; 0: in this thread), so the Graph API's answer time overlaps
    this thread's work: each fetched post is pseudonymised and serialised at once, and the posts are loaded together
    once ``flush_rows`` comments are waiting, by a loading thread while this one prepares the next batch (one staging
    query, one warehouse session and one transaction per batch, so a crash leaves the warehouse as it was before the
    batch; each load step is one statement for the batch's posts). Nothing is written for a post before all of it is
    fetched; when a fetch fails, the posts fetched before it are stored first. Returns counts per post.

    The posts are read by a `sources.facebook.client.FacebookReader` over ``client`` (or ``client`` itself when it is
    one). First, with a client made by :func:`graph_client` (``check_token_first``), the token is checked to be a
    Page access token of ``page_id`` (:meth:`FacebookReader.check_page_token`): a User token would read comments
    without their authors.
    """
    reader = client if isinstance(client, FacebookReader) else FacebookReader(client)
    warehouse = Warehouse.at(warehouse)  # a location string: tests, a notebook
    now = dt.datetime.now(dt.UTC)
    post_ids = list(dict.fromkeys(post_ids))  # a post named twice is read once
    progress.info("%s: reading %d post%s from the Graph API", consultation, len(post_ids),
                  "" if len(post_ids) == 1 else "s")
    if reader.client.check_token_first:  # a User token or another Page's token fails here, before anything is read
        reader.check_page_token(page_id)
    since: dict[str, dt.datetime | None] = dict.fromkeys(post_ids)
    suppressed: tuple[set[str], set[str]] = (set(), set())
    if warehouse.exists():  # nothing is created before a fetch succeeds
        with warehouse.session() as con:
            suppressed = erase.suppressed(con)  # read again in each batch's transaction (see `_store`)
            if full_rescan_hours > 0:
                since = new_comments_since(con, post_ids, now, full_rescan_hours)
    pending: list[_Fetched] = []
    waiting = 0
    underived: list[_Fetched] = []  # pending posts whose staging rows are not derived yet
    prepared_with = suppressed  # the erasures the pending posts leave out

    def store(batch: list[_Fetched], erased: tuple[set[str], set[str]]) -> tuple[dict, tuple[set[str], set[str]]]:
        return _store(warehouse, batch, consultation, run_id, now, since, erased)

    with _prefetched(reader, post_ids, since, workers=fetch_threads, ahead=2 * fetch_threads) as fetched, \
            _fewer_collections(), _Loader(store, suppressed, background=fetch_threads > 0) as loader:
        try:
            for number, (post_id, post, scan) in enumerate(fetched, 1):
                _report_read(number, len(post_ids), post_id, scan)
                pending.append(_prepare(post_id, post, scan, salt, page_id, prepared_with))
                waiting += pending[-1].rows
                if pending[-1].rows:
                    underived.append(pending[-1])
                if sum(item.rows for item in underived) >= RECORD_ROWS:
                    _derive_records(underived, consultation)
                    underived = []
                loader.check()
                if waiting >= flush_rows:
                    batch, pending, waiting, underived = pending, [], 0, []
                    loader.submit(batch, prepared_with)
                    prepared_with = loader.suppressed
        except Exception:
            reader.client.cancel()  # the other reads stop now (also in a rate-limit wait), not after the stores
            try:  # keep what was fetched before the failure; the failure is what the caller hears about
                loader.wait()
                if pending:
                    loader.submit(pending, prepared_with)
                    loader.wait()
            except Exception:  # noqa: BLE001
                log.exception("could not store the posts fetched before the failure")
            raise
        if pending:
            loader.submit(pending, prepared_with)
        loader.wait()
    return loader.counts


def _report_read(number: int, total: int, post_id: str, scan: CommentScan | None) -> None:
    # on a terminal the line of the last post stays; the others are redrawn by the next line
    status = _status(number, total, transient=number < total)
    if scan is None or scan.post_deleted:
        progress.info("read post %d/%d (%s): gone from Facebook", number, total, post_id, extra=status)
    else:
        progress.info("read post %d/%d (%s): %d page%s, %s comments and replies%s", number, total, post_id,
                      scan.pages, "" if scan.pages == 1 else "s", f"{len(scan.comments):,}",
                      "" if scan.complete else " (incomplete)", extra=status)


class _Loader:
    """Stores batches of prepared posts one at a time and in post order; with ``background``, in a thread of its own
    while the caller prepares the next batch (loading is DuckDB's work, which runs without the interpreter lock, so
    this hides most of the time spent storing). A failed store raises from the next ``check``,
    ``submit`` or ``wait``; ``suppressed`` is the erasures in force at the last completed store."""

    def __init__(self, store: Callable[[list[_Fetched], tuple[set[str], set[str]]], tuple[dict, tuple]],
                 suppressed: tuple[set[str], set[str]], *, background: bool) -> None:
        self._store = store
        self.suppressed = suppressed
        self.counts: dict[str, dict[str, int]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warehouse-load") if background else None
        self._running: Future | None = None

    def __enter__(self) -> _Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # a store under way finishes (its transaction commits or rolls back)
        if self._running is not None and self._running.exception() is not None:  # left early (e.g. interrupted)
            log.error("could not store a batch of posts: %s", self._running.exception())

    def submit(self, batch: list[_Fetched], prepared_with: tuple[set[str], set[str]]) -> None:
        """Store ``batch`` (prepared without the erasures ``prepared_with``) after the batch before it."""
        self.wait()
        if self._pool is None:
            self._done(self._store(batch, prepared_with))
        else:  # in a copy of this context (Prefect's run context, for its logger)
            self._running = self._pool.submit(contextvars.copy_context().run, self._store, batch, prepared_with)

    def check(self) -> None:
        """Raise the error of a store that has already failed, without waiting for one under way: called for each
        post, it stops the ingest as soon as a batch could not be stored, not after the next batch is read."""
        if self._running is not None and self._running.done() and self._running.exception() is not None:
            self.wait()

    def wait(self) -> None:
        """Wait for the batch being stored; raises its error."""
        if self._running is not None:
            running, self._running = self._running, None
            self._done(running.result())

    def _done(self, result: tuple[dict, tuple[set[str], set[str]]]) -> None:
        got, self.suppressed = result
        self.counts.update(got)


_GC_LOCK = threading.Lock()
_GC = {"ingests": 0, "before": (700, 10, 10)}  # ingests running in this process; the thresholds before the first


@contextmanager
def _fewer_collections(young: int = 50_000) -> Iterator[None]:
    """Collect the garbage collector's youngest generation every ``young`` allocations instead of every 700.

    A page's comments live until their post is prepared, so at the default threshold they are traversed again and
    again on their way to the oldest generation, together with everything else that lives there. JSON payloads make
    no reference cycles: reference counting frees them, and the collections saved are CPU time saved. The
    thresholds are process-wide: they are restored when the last ingest running in the process ends, and left alone
    when collection is switched off (threshold 0)."""
    with _GC_LOCK:
        if _GC["ingests"] == 0:
            _GC["before"] = before = gc.get_threshold()
            if before[0]:
                gc.set_threshold(max(young, before[0]), *before[1:])
        _GC["ingests"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC["ingests"] -= 1
            if _GC["ingests"] == 0:
                gc.set_threshold(*_GC["before"])


@dataclass
class _Fetched:
    """One fetched post, pseudonymised and serialised (`payloads`: a `payload_table` of its comments without the
    erased ones; None when the post is gone or unreadable); the batch's staging rows are derived from all its posts'
    payloads at once when it is stored. `unfiltered`: all its comments' payloads, kept only when erasures left some
    out or changed them, because a later erasure must be applied to the whole thread (a reply below a comment that was
    left out still belongs to that comment's thread).

    Only payloads are kept, not the comments' dicts: those die young instead of waiting for the batch in the garbage
    collector's oldest generation, where every collection would traverse them."""

    post_id: str
    post: dict | None
    scan: CommentScan | None
    payloads: pa.Table | None
    unfiltered: pa.Table | None = None
    records: pa.Table | None = None  # the staging rows of `payloads` when derived ahead (`_derive_records`)

    @property
    def rows(self) -> int:
        return 0 if self.payloads is None else self.payloads.num_rows

    def comments(self) -> list[dict]:
        """All the post's pseudonymised comments again, read back from their payloads (`json`, not orjson, which
        reads an integer beyond 64 bits as a float; this runs only when an erasure came in while the batch was
        fetched)."""
        table = self.payloads if self.unfiltered is None else self.unfiltered
        return [json.loads(p) for p in table.column("payload").to_pylist()]


def _prepare(post_id: str, post: dict | None, scan: CommentScan | None, salt: bytes, page_id: str,
             suppressed: tuple[set[str], set[str]]) -> _Fetched:
    if scan is None or scan.post_deleted:
        return _Fetched(post_id, post, scan, None)
    comments = pseudonymise_comments(scan.comments, salt, page_id)
    scan.comments = []  # the clear-text payloads are not needed any more: free them before the batch is loaded
    kept = drop_suppressed(comments, *suppressed)
    same = kept is comments or (len(kept) == len(comments) and all(a is b for a, b in zip(kept, comments, strict=True)))
    return _Fetched(post_id, post, scan, payload_table(kept, post_id),
                    None if same else payload_table(comments, post_id))


def _derive_records(items: list[_Fetched], consultation: str) -> None:
    """Derive the staging rows of prepared posts in one query (`records_table` keeps the rows' number and order),
    and give each post its slice, while the fetching threads read the next posts."""
    table = records_table(pa.concat_tables([item.payloads for item in items]), consultation)
    offset = 0
    for item in items:
        item.records = table.slice(offset, item.rows)
        offset += item.rows


@contextmanager
def _prefetched(reader: FacebookReader, post_ids: list[str], since: dict[str, dt.datetime | None], *,
                workers: int = FETCH_THREADS, ahead: int = 2 * FETCH_THREADS,
                ) -> Iterator[Iterator[tuple[str, dict | None, CommentScan | None]]]:
    """Each post with its comment scan, in order, fetched by ``workers`` threads at most ``ahead`` posts ahead.

    A post's pages come one after the other (each `next` is in the page before it), so one thread leaves the Graph
    API idle while it parses a page; two threads on two posts keep it busy. The threads spend their time waiting for
    the Graph API and parsing JSON; the caller's pseudonymising and the warehouse load (DuckDB releases the
    interpreter lock) run meanwhile. A fetch error is raised where that post would have come. On leaving (also early,
    on an error), the reads under way are cancelled and the threads joined.
    """
    numbers = {post_id: number for number, post_id in enumerate(post_ids, 1)}

    def fetch(post_id: str) -> tuple[str, dict | None, CommentScan | None]:
        number, total = numbers[post_id], len(post_ids)
        status = _status(number - 1, total, transient=True)
        progress.info("reading post %d/%d (%s)%s", number, total, post_id,
                      "" if since[post_id] is None else ": comments since the last run", extra=status)

        def on_page(pages: int, comments: int) -> None:  # a long post says how far it got
            if pages % PAGE_LINE_EVERY == 0:
                progress.info("post %d/%d: %d pages, %s comments so far", number, total, pages, f"{comments:,}",
                              extra=status)

        start = since[post_id]
        with reader.reporting_pages(on_page):
            if start is not None:  # between full rescans the post is not read again: its edits wait, like comments'
                return post_id, None, reader.fetch_comments(post_id, since=int(start.timestamp()))
            post = reader.fetch_post(post_id)
            return post_id, post, reader.fetch_comments(post_id) if post else None

    if workers < 1:  # in this thread, one post after the other
        yield (fetch(post_id) for post_id in post_ids)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="graph-fetch")
    waiting: deque[Future] = deque()
    todo = iter(post_ids)

    def submit(count: int) -> None:
        for post_id in itertools.islice(todo, count):  # each in a copy of this context (Prefect's run context)
            waiting.append(pool.submit(contextvars.copy_context().run, fetch, post_id))

    def items() -> Iterator[tuple[str, dict | None, CommentScan | None]]:
        submit(ahead)
        while waiting:
            done = waiting.popleft().result()  # raises the fetch's error, in post order
            submit(1)
            yield done

    try:
        yield items()
    finally:
        reader.client.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        reader.client.resume()
        reader.client.close_idle_sessions()


def _store(warehouse: Warehouse, fetched: list[_Fetched], consultation: str, run_id: str, now: dt.datetime,
           since: dict[str, dt.datetime | None], suppressed: tuple[set[str], set[str]],
           ) -> tuple[dict[str, dict[str, int]], tuple[set[str], set[str]]]:
    """Load prepared posts in one warehouse session; returns their counts and the erasures in force.

    A person or comment erased (`civic-ideas forget`) after the posts were prepared is honoured: the posts' rows are
    built again without them."""
    out: dict[str, dict[str, int]] = {}
    with warehouse.session() as con, transaction(con):  # one commit for the batch: all posts or none
        current = erase.suppressed(con)
        scanned = [item for item in fetched if item.payloads is not None]
        for item in fetched:
            if item.payloads is None:
                out[item.post_id] = _post_missing(con, item.post_id, run_id, now)
        if scanned:
            out.update(_load_scanned(con, scanned, current, suppressed, consultation, run_id, now, since))
    return {item.post_id: out[item.post_id] for item in fetched}, current  # in post order


def _load_scanned(con, scanned: list[_Fetched], current: tuple[set[str], set[str]],
                  suppressed: tuple[set[str], set[str]], consultation: str, run_id: str, now: dt.datetime,
                  since: dict[str, dt.datetime | None]) -> dict[str, dict[str, int]]:
    """Load the posts that were read (their payloads built again if erasures changed since they were prepared):
    the staging rows derived ahead (`_derive_records`), and one staging query for the rest."""
    if current != suppressed:  # rows derived ahead are of payloads prepared without these erasures
        for item in scanned:
            item.records = None
    payloads = [item.payloads if current == suppressed else payload_table(
        drop_suppressed(item.comments(), *current), item.post_id) for item in scanned]
    underived = [table for item, table in zip(scanned, payloads, strict=True) if item.records is None]
    rows = records_table(pa.concat_tables(underived), consultation) if underived else None
    parts, offset = [], 0  # each post's rows in post order: derived ahead, or sliced from the one query above
    for item, table in zip(scanned, payloads, strict=True):
        if item.records is not None:
            parts.append(item.records)
        else:
            parts.append(rows.slice(offset, table.num_rows))
            offset += table.num_rows
    save_posts(con, [item.post for item in scanned if item.post], consultation, now)
    got = save_scans(
        con, pa.concat_tables(parts),
        [PostScan(i.post_id, i.scan.complete, i.scan.requests, since[i.post_id]) for i in scanned],
        run_id=run_id, now=now)
    out = {}
    for item, table in zip(scanned, payloads, strict=True):
        if not got[item.post_id]["complete"]:
            log.warning("post %s: scan did not complete (%s); nothing was marked deleted", item.post_id,
                        item.scan.stop_reason or "it would have deleted more comments than it saw")
        out[item.post_id] = {"fetched": table.num_rows, **got[item.post_id]}
    return out


def _post_missing(con, post_id: str, run_id: str, now: dt.datetime) -> dict[str, int]:
    """The post answered 100/33. That also means "cannot be loaded due to missing permissions": tombstone it only
    when the previous scan said so too."""
    confirmed = post_was_missing(con, post_id)
    log_missing_post(con, post_id, run_id, now)
    if not confirmed:
        log.warning("post %s answered 'does not exist'; it is tombstoned if the next run says so too", post_id)
        return {"fetched": 0, "changed": 0, "deleted": 0, "complete": False}
    deleted = mark_post_deleted(con, post_id, now)
    log.warning("post %s is gone from Facebook; %d comments tombstoned", post_id, deleted)
    return {"fetched": 0, "changed": 0, "deleted": deleted, "complete": True}
