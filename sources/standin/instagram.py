"""The Instagram mode of the local Graph API stand-in: IG Media nodes, their `comments` edge and IG Comments'
`replies` edge, with `fields` (nested `replies{...}` included), cursor paging whose `next` carries the token, and
100/33 for a deleted media or comment. `sources.standin.GraphStandIn(..., instagram=dataset)` routes these ids here;
tokens, faults, rate limits and appsecret_proof stay the stand-in's own, so the reader meets the same faults.

Dataset (`data/sample/instagram.json`)::

    {"account": {"id": "178414...", "username": "silkeborgkommune"},
     "media": [{"id": "179...", "caption": "...", "timestamp": "2014-05-02T08:00:00+0000",
                "comments": [{"id": "180...", "text": "...", "timestamp": "...", "username": "...",
                              "user_id": "...", "like_count": 3, "hidden": false, "replies": [ ...same... ]}]}]}
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sources.standin.faults import graph_error
from sources.standin.fields import FieldSpec, FieldsSyntaxError, parse_fields
from sources.standin.paging import Window, edge_url, paging_object, take

Item = dict[str, Any]
Query = list[tuple[str, str]]
COMMENT_FIELDS = frozenset({"id", "text", "timestamp", "username", "like_count", "from", "parent_id", "hidden",
                            "replies", "media"})
MEDIA_FIELDS = frozenset({"id", "caption", "comments_count", "owner", "username", "permalink", "timestamp",
                          "media_type", "comments"})
DEFAULT_FIELDS = {"IGComment": ("id", "text", "timestamp"), "IGMedia": ("id",)}
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
_UNSUPPORTED = ("Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation. Please read the Graph API documentation at "
                "https://developers.facebook.com/docs/graph-api")


def load_instagram(path: str | Path) -> dict[str, Any]:
    """Read an Instagram stand-in dataset (format above)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


class InstagramStore:
    """The Instagram account's media and comments, changeable by tests (delete, edit, add)."""

    def __init__(self, dataset: dict[str, Any]) -> None:
        self.account: Item = dict(dataset.get("account") or {"id": "17841400000000000", "username": "kommunen"})
        self.media: dict[str, Item] = {}
        self.comments: dict[str, Item] = {}
        self.children: dict[str, list[str]] = {}  # media or comment id -> its comments' or replies' ids
        self.lock = threading.RLock()
        for media in dataset.get("media") or []:
            media = {k: v for k, v in media.items() if k != "comments"}
            self.media[media["id"]] = media
            self.children[media["id"]] = []
        for media in dataset.get("media") or []:
            for comment in media.get("comments") or []:
                self._add(media["id"], None, copy.deepcopy(comment))
        self._numbers = itertools.count(18_100_000_000_000_000)
        # what a token that cannot see who wrote a comment gets: no `username`/`from` (test controls below)
        self.hidden_authors: frozenset[str] | None = frozenset()  # None: every user's but the account's own
        self.ids_hidden = False

    def _add(self, media_id: str, parent_id: str | None, comment: Item) -> None:
        replies = comment.pop("replies", None) or []
        comment["media_id"] = media_id
        if parent_id:
            comment["parent_id"] = parent_id
        self.comments[comment["id"]] = comment
        self.children.setdefault(comment["id"], [])
        self.children[parent_id or media_id].append(comment["id"])
        for reply in replies:
            self._add(media_id, comment["id"], reply)

    def handles(self, object_id: str) -> bool:
        """Whether an id is one of this account's media or comments (deleted ones included: they answer 100/33)."""
        return object_id in self.media or object_id in self.comments

    def node(self, object_id: str) -> tuple[str, Item]:
        if object_id in self.media and not self.media[object_id].get("deleted"):
            return "IGMedia", self.media[object_id]
        if object_id in self.comments and not self.comments[object_id].get("deleted"):
            return "IGComment", self.comments[object_id]
        raise graph_error(400, 100, _UNSUPPORTED.format(id=object_id), subcode=33, type_="GraphMethodException")

    def listing(self, object_id: str) -> list[Item]:
        """A media's live top-level comments or a comment's live replies, oldest first."""
        items = [self.comments[i] for i in self.children.get(object_id, [])]
        items = [c for c in items if not c.get("deleted")]
        return sorted(items, key=lambda c: (c.get("timestamp") or "", c["id"]))

    # -- test controls ---------------------------------------------------------------------------------------
    def add_comment(self, media_id: str, text: str, username: str, *, parent_id: str | None = None,
                    timestamp: str = "2014-05-20T12:00:00+0000", like_count: int = 0) -> str:
        with self.lock:
            comment_id = str(next(self._numbers))
            self._add(media_id, parent_id, {"id": comment_id, "text": text, "username": username,
                                            "user_id": _user_id(username), "timestamp": timestamp,
                                            "like_count": like_count, "hidden": False})
            return comment_id

    def delete_comment(self, comment_id: str) -> None:
        with self.lock:
            self.comments[comment_id]["deleted"] = True

    def edit_comment(self, comment_id: str, text: str) -> None:
        with self.lock:
            self.comments[comment_id]["text"] = text

    def delete_media(self, media_id: str) -> None:
        with self.lock:
            self.media[media_id]["deleted"] = True

    def hide_authors(self, usernames: Iterable[str] | None = None) -> None:
        """Serve the comments of `usernames` (default: every user but the account) without `username` and `from`,
        as the Graph API does for a token without the comment permissions."""
        with self.lock:
            self.hidden_authors = None if usernames is None else frozenset(usernames)

    def hide_ids(self) -> None:
        """Serve every comment without its `id` (a token that cannot moderate the account's comments)."""
        with self.lock:
            self.ids_hidden = True

    def author_hidden(self, comment: Item) -> bool:
        """Whether a comment is served without its author."""
        name = comment.get("username")
        if self.hidden_authors is None:
            return name != self.account.get("username")
        return name in self.hidden_authors


class InstagramReader:
    """Answers `/{ig-media-id}`, `/{ig-media-id}/comments`, `/{ig-comment-id}` and `/{ig-comment-id}/replies`."""

    def __init__(self, dataset: dict[str, Any]) -> None:
        self.store = InstagramStore(dataset)

    def read(self, segments: list[str], query: Query, *, base: str, version: str, token: str | None) -> Item:
        """The JSON body of a read; raises `GraphFault` for Graph API errors."""
        params: dict[str, str] = {}
        for key, value in query:
            params.setdefault(key, value)
        specs = _parse(params.get("fields", ""))
        with self.store.lock:
            node, item = self.store.node(segments[0])
            if len(segments) == 1:
                return self._render(node, item, specs, base, version, token)
            edge = segments[1]
            if (node, edge) not in (("IGMedia", "comments"), ("IGComment", "replies")):
                raise graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({edge}) on node type "
                                            f"({node})")
            return self._edge(item["id"], edge, specs, _limit(params.get("limit")), params.get("after"),
                              query, base, version, token)

    def _edge(self, object_id: str, edge: str, specs: tuple[FieldSpec, ...] | None, limit: int, after: str | None,
              query: Query, base: str, version: str, token: str | None) -> Item:
        _check("IGComment", specs)
        items = self.store.listing(object_id)
        keys = [(c.get("timestamp") or "", c["id"]) for c in items]
        page = take(items, keys, False, Window(limit=limit, after=after))
        body: Item = {"data": [self._render("IGComment", c, specs, base, version, token) for c in page.items]}
        paging = paging_object(page, lambda direction, cursor: edge_url(base, version, f"{object_id}/{edge}", query,
                                                                         token, direction, cursor))
        if paging:
            body["paging"] = paging
        return body

    def _render(self, node: str, item: Item, specs: tuple[FieldSpec, ...] | None, base: str, version: str,
                token: str | None) -> Item:
        _check(node, specs)
        out: Item = {}
        for spec in specs or tuple(FieldSpec(n) for n in DEFAULT_FIELDS[node]):
            value = self._value(node, item, spec, base, version, token)
            if value is not None:
                out[spec.name] = value
        return out

    def _value(self, node: str, item: Item, spec: FieldSpec, base: str, version: str, token: str | None) -> Any:
        name = spec.name
        if name in ("comments", "replies"):
            query: Query = [("limit", spec.modifiers.get("limit", str(DEFAULT_LIMIT)))]
            if spec.children is not None:
                query.append(("fields", ",".join(_format(c) for c in spec.children)))
            body = self._edge(item["id"], name, spec.children, _limit(spec.modifiers.get("limit")), None, query,
                              base, version, token)
            return body if body["data"] else None  # an empty edge is left out, as the Graph API does
        account = self.store.account
        if node == "IGMedia":
            return {"owner": {"id": account["id"]}, "username": account.get("username"),
                    "comments_count": len(self.store.listing(item["id"])),
                    "permalink": f"https://www.instagram.com/p/{item['id'][-8:]}/"}.get(name, item.get(name))
        if name in ("username", "from") and self.store.author_hidden(item):
            return None
        if name == "id" and self.store.ids_hidden:
            return None
        if name == "from":
            return {"id": item.get("user_id"), "username": item.get("username")}
        if name == "media":
            return {"id": item["media_id"]}
        if name == "hidden":
            return bool(item.get("hidden"))
        if name == "like_count":
            return int(item.get("like_count") or 0)
        return item.get(name)


def _user_id(username: str) -> str:
    """A stable Instagram-scoped id for a username the test adds."""
    return str(int(hashlib.sha256(username.encode()).hexdigest()[:13], 16))


def _format(spec: FieldSpec) -> str:
    text = spec.name + "".join(f".{k}({v})" for k, v in spec.modifiers.items())
    return text + ("{" + ",".join(_format(c) for c in spec.children) + "}" if spec.children is not None else "")


def _check(node: str, specs: tuple[FieldSpec, ...] | None) -> None:
    known = COMMENT_FIELDS if node == "IGComment" else MEDIA_FIELDS
    for spec in specs or ():
        if spec.name not in known:
            raise graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({spec.name}) on node type "
                                        f"({node})")
        if spec.children is not None and spec.name in ("comments", "replies"):
            _check("IGComment", spec.children)


def _parse(text: str) -> tuple[FieldSpec, ...] | None:
    try:
        return parse_fields(text) or None
    except FieldsSyntaxError as error:
        raise graph_error(400, 2500, str(error)) from None


def _limit(raw: str | None) -> int:
    try:
        limit = int(raw or DEFAULT_LIMIT)
    except ValueError:
        raise graph_error(400, 100, f"(#100) Param limit must be a number, got ({raw})") from None
    if not 0 <= limit <= MAX_LIMIT:
        raise graph_error(400, 100, f"(#100) The 'limit' parameter should be between 0 and {MAX_LIMIT}")
    return limit
