"""The channels a consultation hears citizens on, each read through the Graph API client: the Page's posts (Facebook,
the first and biggest) and the social channels beside them.

A channel is one entry of `CHANNELS`: a name, whether a consultation uses it, and a reader
`(client, warehouse, consultation, run) -> counts per source` (`ChannelRun`: the salt, the run, the Page). The
pipeline loops over the channels a consultation has (`flows.pipeline.run_stages`, task `ingest_channel`).
Facebook's reader is `flows.ingest.ingest_posts` (reading through `sources.facebook.client.FacebookReader`) and
keeps its own tables (`raw_comments`, `stg_comments`); every other channel stores its items as a channel's items
(`stg_imported_items`, ids `<channel>:<item_id>`), where idea detection, redaction, clustering and exports take them
with every other channel (`flows.pipeline.find_imported_ideas`).
Instagram is the first of those (docs/channels.md says what the next one needs).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flows.ingest import FETCH_THREADS, ingest_posts
from flows.settings import ConfigError, Consultation
from sources.facebook.client import FacebookReader
from sources.graph import GraphClient
from sources.instagram.client import InstagramReader
from transforms.imports import INSTAGRAM, instagram_items
from warehouse import erase
from warehouse.load.comments import plausible_deletions
from warehouse.load.items import save_imported_items
from warehouse.load.posts import log_missing_post, post_was_missing
from warehouse.store import Warehouse

log = logging.getLogger(__name__)
progress = logging.getLogger("civic_ideas.progress")


FACEBOOK = "facebook"


@dataclass(frozen=True)
class ChannelRun:
    """What a channel's reader gets beside the client and the consultation: the salt that keys authors, the flow
    run, the Facebook Page (consultations.toml `[facebook] page_id`) and the run's ingest settings."""

    salt: bytes = field(repr=False)  # keys every author: never in a log line or a traceback's locals
    run_id: str = ""
    page_id: str = ""
    full_rescan_hours: float = 0
    fetch_threads: int = FETCH_THREADS


def ingest_facebook(client: GraphClient, warehouse: Warehouse, consultation: Consultation,
                    run: ChannelRun) -> dict[str, dict[str, Any]]:
    """Scan the consultation's Facebook posts and upsert their comments (`flows.ingest.ingest_posts`, reading
    through `sources.facebook.client.FacebookReader`); counts per post: `fetched`, `changed`, `deleted`, `complete`."""
    return ingest_posts(FacebookReader(client), warehouse, run.page_id, consultation.slug, consultation.post_ids,
                        run.run_id, run.salt, full_rescan_hours=run.full_rescan_hours, fetch_threads=run.fetch_threads)


def media_source(media_id: str) -> str:
    """The `source_file` an Instagram media's comments are stored under (an item belongs to one source)."""
    return f"instagram-media-{media_id}"


def ingest_instagram(client: GraphClient, warehouse: Warehouse | str, consultation: Consultation, salt: bytes,
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
        with Warehouse.at(warehouse).session() as con:
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


def _read_instagram(client: GraphClient, warehouse: Warehouse, consultation: Consultation,
                    run: ChannelRun) -> dict[str, dict[str, Any]]:
    return ingest_instagram(client, warehouse, consultation, run.salt)


@dataclass(frozen=True)
class Channel:
    """A channel: its name, whether a consultation uses it, and its reader. `comments`: its counts are the
    consultation's comments (the run's `comments_fetched`/`comments_changed`, an incomplete source named by its id
    alone), as Facebook's; otherwise they are counted apart under `channel_items`."""

    name: str
    used_by: Callable[[Consultation], bool]
    ingest: Callable[[GraphClient, Warehouse, Consultation, ChannelRun], dict[str, dict[str, Any]]]
    comments: bool = False


CHANNELS: tuple[Channel, ...] = (
    Channel(FACEBOOK, lambda c: bool(c.post_ids), ingest_facebook, comments=True),
    Channel(INSTAGRAM, lambda c: bool(c.instagram_media_ids), _read_instagram),
)


def channels_of(consultation: Consultation) -> list[Channel]:
    """The channels a consultation lists in consultations.toml, in `CHANNELS`' order (Facebook first)."""
    return [c for c in CHANNELS if c.used_by(consultation)]


def channel(name: str) -> Channel:
    """The channel called `name`."""
    for c in CHANNELS:
        if c.name == name:
            return c
    raise ConfigError(f"unknown channel {name}: choose from {', '.join(c.name for c in CHANNELS)}")
