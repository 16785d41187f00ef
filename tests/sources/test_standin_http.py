"""The stand-in over real HTTP: routing, versions, headers, tokens, fields and object shapes."""

from __future__ import annotations

import pytest
import requests
from graphkit import PAGE_ID, POST_ID, POST_OBJ, START, by_id, get, make_dataset

from sources.standin import DEFAULT_TOKEN, load_dataset
from sources.standin.faults import Scenario


@pytest.mark.parametrize("prefix", ["/v25.0", "/v19.0", ""])
def test_versioned_and_unversioned_paths(serve, prefix: str) -> None:
    standin = serve()
    assert get(standin.url, f"{prefix}/{POST_ID}").json()["id"] == POST_ID
    assert get(standin.url, f"{prefix}/{POST_ID}/comments").status_code == 200


def test_every_response_has_graph_headers(serve) -> None:
    standin = serve()
    for response in (get(standin.url, f"/v24.0/{POST_ID}"), get(standin.url, "/v24.0/nope")):
        assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
        assert response.headers["facebook-api-version"] == "v24.0"
        for name in ("x-fb-trace-id", "x-fb-rev", "X-FB-Debug"):
            assert response.headers[name]


def test_upgraded_version_shows_in_header(serve) -> None:
    standin = serve(scenario=Scenario(served_version="v25.0"))
    assert get(standin.url, f"/v19.0/{POST_ID}").headers["facebook-api-version"] == "v25.0"


def test_unversioned_requests_are_served_by_the_default_version(serve) -> None:
    assert get(serve().url, f"/{POST_ID}").headers["facebook-api-version"] == "v25.0"


def test_token_from_bearer_header(serve) -> None:
    standin = serve()
    assert get(standin.url, f"/v25.0/{POST_ID}", bearer=True).status_code == 200
    assert standin.requests[-1].bearer and "Authorization" not in standin.requests[-1].headers


def test_missing_token_is_104(serve) -> None:
    response = get(serve().url, f"/v25.0/{POST_ID}", token=None)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["type"]) == (104, "OAuthException")
    assert error["message"] == "An access token is required to request this resource."
    assert error["fbtrace_id"] == response.headers["x-fb-trace-id"]


@pytest.mark.parametrize(("kind", "subcode", "words"), [
    ("expired", 463, "Session has expired on"),
    ("invalid", 467, "logged out"),
    ("lost_role", 492, "role on the Page"),
    ("password_changed", 460, "password"),
    ("unknown", None, "Invalid OAuth access token"),
])
def test_bad_tokens_are_190(serve, kind: str, subcode: int | None, words: str) -> None:
    standin = serve(tokens={DEFAULT_TOKEN: "page", "bad": kind} if kind != "unknown" else None)
    response = get(standin.url, f"/v25.0/{POST_ID}/comments", token="bad")
    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == 190 and error.get("error_subcode") == subcode and words in error["message"]


def test_user_token_sees_comments_without_from(serve) -> None:
    standin = serve(tokens={"user": "user"})
    data = get(standin.url, f"/v25.0/{POST_ID}/comments", token="user", filter="stream").json()["data"]
    assert data and all("from" not in c or c["from"]["id"] == PAGE_ID for c in data)


def test_user_token_can_see_empty_data(serve) -> None:
    standin = serve(tokens={"user": "user"}, scenario=Scenario(user_token_mode="empty"))
    assert get(standin.url, f"/v25.0/{POST_ID}/comments", token="user").json() == {"data": []}


def test_omit_from_for_some_authors(serve) -> None:
    data = make_dataset(6)
    author = data["comments"][0]["from"]["id"]
    standin = serve(data, scenario=Scenario(omit_from_authors=frozenset({author})))
    items = get(standin.url, f"/v25.0/{POST_ID}/comments", limit=100).json()["data"]
    assert all("from" not in c for c in items if c["id"] == data["comments"][0]["id"])
    assert any("from" in c for c in items)


def test_default_fields_of_comment_and_post(serve) -> None:
    data = make_dataset([1])
    standin = serve(data)
    reply = data["comments"][1]
    assert set(get(standin.url, f"/v25.0/{reply['id']}").json()) == {"created_time", "from", "message", "id"}
    assert set(get(standin.url, f"/v25.0/{POST_ID}").json()) == {"created_time", "message", "id"}


def test_unknown_field_fails_the_whole_call(serve) -> None:
    standin = serve()
    response = get(standin.url, f"/v25.0/{POST_ID}/comments", fields="id,messages")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 100 and error["type"] == "OAuthException"
    assert error["message"] == "(#100) Tried accessing nonexisting field (messages) on node type (Comment)"
    nested = get(standin.url, f"/v25.0/{POST_ID}", fields="comments{from{id,email}}").json()["error"]
    assert nested["message"] == "(#100) Tried accessing nonexisting field (email) on node type (User)"
    post = get(standin.url, f"/v25.0/{POST_ID}", fields="nope").json()["error"]
    assert post["message"].endswith("on node type (PagePost)")


def test_percent_encoded_fields_with_nested_blocks(serve) -> None:
    standin = serve(make_dataset([0, 3]))
    raw = "comments.limit%281%29.summary%28true%29%7Bmessage%2Cparent%7D"
    response = get(standin.url, f"/v25.0/{POST_ID}?fields={raw}")
    body = response.json()["comments"]
    assert len(body["data"]) == 1 and body["summary"]["total_count"] == 2
    assert body["paging"]["next"].startswith(f"{standin.url}/v25.0/{POST_ID}/comments?")


def test_nested_comments_key_left_out_when_empty(serve) -> None:
    standin = serve(make_dataset(0))
    assert "comments" not in get(standin.url, f"/v25.0/{POST_ID}", fields="id,comments").json()
    with_summary = get(standin.url, f"/v25.0/{POST_ID}", fields="comments.summary(true).limit(0)").json()
    assert with_summary["comments"] == {"data": [], "summary": {"order": "ranked", "total_count": 0,
                                                                 "can_comment": True}}


def test_parent_is_an_object_and_top_level_has_none(serve) -> None:
    data = make_dataset([1])
    top, reply = data["comments"]
    standin = serve(data)
    items = {c["id"]: c for c in get(standin.url, f"/v25.0/{POST_ID}/comments", filter="stream",
                                     fields="id,parent").json()["data"]}
    assert "parent" not in items[top["id"]]
    parent = items[reply["id"]]["parent"]
    assert parent["id"] == top["id"] and {"message", "created_time"} <= set(parent)
    only_id = get(standin.url, f"/v25.0/{reply['id']}", fields="parent{id}").json()["parent"]
    assert only_id == {"id": top["id"]}


def test_comment_shapes_pass_through(serve) -> None:
    data = make_dataset(14)
    standin = serve(data)
    fields = "id,message,from,message_tags,attachment,is_hidden,like_count,comment_count"
    items = get(standin.url, f"/v25.0/{POST_ID}/comments", fields=fields, limit=100).json()["data"]
    source = by_id(data)
    tagged = [c for c in items if "message_tags" in c]
    assert tagged and all(c["message_tags"] == source[c["id"]]["message_tags"] for c in tagged)
    stickers = [c for c in items if "attachment" in c]
    assert stickers and all("message" not in c for c in stickers)
    assert any(c["is_hidden"] is True for c in items)
    assert all(c["id"].startswith(f"{POST_OBJ}_") for c in items)
    assert all(isinstance(c["like_count"], int) and c["comment_count"] == 0 for c in items)


def test_comment_count_is_derived(serve) -> None:
    data = make_dataset([3, 0])
    standin = serve(data)
    counts = {c["id"]: c["comment_count"] for c in get(
        standin.url, f"/v25.0/{POST_ID}/comments", fields="id,comment_count").json()["data"]}
    assert counts == {data["comments"][0]["id"]: 3, data["comments"][4]["id"]: 0}


@pytest.mark.parametrize(("path", "code"), [("/v25.0/999_999", 100), (f"/v25.0/{POST_ID}/likes", 100),
                                            (f"/v25.0/{POST_ID}/comments/x", 2500)])
def test_unknown_objects_and_paths(serve, path: str, code: int) -> None:
    response = get(serve().url, path)
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_limit_above_100_is_rejected(serve) -> None:
    error = get(serve().url, f"/v25.0/{POST_ID}/comments", limit=101).json()["error"]
    assert error["code"] == 100 and error["message"] == "(#100) The 'limit' parameter should not exceed 100"


def test_page_post_edges(serve) -> None:
    data = make_dataset(1, extra_posts=3)
    data["posts"][1]["is_visitor_post"] = True
    standin = serve(data)
    feed = [p["id"] for p in get(standin.url, f"/v25.0/{PAGE_ID}/feed").json()["data"]]
    posts = [p["id"] for p in get(standin.url, f"/v25.0/{PAGE_ID}/posts").json()["data"]]
    published = [p["id"] for p in get(standin.url, f"/v25.0/{PAGE_ID}/published_posts").json()["data"]]
    assert len(feed) == 4 and posts == published == [p for p in feed if p != data["posts"][1]["id"]]
    assert feed[0] == POST_ID  # newest first


def test_load_dataset_reads_json(tmp_path) -> None:
    path = tmp_path / "facebook.json"
    path.write_text('{"page": {"id": "1", "name": "Æbeltoft"}, "posts": [], "comments": []}', encoding="utf-8")
    assert load_dataset(path)["page"]["name"] == "Æbeltoft"


def test_requests_are_recorded_without_authorization(serve) -> None:
    standin = serve()
    get(standin.url, f"/v25.0/{POST_ID}/comments", bearer=True, limit=3, fields="id")
    recorded = standin.requests[-1]
    assert (recorded.method, recorded.path) == ("GET", f"/v25.0/{POST_ID}/comments")
    assert recorded.query == [("limit", "3"), ("fields", "id")]
    assert all(k.lower() != "authorization" for k in recorded.headers)


def test_posts_since_and_until(serve) -> None:
    standin = serve(make_dataset(1, extra_posts=3))
    newest = int(START.timestamp())
    ids = [p["id"] for p in get(standin.url, f"/v25.0/{PAGE_ID}/posts", since=newest - 2 * 3600,
                                until=newest - 3600).json()["data"]]
    assert ids == [f"{PAGE_ID}_300", f"{PAGE_ID}_301"]


def test_reactions_and_comments_summary_probe(serve) -> None:
    standin = serve(make_dataset([1, 0]))
    body = get(standin.url, f"/v25.0/{POST_ID}",
               fields="reactions.summary(true).limit(0),comments.summary(true).limit(0)").json()
    assert body["comments"] == {"data": [], "summary": {"order": "ranked", "total_count": 2, "can_comment": True}}
    assert body["reactions"]["data"] == [] and body["id"] == POST_ID


def test_post_with_comments_expanded_and_nested_next(serve) -> None:
    standin = serve(make_dataset(4))
    body = get(standin.url, f"/v25.0/{POST_ID}", fields="id,comments.limit(2){id,message}").json()
    nxt = body["comments"]["paging"]["next"]
    assert nxt.startswith(f"{standin.url}/v25.0/{POST_ID}/comments?") and "access_token=" in nxt
    rest = requests.get(nxt, timeout=5).json()
    assert len(rest["data"]) == 2 and "next" not in rest["paging"]
