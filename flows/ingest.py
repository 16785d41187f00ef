"""Ingest one post: fetch it and its comments, pseudonymise, and load them; no Prefect, so tests pass a client."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from flows.settings import Settings, access_token
from sources.graph import GraphClient
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table, drop_suppressed
from warehouse import db, erase, load

log = logging.getLogger(__name__)


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
    """Scan one post's comments and upsert them; deletions are marked only after a complete full scan.

    A full rescan when the last one is older than ``full_rescan_hours`` (0: always), else only the comments created
    since the newest stored one (``load.new_comments_since``). Everything is fetched before the warehouse is
    opened for writing, so a failed fetch leaves the warehouse as it was.
    """
    now = dt.datetime.now(dt.UTC)
    since = None
    if full_rescan_hours > 0 and Path(warehouse).exists():  # nothing is created before the fetch succeeds
        with db.session(warehouse) as con:
            since = load.new_comments_since(con, post_id, now, full_rescan_hours)
    post = client.fetch_post(post_id)
    scan = client.fetch_comments(post_id, since=int(since.timestamp()) if since else None) if post is not None else None
    with db.session(warehouse) as con:
        if scan is None or scan.post_deleted:
            # 100/33 also means "cannot be loaded due to missing permissions": tombstone only when it repeats
            confirmed = load.post_was_missing(con, post_id)
            load.log_missing_post(con, post_id, run_id, now)
            if not confirmed:
                log.warning("post %s answered 'does not exist'; it is tombstoned if the next run says so too", post_id)
                return {"fetched": 0, "changed": 0, "deleted": 0, "complete": False}
            deleted = load.mark_post_deleted(con, post_id, now)
            log.warning("post %s is gone from Facebook; %d comments tombstoned", post_id, deleted)
            return {"fetched": 0, "changed": 0, "deleted": deleted, "complete": True}
        load.save_post(con, post, consultation, now)
        erased_authors, erased_comments = erase.suppressed(con)
        comments = pseudonymise_comments(scan.comments, salt, page_id)
        table = comments_table(drop_suppressed(comments, erased_authors, erased_comments), post_id, consultation)
        counts = load.save_scan(con, table, post_id=post_id, run_id=run_id, complete=scan.complete,
                                n_requests=scan.requests, now=now, since=since)
    if not counts["complete"]:
        log.warning("post %s: scan did not complete (%s); nothing was marked deleted", post_id,
                    scan.stop_reason or "it would have deleted more comments than it saw")
    return {"fetched": table.num_rows, **counts}
