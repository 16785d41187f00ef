"""Instagram comments on the municipality's Instagram professional account, through the Graph API client.

The Page access token of the Page the Instagram account is linked to reads them ("Instagram API with Facebook
Login", host graph.facebook.com): `GET /{ig-media-id}/comments` lists a media's top-level comments (IG Comment fields
`id, text, timestamp, username, like_count, from{id,username}, parent_id, hidden`), and each comment's `replies`
(expanded in the same request; read through `GET /{ig-comment-id}/replies` when they run past one page). Requests,
retries, rate limits, paging and errors are `sources.graph.GraphClient`'s: the same fault handling as Facebook.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sources.graph import MIN_AUTHOR_CHECK, DeletedObject, GraphClient, PageAccessError, ScanProgress, bound_depth

log = logging.getLogger(__name__)

COMMENT_FIELDS = "id,text,timestamp,username,like_count,from{id,username},parent_id,hidden"
MEDIA_FIELDS = "id,owner{id},username,permalink,timestamp,comments_count"
INSTAGRAM_ACCESS_HINT = (
    "Use the Page access token of the Page the Instagram account is linked to, for an app with the permissions "
    "instagram_basic, instagram_manage_comments and pages_read_engagement; store it in FACEBOOK_ACCESS_TOKEN or the "
    "Prefect Secret block facebook-access-token."
)


@dataclass
class MediaScan:
    """Every comment and reply of one Instagram media as the Graph API returned them, deduplicated by id.

    Replies carry `parent_id` (filled in from the comment they were read under when the API leaves it out);
    `owner_id` is the account's own id (its replies are the municipality's), None when the media is gone."""

    media_id: str
    owner_id: str | None
    comments: list[dict[str, Any]]
    complete: bool
    media_deleted: bool
    pages: int
    requests: int
    stop_reason: str | None = None
    owner_username: str | None = None  # the account's username: a second sign that a reply is the account's own


class InstagramReader:
    """Reads Instagram media comments with a `GraphClient` (which it does not own: close the client yourself)."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def fetch_media_comments(self, media_id: str) -> MediaScan:
        """The media's comments and all their replies, with how the scan went; a deleted media (100/33) gives an
        empty, complete scan with `media_deleted` set."""
        progress = ScanProgress()
        found: dict[str, dict[str, Any]] = {}
        without_id = 0
        try:
            media = self._node(media_id, progress)
            owner = str((media.get("owner") or {}).get("id") or "") or None
            params = {"fields": f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}",
                      "limit": str(self.client.page_limit)}
            for page in self.client.iter_pages(f"{media_id}/comments", params, progress):
                for comment in page.get("data") or []:
                    without_id += not self._add(comment, None, found)
                    self._replies(comment, found, progress)
                if without_id and not found:  # as on Facebook: a token that cannot moderate sees no ids
                    raise PageAccessError(
                        f"Instagram media {media_id}: the Graph API returns its comments without their id, so none "
                        f"can be stored. {INSTAGRAM_ACCESS_HINT}")
        except DeletedObject:
            log.warning("Instagram media %s does not exist any more (code 100/33)", media_id)
            return MediaScan(media_id, None, [], True, True, progress.pages, progress.requests)
        log.info("Instagram media %s: %d comments and replies in %d pages (%d requests)%s", media_id, len(found),
                 progress.pages, progress.requests,
                 "" if progress.complete else f", INCOMPLETE: {progress.stop_reason}")
        if without_id:
            log.warning("Instagram media %s: %d comments without an id were skipped", media_id, without_id)
        username = media.get("username")
        username = username if isinstance(username, str) and username else None
        _check_usernames(media_id, found.values(), owner, username)
        return MediaScan(media_id, owner, list(found.values()), progress.complete, False, progress.pages,
                         progress.requests, progress.stop_reason,
                         owner_username=username)

    def _node(self, media_id: str, progress: ScanProgress) -> dict[str, Any]:
        """The media's own fields (a node read is a one-page walk of `iter_pages`; it counts as a request only)."""
        own = ScanProgress()
        try:
            body = next(iter(self.client.iter_pages(media_id, {"fields": MEDIA_FIELDS}, own)), {})
        finally:
            progress.requests += own.requests
        return body if isinstance(body, dict) else {}

    def _replies(self, comment: Any, found: dict[str, dict[str, Any]], progress: ScanProgress) -> None:
        """Add a comment's expanded replies; when they have a next page, read its replies edge from the start."""
        if not isinstance(comment, dict) or not isinstance(comment.get("id"), str):
            return
        replies = comment.get("replies") if isinstance(comment.get("replies"), dict) else {}
        for reply in replies.get("data") or []:
            self._add(reply, comment["id"], found)
        if (replies.get("paging") or {}).get("next"):
            params = {"fields": COMMENT_FIELDS, "limit": str(self.client.page_limit)}
            try:
                for page in self.client.iter_pages(f"{comment['id']}/replies", params, progress):
                    for reply in page.get("data") or []:
                        self._add(reply, comment["id"], found)
            except DeletedObject:  # the comment went while we read: its replies go with it, not the whole media
                log.warning("Instagram comment %s was deleted during the read; its further replies are skipped",
                            comment["id"])

    @staticmethod
    def _add(item: Any, parent_id: str | None, found: dict[str, dict[str, Any]]) -> bool:
        """Add one comment (without its expanded replies) to `found`; False when it has no id (not stored)."""
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return False
        item, cut = bound_depth({k: v for k, v in item.items() if k != "replies"})
        if cut:
            log.warning("Instagram comment %s: a part nested too deep was left out", item["id"])
        if parent_id and not item.get("parent_id"):
            item["parent_id"] = parent_id
        found[item["id"]] = item
        return True


def _username(comment: dict[str, Any]) -> str:
    user = comment.get("from") if isinstance(comment.get("from"), dict) else {}
    return str(comment.get("username") or user.get("username") or "").strip()


def _check_usernames(media_id: str, comments: Any, owner_id: str | None, owner_username: str | None) -> None:
    """As `sources.facebook.client` does for a Facebook post's authors: raise `PageAccessError` when none of a media's
    citizens' comments (at least `MIN_AUTHOR_CHECK`) carries a username, since each would count as a citizen of its
    own; warn once when only some lack one. The account's own comments (its id or username) are left out. No
    username or id is named in the message."""
    citizens = []
    for c in comments:
        user = c.get("from") if isinstance(c.get("from"), dict) else {}
        name = _username(c)
        own = bool(owner_id and str(user.get("id") or "") == owner_id) or bool(
            owner_username and name.casefold() == owner_username.casefold())
        if not own:
            citizens.append(name)
    missing = sum(1 for name in citizens if not name)
    if len(citizens) >= MIN_AUTHOR_CHECK and missing == len(citizens):
        raise PageAccessError(
            f"Instagram media {media_id}: the Graph API returns none of its {len(citizens)} comments with a username, "
            f"so citizens cannot be counted. {INSTAGRAM_ACCESS_HINT}")
    if missing:
        log.warning("Instagram media %s: %d of %d comments came without a username; each counts as a citizen of "
                    "its own", media_id, missing, len(citizens))
