"""Instagram comments through the Graph API client and the stand-in's Instagram mode, over real HTTP on loopback:
documented fields, replies (expanded, and through `/replies` past one page), cursor paging, the same fault handling
as Facebook (retries, token errors in one line, a paging link to another host), and a deleted media."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest

from sources.errors import TokenError, UntrustedNextURL
from sources.facebook.client import FacebookReader
from sources.graph import GraphClient
from sources.instagram.client import COMMENT_FIELDS, InstagramReader
from sources.standin import DEFAULT_TOKEN, GraphStandIn, load_dataset
from sources.standin.faults import RETRYABLE_FAULTS, Scenario
from sources.standin.instagram import load_instagram

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
MEDIA = "17912345678901234"
ACCOUNT = "17841401234567890"


class Sleeper:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _instagram() -> dict[str, Any]:
    return load_instagram(SAMPLE / "instagram.json")


def _expected(data: dict[str, Any]) -> dict[str, str | None]:
    """comment id -> parent id, from the dataset."""
    out: dict[str, str | None] = {}
    for media in data["media"]:
        for c in media["comments"]:
            out[c["id"]] = None
            out.update({r["id"]: c["id"] for r in c.get("replies") or []})
    return out


def _serve(instagram: dict[str, Any] | None = None, **kwargs: Any) -> GraphStandIn:
    return GraphStandIn(load_dataset(SAMPLE / "facebook.json"), instagram=instagram or _instagram(), **kwargs)


def test_every_comment_and_reply_with_its_parent_and_the_documented_fields() -> None:
    data = _instagram()
    with _serve(data) as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=4) as client:
        scan = InstagramReader(client).fetch_media_comments(MEDIA)
    assert scan.complete and not scan.media_deleted and scan.owner_id == ACCOUNT
    assert scan.owner_username == data["account"]["username"]  # passed on: a second sign of the account's replies
    assert {c["id"]: c.get("parent_id") for c in scan.comments} == _expected(data)
    assert scan.pages == 4  # 14 top-level comments, 4 a page
    first = next(c for c in scan.comments if c["id"] == "18000000000000001")
    assert first["username"] == "mette.holm_" and first["like_count"] == 14 and first["hidden"] is False
    assert first["from"]["username"] == "mette.holm_" and first["timestamp"] == "2014-05-03T08:00:00+0000"
    assert "replies" not in first  # replies are items of their own
    comments = [r for r in standin.requests if r.path.endswith(f"/{MEDIA}/comments")]
    assert comments[0].param("fields") == f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"
    assert [r.path for r in standin.requests][0] == f"/v25.0/{MEDIA}"
    assert all(r.path.startswith("/v25.0/") for r in standin.requests)
    # later pages follow `next` verbatim: the token is in it, and the query is not repeated
    assert len(comments) == 4 and all(len(r.values("fields")) == 1 and len(r.values("limit")) == 1
                                      for r in comments)
    assert not comments[0].param("access_token") and all(r.param("access_token") for r in comments[1:])


def test_replies_past_the_expanded_page_are_read_from_the_replies_edge() -> None:
    data = _instagram()
    thread = data["media"][0]["comments"][0]
    thread["replies"] = [
        {"id": str(18_500_000_000_000_000 + i), "text": f"Svar nummer {i}: flere bænke", "username": f"borger{i}",
         "user_id": str(17_900_000_000_000_000 + i), "timestamp": f"2014-05-04T10:{i:02d}:00+0000",
         "like_count": i, "hidden": False}
        for i in range(30)  # the expansion shows 25 (the Graph API's default limit)
    ]
    with _serve(data) as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=10) as client:
        scan = InstagramReader(client).fetch_media_comments(MEDIA)
    replies = [c for c in scan.comments if c.get("parent_id") == thread["id"]]
    assert len(replies) == 30 and len({c["id"] for c in scan.comments}) == len(scan.comments)
    edge = [r for r in standin.requests if r.path == f"/v25.0/{thread['id']}/replies"]
    assert len(edge) == 3 and edge[0].param("fields") == COMMENT_FIELDS  # 30 replies, 10 a page


@pytest.mark.parametrize("fault", sorted(RETRYABLE_FAULTS))
def test_a_retryable_fault_is_survived_as_on_facebook(fault: str, caplog: pytest.LogCaptureFixture) -> None:
    data = _instagram()
    with _serve(data, scenario=Scenario(slow_seconds=1.0)) as standin:
        standin.inject(3, fault)  # the second page of comments
        sleeper = Sleeper()
        with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=5, sleep=sleeper, timeout=0.5) as client, \
                caplog.at_level(logging.DEBUG):
            scan = InstagramReader(client).fetch_media_comments(MEDIA)
    assert scan.complete and {c["id"] for c in scan.comments} == set(_expected(data))
    assert len(sleeper.waits) == 1 and standin.requests[3].path == standin.requests[2].path
    assert DEFAULT_TOKEN not in caplog.text


def test_a_bad_token_fails_at_once_in_one_line_without_the_token() -> None:
    with _serve(tokens={"other": "page"}) as standin, GraphClient(standin.url, "v25.0", "not-a-token") as client:
        with pytest.raises(TokenError) as error:
            InstagramReader(client).fetch_media_comments(MEDIA)
    assert len(standin.requests) == 1 and "\n" not in str(error.value) and "not-a-token" not in str(error.value)


def test_a_paging_link_to_another_host_is_not_followed() -> None:
    with _serve(scenario=Scenario(next_base="http://198.51.100.7:8080")) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=5) as client:
        with pytest.raises(UntrustedNextURL, match="198.51.100.7"):
            InstagramReader(client).fetch_media_comments(MEDIA)
    assert len(standin.requests) == 2  # the media and the first page of comments: `next` was never requested


def test_a_deleted_media_is_an_empty_complete_scan_and_a_deleted_comment_goes() -> None:
    with _serve() as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN) as client:
        reader = InstagramReader(client)
        standin.instagram.store.delete_comment("18000000000000001")  # and with it its two replies
        ids = {c["id"] for c in reader.fetch_media_comments(MEDIA).comments}
        standin.instagram.store.delete_media(MEDIA)
        gone = reader.fetch_media_comments(MEDIA)
    assert "18000000000000001" not in ids and "18000000000000002" not in ids and len(ids) == 15
    assert gone.media_deleted and gone.complete and gone.comments == []


def test_the_standin_refuses_an_unknown_field_as_the_graph_api_does() -> None:
    with _serve() as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN) as client:
        with pytest.raises(Exception, match=r"nonexisting field \(message\)"):
            next(client.iter_pages(f"{MEDIA}/comments", {"fields": "id,message"}))
        body = next(client.iter_pages(f"{MEDIA}/comments", {"limit": "2"}))
    assert set(body["data"][0]) == {"id", "text", "timestamp"} and "next" in body["paging"]


def test_the_facebook_routes_are_unchanged_beside_the_instagram_mode() -> None:
    data = copy.deepcopy(load_dataset(SAMPLE / "facebook.json"))
    post = data["posts"][2]["id"]
    with GraphStandIn(data, instagram=_instagram()) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN) as client:
        scan = FacebookReader(client).fetch_comments(post)
    assert scan.complete and len(scan.comments) == sum(1 for c in data["comments"] if c["post_id"] == post)
