"""The data behind the local Graph API stand-in: the dataset, its mutations, edge listings and field rendering."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sources.standin.faults import UNSUPPORTED_GET, graph_error
from sources.standin.fields import FieldSpec

Item = dict[str, Any]
EdgeRenderer = Callable[[str, str, str, FieldSpec], dict[str, Any] | None]

NODE_FIELDS: dict[str, frozenset[str]] = {
    "Comment": frozenset({
        "id", "message", "created_time", "from", "like_count", "comment_count", "parent", "message_tags",
        "attachment", "can_comment", "can_remove", "can_hide", "can_like", "can_reply_privately", "is_hidden",
        "is_private", "user_likes", "permalink_url", "object", "admin_creator", "application",
        "live_broadcast_timestamp", "private_reply_conversation", "comments", "reactions"}),
    "PagePost": frozenset({
        "id", "message", "created_time", "updated_time", "permalink_url", "is_published", "is_hidden",
        "status_type", "story", "from", "full_picture", "comments", "reactions"}),
    "Page": frozenset({"id", "name", "link", "category", "fan_count", "followers_count", "about",
                       "posts", "published_posts", "feed"}),
    "User": frozenset({"id", "name", "first_name", "last_name"}),
    "StoryAttachment": frozenset({"description", "media", "media_type", "target", "title", "type", "url",
                                  "unshimmed_url"}),
    "EntityAtTextRange": frozenset({"id", "name", "type", "offset", "length"}),
    "Reaction": frozenset({"id", "name", "type"}),
}
DEFAULT_FIELDS = {
    "Comment": ("created_time", "from", "message", "id"),
    "PagePost": ("created_time", "message", "story", "id"),
    "Page": ("name", "id"),
    "User": ("name", "id"),
}
PARENT_DEFAULT = ("id", "message", "from", "created_time")
# The node type of a field's `{...}` block.
SUB_NODE = {"from": "User", "parent": "Comment", "attachment": "StoryAttachment",
            "message_tags": "EntityAtTextRange", "comments": "Comment", "reactions": "Reaction",
            "posts": "PagePost", "published_posts": "PagePost", "feed": "PagePost"}
EDGES = {"Comment": {"comments"}, "PagePost": {"comments"}, "Page": {"posts", "published_posts", "feed"},
         "User": set()}


def check_fields(node: str, specs: tuple[FieldSpec, ...] | None) -> None:
    """Fail like the Graph API (400, code 100) on the first field the node type does not have."""
    for spec in specs or ():
        if spec.name not in NODE_FIELDS[node]:
            raise graph_error(400, 100, f"(#100) Tried accessing nonexisting field ({spec.name}) on node type ({node})")
        if spec.children is not None and spec.name in SUB_NODE:
            check_fields(SUB_NODE[spec.name], spec.children)


def epoch(timestamp: str) -> float:
    """Seconds since 1970 of a Graph API `YYYY-MM-DDTHH:MM:SS+0000` timestamp."""
    return dt.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S%z").timestamp()


def time_param(name: str, value: str) -> float:
    """A `since`/`until` value as Unix seconds. The Graph API takes Unix time or a strtotime() string; the stand-in
    takes Unix time and ISO 8601 dates and times (`2014-06-01`, `2014-06-01T10:00:00+0000`, `…Z`, no zone = UTC)
    and answers anything else with 400/100 (never a dropped connection)."""
    text = value.strip()
    if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        return float(text)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise graph_error(400, 100, f"(#100) The parameter {name} must be a Unix timestamp or a date and time, "
                                    f"got ({value})") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+0000\Z")


def _since(items: list[Item], bound: float, inclusive: bool) -> list[Item]:
    """The items created after `bound` (Unix seconds; at it too when `inclusive`). Times in the Graph API's UTC
    spelling compare as text (parsing every comment's time made a `since` listing of a large post slow)."""
    text = dt.datetime.fromtimestamp(bound, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000") if bound.is_integer() else None

    def keep(t: str) -> bool:
        if text is not None and _UTC_TIME.match(t):
            return t > text or (inclusive and t == text)
        seconds = epoch(t)
        return seconds > bound or (inclusive and seconds == bound)

    return [c for c in items if keep(c["created_time"])]


def _ranked(item: Item) -> tuple[str, ...]:
    return (hashlib.sha1(item["id"].encode()).hexdigest()[:16], item["id"])


def _chronological(item: Item) -> tuple[str, ...]:
    return (item["created_time"], item["id"])


@dataclass(frozen=True)
class Listing:
    """The items of an edge in served order, how to key them for cursors, and the summary count."""

    items: list[Item]
    keys: list[tuple[str, ...]]
    descending: bool
    total_count: int
    order: str


@dataclass
class View:
    """Who is reading, which changes what they see."""

    token_kind: str = "page"
    user_token_mode: str = "no_from"
    omit_from_authors: frozenset[str] = frozenset()
    omit_comment_ids: bool = False

    @property
    def hides_ids(self) -> bool:
        """Comment ids are hidden from tokens that cannot do the MODERATE task on the Page."""
        return (self.omit_comment_ids or self.token_kind == "page_no_moderate"
                or (self.token_kind == "user" and self.user_token_mode == "no_id"))

    @property
    def hides_authors(self) -> bool:
        """Citizens' `from` is hidden from User tokens and from tokens without the MODERATE task."""
        return self.token_kind in ("user", "page_no_moderate")


class Store:
    """The dataset (posts, comments and replies) the stand-in serves, with the mutations tests need."""

    def __init__(self, dataset: dict[str, Any]) -> None:
        data = copy.deepcopy(dataset)
        self.page: Item = data.get("page") or {"id": "100000000000001", "name": "Test Page"}
        self.posts: dict[str, Item] = {p["id"]: p for p in data.get("posts", [])}
        self.comments: dict[str, Item] = {c["id"]: c for c in data.get("comments", [])}
        self.deleted: set[str] = set()
        self.lock = threading.RLock()
        self._by_post: dict[str, list[str]] = defaultdict(list)
        self._children: dict[str, list[str]] = defaultdict(list)
        self._listings: dict[tuple[Any, ...], Listing] = {}  # emptied by every mutation
        for comment in self.comments.values():
            self._index(comment)
        self._next_number = 1 + max((int(c.split("_")[-1]) for c in self.comments if c.split("_")[-1].isdigit()),
                                    default=10**15)

    # -- lookups ---------------------------------------------------------------------------------------------
    def node(self, object_id: str) -> tuple[str, Item]:
        """The node type and object of an id; 100/33 when it does not exist (or was deleted)."""
        if object_id == self.page["id"]:
            return "Page", self.page
        if object_id in self.deleted or (object_id not in self.posts and object_id not in self.comments):
            raise graph_error(400, 100, UNSUPPORTED_GET.format(id=object_id), subcode=33,
                              type_="GraphMethodException")
        if object_id in self.posts:
            return "PagePost", self.posts[object_id]
        return "Comment", self.comments[object_id]

    def me(self, token_kind: str, token: str) -> tuple[str, Item]:
        """What `/me` is for a token: the Page for a Page token, else a user of its own."""
        if token_kind.startswith("page"):
            return "Page", self.page
        number = int(hashlib.sha1(token.encode()).hexdigest()[:8], 16)
        return "User", {"id": str(10**14 + number), "name": "Test Bruger"}

    def _index(self, comment: Item) -> None:
        self._by_post[comment["post_id"]].append(comment["id"])
        if comment.get("parent_id"):
            self._children[comment["parent_id"]].append(comment["id"])

    def post_comments(self, post_id: str) -> list[Item]:
        """The live comments and replies of a post."""
        return [self.comments[i] for i in self._by_post.get(post_id, ()) if i not in self.deleted]

    def replies(self, comment_id: str) -> list[Item]:
        """The live direct replies of a comment."""
        return [self.comments[i] for i in self._children.get(comment_id, ()) if i not in self.deleted]

    def _descendants(self, comment_id: str) -> list[Item]:
        found, frontier = [], [comment_id]
        while frontier:
            children = [c for parent in frontier for c in self.replies(parent)]
            found += children
            frontier = [c["id"] for c in children]
        return found

    # -- mutations -------------------------------------------------------------------------------------------
    def delete_comment(self, comment_id: str) -> list[str]:
        """Delete a comment and, as Facebook does, every reply under it; return the deleted ids."""
        with self.lock:
            gone = [comment_id] + [c["id"] for c in self._descendants(comment_id)]
            self.deleted.update(gone)
            self._listings.clear()
            return gone

    def delete_post(self, post_id: str) -> None:
        """Delete a post and its comments."""
        with self.lock:
            self.deleted.add(post_id)
            self.deleted.update(self._by_post.get(post_id, ()))
            self._listings.clear()

    def edit_comment(self, comment_id: str, message: str) -> None:
        """Change a comment's message in place (Facebook keeps no edit timestamp)."""
        with self.lock:
            self.comments[comment_id]["message"] = message

    def add_comment(self, post_id: str, message: str | None = None, *, parent_id: str | None = None,
                    author: dict[str, str] | None = None, created_time: str | None = None, **extra: Any) -> str:
        """Add a comment (or a reply when `parent_id` is set); return its id, keyed to the post."""
        with self.lock:
            if created_time is None:
                latest = max([self.comments[i]["created_time"] for i in self._by_post.get(post_id, ())]
                             + [self.posts[post_id]["created_time"]])
                created_time = (dt.datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S%z") + dt.timedelta(minutes=1)
                                ).strftime("%Y-%m-%dT%H:%M:%S+0000")
            comment_id = f"{post_id.split('_')[-1]}_{self._next_number}"
            self._next_number += 1
            comment: Item = {"id": comment_id, "post_id": post_id, "parent_id": parent_id,
                             "created_time": created_time, "like_count": 0, "is_hidden": False, **extra}
            if message is not None:
                comment["message"] = message
            if author is not None:
                comment["from"] = author
            self.comments[comment_id] = comment
            self._index(comment)
            self._listings.clear()
            return comment_id

    # -- edges -----------------------------------------------------------------------------------------------
    def comment_listing(self, node: str, item: Item, params: dict[str, str], since_inclusive: bool) -> Listing:
        """Comments on a post (`filter` toplevel|stream) or replies to a comment, in the requested order."""
        cache_key = (item["id"], params.get("filter"), params.get("order"), params.get("since"), since_inclusive)
        if cache_key not in self._listings:
            self._listings[cache_key] = self._comment_listing(node, item, params, since_inclusive)
        return self._listings[cache_key]

    def _comment_listing(self, node: str, item: Item, params: dict[str, str], since_inclusive: bool) -> Listing:
        stream = params.get("filter", "toplevel") == "stream"
        if node == "PagePost":
            everything = self.post_comments(item["id"])
            items = everything if stream else [c for c in everything if not c.get("parent_id")]
        else:
            items = self._descendants(item["id"]) if stream else self.replies(item["id"])
        total = len(items)
        if "since" in params:
            items = _since(items, time_param("since", params["since"]), since_inclusive)
        order = params.get("order", "ranked")
        key = _ranked if order not in ("chronological", "reverse_chronological") else _chronological
        descending = order == "reverse_chronological"
        items.sort(key=key, reverse=descending)
        return Listing(items, [key(c) for c in items], descending, total, order)

    def post_listing(self, edge: str, params: dict[str, str], time_field: str) -> Listing:
        """The Page's posts, newest first; `/feed` also has visitors' posts."""
        items = [p for p in self.posts.values() if p["id"] not in self.deleted]
        if edge != "feed":
            items = [p for p in items if not p.get("is_visitor_post")]
        for param, keep in (("since", lambda t, b: t >= b), ("until", lambda t, b: t <= b)):
            if param in params:
                bound = time_param(param, params[param])
                items = [p for p in items if keep(epoch(p.get(time_field) or p["created_time"]), bound)]
        items.sort(key=_chronological, reverse=True)
        return Listing(items, [_chronological(p) for p in items], True, len(items), "reverse_chronological")

    # -- rendering -------------------------------------------------------------------------------------------
    def render(self, node: str, item: Item, specs: tuple[FieldSpec, ...] | None, view: View,
               edge: EdgeRenderer) -> Item:
        """An object as the Graph API returns it: the requested (or default) fields, absent values left out."""
        specs = specs or tuple(FieldSpec(name) for name in DEFAULT_FIELDS[node])
        hide_id = node == "Comment" and view.hides_ids
        out: Item = {}
        for spec in specs:
            if hide_id and spec.name == "id":
                continue
            if spec.name in EDGES.get(node, ()) or spec.name == "reactions":
                value = self._edge_value(item, spec, edge, node)
            else:
                value = self._value(node, item, spec, view, edge)
            if value is not None:
                out[spec.name] = value
        if not hide_id:
            out.setdefault("id", item["id"])
        return out

    def _edge_value(self, item: Item, spec: FieldSpec, edge: EdgeRenderer, node: str) -> Item | None:
        if spec.name == "reactions":  # every kind of reaction; `like_count` counts Like only
            total = int(item.get("reaction_count", item.get("like_count", 0)))
            body: Item = {"data": []}  # who reacted is not in the dataset: as with `.limit(0)`
            if (spec.modifiers.get("summary") or "").lower() in ("true", "1", "total_count"):
                body["summary"] = {"total_count": total, "viewer_reaction": "NONE"}
            return body
        return edge(node, item["id"], spec.name, spec)

    def _value(self, node: str, item: Item, spec: FieldSpec, view: View, edge: EdgeRenderer) -> Any:
        if node == "Comment":
            value = self._comment_value(item, spec, view, edge)
        elif node == "PagePost":
            value = self._post_value(item, spec.name)
        elif node == "Page":
            value = self._page_value(spec.name)
        else:
            value = item.get(spec.name)
        if isinstance(value, dict) and spec.children is not None and spec.name != "parent":
            value = {k: v for k, v in value.items() if k in {c.name for c in spec.children}}
        if isinstance(value, list) and spec.children is not None:
            value = [{k: v for k, v in x.items() if k in {c.name for c in spec.children}} for x in value]
        return value

    def _comment_value(self, c: Item, spec: FieldSpec, view: View, edge: EdgeRenderer) -> Any:
        name, page_authored = spec.name, (c.get("from") or {}).get("id") == self.page["id"]
        if name == "from":
            hidden = view.hides_authors or (c.get("from") or {}).get("id") in view.omit_from_authors
            return None if hidden and not page_authored else c.get("from")
        if name == "parent":
            parent = self.comments.get(c.get("parent_id") or "")
            sub = spec.children or tuple(FieldSpec(n) for n in PARENT_DEFAULT)
            return self.render("Comment", parent, sub, view, edge) if parent else None
        if name == "comment_count":
            return len(self.replies(c["id"]))
        if name == "permalink_url":
            base = f"https://www.facebook.com/{self.page['id']}/posts/{c['post_id'].split('_')[-1]}"
            reply = f"&reply_comment_id={c['id'].split('_')[-1]}" if c.get("parent_id") else ""
            return f"{base}?comment_id={(c.get('parent_id') or c['id']).split('_')[-1]}{reply}"
        computed = {"like_count": int(c.get("like_count", 0)), "is_hidden": bool(c.get("is_hidden", False)),
                    "can_comment": True, "can_remove": True, "can_like": True, "can_hide": not page_authored,
                    "can_reply_privately": not page_authored and not c.get("parent_id"),
                    "is_private": False, "user_likes": False}
        return computed[name] if name in computed else c.get(name)

    def _post_value(self, p: Item, name: str) -> Any:
        computed = {"updated_time": p.get("updated_time") or p["created_time"], "is_published": True,
                    "is_hidden": bool(p.get("is_hidden", False)), "status_type": "mobile_status_update",
                    "from": p.get("from") or {"name": self.page.get("name"), "id": self.page["id"]}}
        return computed[name] if name in computed else p.get(name)

    def _page_value(self, name: str) -> Any:
        computed = {"link": f"https://www.facebook.com/{self.page['id']}", "category": "Government organization"}
        return computed[name] if name in computed else self.page.get(name)

