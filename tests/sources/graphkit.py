"""Test kit for the sources tests: datasets of any shape and a sleep that moves the virtual clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from sources.standin.faults import VirtualClock

PAGE_ID = "100000000000001"
POST_OBJ = "200000000000002"
POST_ID = f"{PAGE_ID}_{POST_OBJ}"
PAGE = {"id": PAGE_ID, "name": "Silkeborg Kommune"}
START = dt.datetime(2014, 5, 2, 9, 0, tzinfo=dt.UTC)
MESSAGES = ["Cykelsti langs åen, tak! 🚲", "Mere grønt 🌳 og bænke", "Hvad med en legeplads?",
            "Lys på stien om vinteren 👨‍👩‍👧", "Enig!\nGod idé", "Skøjtebane på taget ❄️"]


def _time(minutes: int) -> str:
    return (START + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _comment(number: int, post_obj: str, post_id: str, parent: str | None, minutes: int) -> dict[str, Any]:
    comment: dict[str, Any] = {
        "id": f"{post_obj}_{10**15 + number}", "post_id": post_id, "parent_id": parent,
        "created_time": _time(minutes), "like_count": number % 4, "is_hidden": number % 13 == 0,
        "message": f"{MESSAGES[number % len(MESSAGES)]} #{number}",
    }
    if number % 7 != 3:
        comment["from"] = {"id": str(500000 + number % 17), "name": f"Borger Ærø {number % 17}"}
    if number % 5 == 4:
        comment["message"] = f"Kristian Østergård {comment['message']}"
        comment["message_tags"] = [{"id": "700001", "name": "Kristian Østergård", "type": "user",
                                    "offset": 0, "length": 18}]
    if number % 11 == 10:
        del comment["message"]
        comment["attachment"] = {"type": "sticker", "url": "https://www.facebook.com/sticker/1",
                                 "media": {"image": {"src": "https://scontent.example/1.png", "width": 240,
                                                     "height": 240}}, "target": {"id": "1", "url": "x"}}
    return comment


def make_dataset(tree: list[int] | int = 3, *, depth: int = 1, post_obj: str = POST_OBJ,
                 extra_posts: int = 0) -> dict[str, Any]:
    """A dataset with one post whose top-level comments have `tree[i]` replies each (an int: that many
    top-level comments, no replies). `depth` > 1 chains replies to replies. Times interleave across threads."""
    counts = [0] * tree if isinstance(tree, int) else list(tree)
    post_id = f"{PAGE_ID}_{post_obj}"
    posts = [{"id": post_id, "created_time": _time(0), "message": "Hvad skal overdækningen bruges til?",
              "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{post_obj}", "consultation": "test"}]
    posts += [{"id": f"{PAGE_ID}_{300 + i}", "created_time": _time(-60 * (i + 1)), "message": f"Opslag {i}"}
              for i in range(extra_posts)]
    comments: list[dict[str, Any]] = []
    for top, n_replies in enumerate(counts):
        parent = _comment(len(comments), post_obj, post_id, None, 10 * top + 1)
        comments.append(parent)
        for r in range(n_replies):
            reply = _comment(len(comments), post_obj, post_id, parent["id"], 10 * top + 5 + 7 * r)
            comments.append(reply)
            if depth > 1:
                parent = reply
    return {"page": dict(PAGE), "posts": posts, "comments": comments}


class Sleeper:
    """A `sleep` for GraphClient that records each wait and moves the stand-in's virtual clock instead."""

    def __init__(self, clock: VirtualClock | None = None) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.clock is not None:
            self.clock.advance(seconds)


def live_ids(data: dict[str, Any]) -> set[str]:
    """Every comment id of a dataset."""
    return {c["id"] for c in data["comments"]}


def get(url: str, path: str, token: str | None = "standin-page-token", *, bearer: bool = False,
        **params: object) -> requests.Response:
    """A raw GET to the stand-in with the token in the query (or in an Authorization header)."""
    headers = {"Authorization": f"Bearer {token}"} if bearer and token else {}
    if token and not bearer:
        params = {"access_token": token, **params}
    return requests.get(url + path, params=params, headers=headers, timeout=5)


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The dataset's comments keyed by id."""
    return {c["id"]: c for c in data["comments"]}
