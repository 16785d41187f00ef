"""Ingest one post: fetch it and its comments, pseudonymise, and load them; no Prefect, so tests pass a client."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from flows.settings import Settings, access_token
from sources.graph import CommentScan, GraphClient
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table, drop_suppressed
from warehouse import db, erase, load

log = logging.getLogger(__name__)

FLUSH_ROWS = 50_000  # comments fetched before they are loaded together: bounds memory, saves a session per post


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
    )


def ingest_one_post(client: GraphClient, warehouse: str, page_id: str, consultation: str, post_id: str,
                    run_id: str, salt: bytes, full_rescan_hours: float = 0) -> dict[str, int]:
    """Scan one post's comments and upsert them (see :func:`ingest_posts`); returns its counts."""
    return ingest_posts(client, warehouse, page_id, consultation, [post_id], run_id, salt,
                        full_rescan_hours=full_rescan_hours)[post_id]


def ingest_posts(client: GraphClient, warehouse: str, page_id: str, consultation: str, post_ids: list[str],
                 run_id: str, salt: bytes, *, full_rescan_hours: float = 0,
                 flush_rows: int = FLUSH_ROWS) -> dict[str, dict[str, int]]:
    """Scan posts' comments and upsert them; deletions are marked only after a complete full scan of a post.

    A full rescan when the post's last one is older than ``full_rescan_hours`` (0: always), else only the comments
    created since the newest stored one (``load.new_comments_since``). Posts are fetched one after the other and
    loaded together once ``flush_rows`` comments are waiting (one warehouse session and one transaction per batch, so
    a crash leaves the warehouse as it was before the batch). Nothing is written for a post before all of it is
    fetched; when a fetch fails, the posts fetched before it are stored first. Returns counts per post.
    """
    now = dt.datetime.now(dt.UTC)
    since: dict[str, dt.datetime | None] = dict.fromkeys(post_ids)
    if full_rescan_hours > 0 and Path(warehouse).exists():  # nothing is created before a fetch succeeds
        with db.session(warehouse) as con:
            since = load.new_comments_since(con, post_ids, now, full_rescan_hours)
    counts: dict[str, dict[str, int]] = {}
    pending: list[tuple[str, dict | None, CommentScan | None]] = []
    waiting = 0
    try:
        for post_id in post_ids:
            post = client.fetch_post(post_id)
            start = since[post_id]
            scan = client.fetch_comments(post_id, since=int(start.timestamp()) if start else None) if post else None
            pending.append((post_id, post, scan))
            waiting += len(scan.comments) if scan else 0
            if waiting >= flush_rows:
                batch, pending, waiting = pending, [], 0
                counts.update(_store(warehouse, batch, consultation, page_id, run_id, salt, now, since))
    except Exception:
        if pending:  # keep what was fetched before the failure; the failure is what the caller hears about
            try:
                _store(warehouse, pending, consultation, page_id, run_id, salt, now, since)
            except Exception:  # noqa: BLE001
                log.exception("could not store the %d posts fetched before the failure", len(pending))
        raise
    if pending:
        counts.update(_store(warehouse, pending, consultation, page_id, run_id, salt, now, since))
    return counts


def _store(warehouse: str, fetched: list[tuple[str, dict | None, CommentScan | None]], consultation: str,
           page_id: str, run_id: str, salt: bytes, now: dt.datetime,
           since: dict[str, dt.datetime | None]) -> dict[str, dict[str, int]]:
    """Load fetched posts in one warehouse session."""
    out: dict[str, dict[str, int]] = {}
    with db.session(warehouse) as con, load.transaction(con):  # one commit for the batch: all posts or none
        erased_authors, erased_comments = erase.suppressed(con)
        for post_id, post, scan in fetched:
            if scan is None or scan.post_deleted:
                out[post_id] = _post_missing(con, post_id, run_id, now)
                continue
            load.save_post(con, post, consultation, now)
            comments = pseudonymise_comments(scan.comments, salt, page_id)
            table = comments_table(drop_suppressed(comments, erased_authors, erased_comments), post_id, consultation)
            got = load.save_scan(con, table, post_id=post_id, run_id=run_id, complete=scan.complete,
                                 n_requests=scan.requests, now=now, since=since[post_id])
            if not got["complete"]:
                log.warning("post %s: scan did not complete (%s); nothing was marked deleted", post_id,
                            scan.stop_reason or "it would have deleted more comments than it saw")
            out[post_id] = {"fetched": table.num_rows, **got}
    return out


def _post_missing(con, post_id: str, run_id: str, now: dt.datetime) -> dict[str, int]:
    """The post answered 100/33. That also means "cannot be loaded due to missing permissions": tombstone it only
    when the previous scan said so too."""
    confirmed = load.post_was_missing(con, post_id)
    load.log_missing_post(con, post_id, run_id, now)
    if not confirmed:
        log.warning("post %s answered 'does not exist'; it is tombstoned if the next run says so too", post_id)
        return {"fetched": 0, "changed": 0, "deleted": 0, "complete": False}
    deleted = load.mark_post_deleted(con, post_id, now)
    log.warning("post %s is gone from Facebook; %d comments tombstoned", post_id, deleted)
    return {"fetched": 0, "changed": 0, "deleted": deleted, "complete": True}
