"""Social channels beside the Page's posts: each reads a consultation's items through the Graph API client and stores
them as a channel's items (`stg_imported_items`, ids `<channel>:<item_id>`), where idea detection, redaction,
clustering and exports take them with every other channel (`flows.pipeline.find_imported_ideas`).

A channel is one entry of `CHANNELS`: a name and a reader `(client, warehouse, consultation, salt) -> counts per
source`. Instagram is the first (docs/channels.md says what the next one needs).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flows.settings import ConfigError, Consultation
from sources.graph import GraphClient
from sources.instagram.client import InstagramReader
from transforms.imports import INSTAGRAM, instagram_items
from warehouse import db, erase
from warehouse.load.comments import plausible_deletions
from warehouse.load.items import save_imported_items
from warehouse.load.posts import log_missing_post, post_was_missing

log = logging.getLogger(__name__)
progress = logging.getLogger("civic_ideas.progress")


def media_source(media_id: str) -> str:
    """The `source_file` an Instagram media's comments are stored under (an item belongs to one source)."""
    return f"instagram-media-{media_id}"


def ingest_instagram(client: GraphClient, warehouse: str, consultation: Consultation, salt: bytes,
                     now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Read the comments and replies of a consultation's Instagram media and upsert them as channel `instagram`;
    returns per media `fetched`, `changed` (new or changed), `gone` (no longer on Instagram) and `complete`.

    Usernames become keys before anything is stored (`transforms.imports.instagram_items`); an erased user's or
    comment's items are left out (`save_imported_items`). A complete read drops the stored comments it no
    longer sees, unless that would be implausibly many (`plausible_deletions`: an access problem, not a mass
    deletion); a media answering "does not exist" in two runs in a row drops all of its comments."""
    reader = InstagramReader(client)
    counts: dict[str, dict[str, Any]] = {}
    for number, media_id in enumerate(consultation.instagram_media_ids, 1):
        scan = reader.fetch_media_comments(media_id)
        progress.info("read Instagram media %d/%d (%s): %d page%s, %d comments and replies%s", number,
                      len(consultation.instagram_media_ids), media_id, scan.pages, "" if scan.pages == 1 else "s",
                      len(scan.comments),
                      " (deleted on Instagram)" if scan.media_deleted else "")
        items = instagram_items(scan.comments, owner_id=scan.owner_id, owner_username=scan.owner_username, salt=salt)
        source = media_source(media_id)
        with db.session(warehouse) as con:
            other = con.execute(
                "select min(consultation) from stg_imported_items where channel = $ch and source_file = $s "
                "and consultation <> $c", {"c": consultation.slug, "ch": INSTAGRAM, "s": source},
            ).fetchone()[0]
            if other:  # a comment belongs to one consultation: its idea id names it everywhere
                raise ConfigError(f"Instagram media {media_id} is listed in consultations {other} and "
                                  f"{consultation.slug}: list each media in one consultation of consultations.toml")
            saved = {"new": 0, "changed": 0}
            if not items.empty:
                saved = save_imported_items(con, items, consultation=consultation.slug, channel=INSTAGRAM,
                                            source_file=source, now=now or dt.datetime.now(dt.UTC))
            gone = 0
            when = now or dt.datetime.now(dt.UTC)
            # 100/33 also means "cannot be loaded due to missing permissions": as for a Facebook post, a media is
            # believed gone only when the previous read said so too (the reads are logged under the media's source)
            confirmed = post_was_missing(con, source)
            if scan.media_deleted:
                log_missing_post(con, source, f"instagram-{when.isoformat()}", when)
            else:
                _log_media_read(con, source, len(items), when)
            if scan.media_deleted and not confirmed:
                log.warning("Instagram media %s answered 'does not exist'; its comments are dropped if the next run "
                            "says so too", media_id)
            elif scan.complete:
                stored = con.execute(
                    "select count(*) from stg_imported_items where consultation = $c and channel = $ch "
                    "and source_file = $s", {"c": consultation.slug, "ch": INSTAGRAM, "s": source},
                ).fetchone()[0]
                missing = stored - len(items)
                if scan.media_deleted or plausible_deletions(len(items), missing):
                    gone = erase.drop_gone_items(con, consultation.slug, INSTAGRAM, source,
                                                 items["item_id"].tolist())
                else:
                    log.warning("Instagram media %s: %d stored comments were not seen, more than the %d read; kept "
                                "(check the token's access to the Instagram account)", media_id, missing, len(items))
        counts[media_id] = {"fetched": len(items), "changed": saved.get("new", 0) + saved.get("changed", 0),
                            "gone": gone, "complete": scan.complete}
    return counts


def _log_media_read(con: Any, source: str, n_comments: int, now: dt.datetime) -> None:
    """A read that found the media: the next 'does not exist' starts counting again (`post_was_missing`)."""
    con.execute(
        """insert into stg_post_scans (post_id, run_id, scanned_at, is_complete, n_comments, n_requests, post_missing)
           values ($post, $run, $now, true, $n, 1, false) on conflict do nothing""",
        {"post": source, "run": f"instagram-{now.isoformat()}", "now": now, "n": n_comments},
    )


@dataclass(frozen=True)
class Channel:
    """A social channel: its name, whether a consultation uses it, and its reader."""

    name: str
    used_by: Callable[[Consultation], bool]
    ingest: Callable[[GraphClient, str, Consultation, bytes], dict[str, dict[str, Any]]]


CHANNELS: tuple[Channel, ...] = (
    Channel(INSTAGRAM, lambda c: bool(c.instagram_media_ids), ingest_instagram),
)
