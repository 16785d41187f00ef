"""A Facebook Page's posts and their comments, through the Graph API client.

`FacebookReader` reads a post's own fields (`GET /{post-id}`), every comment and reply of it in one stream
(`GET /{post-id}/comments?filter=stream`, `COMMENT_FIELDS`) and checks that the token is the Page's own (`GET /me`).
Requests, retries, rate limits, paging and errors are `sources.graph.GraphClient`'s, shared with Instagram.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sources.errors import PAGE_ACCESS_HINT, DeletedObject, NotAPageToken, PageAccessError
from sources.graph import MAX_DEPTH, MIN_AUTHOR_CHECK, GraphClient, ScanProgress, bound_depth

__all__ = ["COMMENT_FIELDS", "POST_FIELDS", "CommentScan", "FacebookReader"]

log = logging.getLogger(__name__)

# `like_count` counts Like reactions only; `reactions.summary(total_count).limit(0)` adds the total of every
# reaction (Like, Love, Care, Haha, Wow, Sad, Angry) without listing who reacted (the Comment node's reactions edge).
COMMENT_FIELDS = (
    "id,message,created_time,from{id,name},like_count,comment_count,parent{id},is_hidden,message_tags,"
    "attachment,permalink_url,reactions.summary(total_count).limit(0)"
)
POST_FIELDS = "id,message,created_time,updated_time,permalink_url"


@dataclass
class CommentScan:
    """Every comment and reply of a post as the Graph API returned them, deduplicated by id."""

    post_id: str
    comments: list[dict[str, Any]]
    complete: bool
    post_deleted: bool
    pages: int
    requests: int
    stop_reason: str | None = None


class FacebookReader:
    """Reads a Page's posts and comments with a `GraphClient` (which it does not own: close the client yourself).

    Reads may run in several threads at once, as the client's."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client
        self._local = threading.local()  # this thread's `reporting_pages` callback

    def __repr__(self) -> str:
        return f"FacebookReader({self.client!r})"

    def check_page_token(self, page_id: str) -> None:
        """Raise `NotAPageToken` unless the token is a Page access token of Page `page_id`.

        A Page token's `/me` is the Page itself; a User token's is the user (and another Page's token, that Page).
        Needs no app credentials, unlike `/debug_token`."""
        body = self.client.get_node("me", {"fields": "id"})
        if str(body.get("id") or "") != str(page_id):
            raise NotAPageToken(
                f"The Facebook access token is not a Page access token of Page {page_id} (GET /me answered with "
                f"another id: a User token, or another Page's token). {PAGE_ACCESS_HINT}")

    def fetch_post(self, post_id: str) -> dict[str, Any] | None:
        """The post's own fields, or None when it no longer exists (100/33)."""
        try:
            body = self.client.get_node(post_id, {"fields": POST_FIELDS})
        except DeletedObject:
            log.warning("post %s does not exist any more (code 100/33)", post_id)
            return None
        body, cut = bound_depth(body)
        if cut:
            log.warning("post %s: a part nested deeper than %d levels was left out", post_id, MAX_DEPTH)
        return body

    @contextmanager
    def reporting_pages(self, on_page: Callable[[int, int], None]) -> Iterator[None]:
        """Within the block, this thread's `fetch_comments` calls ``on_page(pages, comments)`` after each page: the
        pages read and the distinct comments found so far (the CLI's progress lines during a long post)."""
        self._local.on_page = on_page
        try:
            yield
        finally:
            self._local.on_page = None

    def fetch_comments(self, post_id: str, since: int | None = None) -> CommentScan:
        """Every comment and reply of a post (`filter=stream`), deduplicated by id, with how the scan went.

        ``since`` (Unix seconds): only comments created at or after it (the Graph API's `since` on the comments
        edge; whether its bound is inclusive is not documented, so callers give themselves an overlap)."""
        params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological", "summary": "true",
                  "limit": str(self.client.page_limit)}
        if since is not None:
            params["since"] = str(int(since))
        progress = ScanProgress()
        found: dict[str, dict[str, Any]] = {}
        without_id = 0
        on_page = getattr(self._local, "on_page", None)
        try:
            for page in self.client.iter_pages(f"{post_id}/comments", params, progress):
                without_id += self._collect(page, found)
                if on_page is not None:
                    on_page(progress.pages, len(found))
                if without_id and not found:  # the id is hidden from tokens that cannot moderate the Page
                    raise PageAccessError(
                        f"post {post_id}: the Graph API returns its comments without their id, so none can be "
                        f"stored. {PAGE_ACCESS_HINT}")
        except DeletedObject:
            log.warning("post %s does not exist any more (code 100/33)", post_id)
            return CommentScan(post_id, [], True, True, progress.pages, progress.requests)
        log.info("post %s: %d comments in %d pages (%d requests)%s", post_id, len(found), progress.pages,
                 progress.requests, "" if progress.complete else f", INCOMPLETE: {progress.stop_reason}")
        if without_id:
            log.warning("post %s: %d comments without an id were skipped", post_id, without_id)
        _check_authors(post_id, found.values())
        return CommentScan(post_id, list(found.values()), progress.complete, False, progress.pages,
                           progress.requests, progress.stop_reason)

    @staticmethod
    def _collect(page: dict[str, Any], found: dict[str, dict[str, Any]]) -> int:
        """Add a page's comments to `found` (each bounded to `MAX_DEPTH` levels); returns how many had no id."""
        without_id = 0
        for item in page.get("data") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                item, cut = bound_depth(item)
                if cut:
                    log.warning("comment %s: a part nested deeper than %d levels was left out", item["id"], MAX_DEPTH)
                found[item["id"]] = item  # first position kept, latest version wins
            else:
                without_id += 1
        return without_id


def _check_authors(post_id: str, comments: Any) -> None:
    """Raise `PageAccessError` when no citizen's comment on a post carries its author (`from`): on a post with
    several comments that means the token cannot see authors (a User token, or no MODERATE task on the Page), and
    every idea would count as its own citizen. The Page's own replies keep their `from`, so they are left out."""
    page_id = post_id.split("_")[0]
    authors = [str((c.get("from") or {}).get("id") or "") for c in comments]
    citizens = [a for a in authors if a != page_id]
    if len(citizens) >= MIN_AUTHOR_CHECK and not any(citizens):
        raise PageAccessError(
            f"post {post_id}: the Graph API returns none of its {len(citizens)} comments with an author (from), so "
            f"citizens cannot be counted. {PAGE_ACCESS_HINT}")
