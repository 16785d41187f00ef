"""Issue 17, Graph API findings 6, 9, 11, 13 and 14: the extractor against the stand-in over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import logging

import pytest
import requests
from graphkit import PAGE_ID, POST_ID, get, make_dataset

from sources.errors import from_body
from sources.facebook.client import COMMENT_FIELDS, FacebookReader
from sources.graph import (
    DEEP_MARKER,
    MAX_DEPTH,
    AppSecretProofError,
    GraphAPIError,
    GraphPermissionError,
    NotAPageToken,
    PageAccessError,
    ReduceDataError,
    UntrustedNextURL,
    bound_depth,
)
from sources.standin import DEFAULT_TOKEN
from sources.standin.faults import Scenario

COMMENTS = f"/v25.0/{POST_ID}/comments"
PAGE_HINTS = ("Page access token", "User token", "MODERATE", "pages_read_engagement", "pages_read_user_content")


# -- #6: `next` is followed only on the configured host ---------------------------------------------------------
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_next_to_another_host_is_not_followed(serve, client, host: str) -> None:
    """The stand-in's `next` points at a second local server (another port, or another host name for the same
    machine): the scan stops with UntrustedNextURL and the second server receives nothing, token or not."""
    elsewhere = serve()
    port = elsewhere.url.rsplit(":", 1)[1]
    standin = serve(make_dataset(9), scenario=Scenario(next_base=f"http://{host}:{port}"))
    graph, _ = client(standin, page_limit=3)
    with pytest.raises(UntrustedNextURL) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    assert elsewhere.requests == []
    assert len(standin.requests) == 1
    assert DEFAULT_TOKEN not in str(caught.value) and f"{host}:{port}" in str(caught.value)
    assert "FACEBOOK_GRAPH_URL" in str(caught.value)


def test_next_on_the_configured_host_is_followed(serve, client) -> None:
    standin = serve(make_dataset(9))
    graph, _ = client(standin, page_limit=3)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 9 and len(standin.requests) == 3


# -- #9: nesting bounded per comment ----------------------------------------------------------------------------
def _nested(depth: int) -> dict:
    value: dict = {"leaf": True}
    for _ in range(depth):
        value = {"target": value}
    return value


@pytest.mark.parametrize("depth", [40, 300, 5000])
def test_deeply_nested_attachment_is_cut_and_the_comment_kept(serve, client, caplog, depth: int) -> None:
    standin = serve(make_dataset(4))
    deep_id = standin.add_comment(POST_ID, "Se vedhæftningen", author={"id": "512345", "name": "Dyb Borger"},
                                  attachment={"type": "share", "media": _nested(depth)})
    graph, _ = client(standin)
    with caplog.at_level(logging.WARNING, logger="sources.facebook.client"):
        scan = FacebookReader(graph).fetch_comments(POST_ID)
    found = {c["id"]: c for c in scan.comments}
    assert scan.complete and len(found) == 5 and found[deep_id]["message"] == "Se vedhæftningen"
    node, levels = found[deep_id], 0
    while isinstance(node, dict):
        node = node.get("attachment") or node.get("media") or node.get("target")
        levels += 1
    assert node == DEEP_MARKER and levels <= MAX_DEPTH + 1
    assert any(deep_id in r.getMessage() and "deeper" in r.getMessage() for r in caplog.records)


def test_bound_depth_leaves_shallow_values_alone() -> None:
    value = {"attachment": {"media": {"image": {"src": "x"}}}, "message_tags": [{"id": "1"}]}
    assert bound_depth(value) == (value, False) and bound_depth(value)[0] is value
    cut, changed = bound_depth(_nested(3), limit=2)
    assert changed and cut == {"target": {"target": {"target": DEEP_MARKER}}}


# -- #11: comments without id or without authors, and the token check ------------------------------------------
@pytest.mark.parametrize(("tokens", "scenario"), [
    ({DEFAULT_TOKEN: "page_no_moderate"}, Scenario()),
    ({DEFAULT_TOKEN: "user"}, Scenario(user_token_mode="no_id")),
    (None, Scenario(omit_comment_ids=True)),
], ids=["page-token-without-moderate", "user-token", "ids-omitted"])
def test_comments_without_ids_fail_the_post_in_one_line(serve, client, tokens, scenario) -> None:
    standin = serve(make_dataset(9), tokens=tokens, scenario=scenario)
    graph, _ = client(standin, page_limit=3)
    with pytest.raises(PageAccessError) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    message = str(caught.value)
    assert "without their id" in message and "\n" not in message and DEFAULT_TOKEN not in message
    assert all(words in message for words in PAGE_HINTS)
    assert len(standin.requests) == 1  # stops at the first page instead of walking every page for nothing


def test_every_author_missing_fails_the_post(serve, client) -> None:
    data = make_dataset(8)
    authors = frozenset(c["from"]["id"] for c in data["comments"] if "from" in c)
    standin = serve(data, scenario=Scenario(omit_from_authors=authors))
    graph, _ = client(standin)
    with pytest.raises(PageAccessError) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    assert "author" in str(caught.value) and all(words in str(caught.value) for words in PAGE_HINTS)


def test_a_few_authorless_comments_or_page_replies_are_fine(serve, client) -> None:
    data = make_dataset(6)
    for comment in data["comments"][:4]:
        comment["from"] = {"id": PAGE_ID, "name": "Silkeborg Kommune"}  # the Page's own keep their `from`
    for comment in data["comments"][4:]:
        comment.pop("from", None)  # two citizens without an author: below the threshold
    standin = serve(data)
    graph, _ = client(standin)
    assert len(FacebookReader(graph).fetch_comments(POST_ID).comments) == 6


@pytest.mark.parametrize(("kind", "page_id", "ok"), [
    ("page", PAGE_ID, True), ("page_no_moderate", PAGE_ID, True), ("page", "999999999999999", False),
    ("user", PAGE_ID, False),
])
def test_check_page_token_uses_me(serve, client, kind: str, page_id: str, ok: bool) -> None:
    standin = serve(tokens={"tok": kind})
    graph, _ = client(standin, token="tok")
    if ok:
        FacebookReader(graph).check_page_token(page_id)
    else:
        with pytest.raises(NotAPageToken) as caught:
            FacebookReader(graph).check_page_token(page_id)
        assert all(words in str(caught.value) for words in PAGE_HINTS) and "tok" not in str(caught.value).split()
    assert [(r.path, r.param("fields")) for r in standin.requests] == [("/v25.0/me", "id")]


def test_me_is_answered_like_the_graph_api(serve) -> None:
    standin = serve(tokens={"p": "page", "u": "user"})
    assert get(standin.url, "/v25.0/me", token="p").json() == {"name": "Silkeborg Kommune", "id": PAGE_ID}
    me = get(standin.url, "/v25.0/me", token="u", fields="id").json()
    assert set(me) == {"id"} and me["id"].isdigit() and me["id"] != PAGE_ID


# -- #13: is_transient false, 190 about a permission, appsecret_proof -------------------------------------------
def test_is_transient_false_is_not_retried(serve, client) -> None:
    standin = serve()
    standin.inject(1, "code1_not_transient")
    graph, sleeper = client(standin)
    with pytest.raises(GraphAPIError):
        FacebookReader(graph).fetch_comments(POST_ID)
    assert len(standin.requests) == 1 and sleeper.waits == []


@pytest.mark.parametrize(("message", "kind", "retryable"), [
    ("An unknown error occurred", GraphAPIError, False),
    ("Please reduce the amount of data you're asking for, then retry your request", ReduceDataError, True),
])
def test_is_transient_false_classification(message: str, kind: type, retryable: bool) -> None:
    """`is_transient: false` forbids repeating the same request; "reduce the amount of data" stays adaptable,
    because a smaller page is a different request (the client then retries only when it can lower `limit`)."""
    error = from_body(500, {"error": {"code": 1, "message": message, "is_transient": False}})
    assert type(error) is kind and error.retryable is retryable and error.not_transient


def test_code190_about_a_permission_is_a_permission_error(serve, client) -> None:
    standin = serve()
    standin.inject(1, "code190_permission")
    graph, _ = client(standin)
    with pytest.raises(GraphPermissionError) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    assert "pages_read_user_content" in str(caught.value) and "rejected" not in str(caught.value)


def _proof(secret: str, token: str = DEFAULT_TOKEN) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def test_appsecret_proof_on_every_request_including_next(serve, client, caplog) -> None:
    standin = serve(make_dataset(9), scenario=Scenario(app_secret="app-secret-1234"))
    graph, _ = client(standin, page_limit=3, app_secret="app-secret-1234")
    with caplog.at_level(logging.DEBUG):
        FacebookReader(graph).check_page_token(PAGE_ID)
        scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 9 and len(standin.requests) == 4
    assert all(r.values("appsecret_proof") == [_proof("app-secret-1234")] for r in standin.requests)
    assert all(r.values("fields") == [COMMENT_FIELDS] for r in standin.requests[1:])
    logged = caplog.text
    assert "app-secret-1234" not in logged and _proof("app-secret-1234") not in logged


def test_app_requiring_a_proof_without_one_names_the_setting(serve, client) -> None:
    standin = serve(scenario=Scenario(app_secret="app-secret-1234"))
    graph, sleeper = client(standin)
    with pytest.raises(AppSecretProofError) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    assert "FACEBOOK_APP_SECRET" in str(caught.value) and len(standin.requests) == 1 and not sleeper.waits
    wrong, _ = client(standin, app_secret="not-the-secret")
    with pytest.raises(AppSecretProofError, match="Invalid appsecret_proof"):
        FacebookReader(wrong).fetch_comments(POST_ID)


# -- #14: the stand-in's `since`, WWW-Authenticate and modes ------------------------------------------------------
@pytest.mark.parametrize("since", ["1399021500", "2014-05-02T09:05:00+0000", "2014-05-02T09:05:00Z",
                                   "2014-05-02T09:05:00"])
def test_since_takes_unix_time_and_iso_dates(serve, since: str) -> None:
    standin = serve(make_dataset(6))
    response = get(standin.url, COMMENTS, since=since, filter="stream", order="chronological")
    assert response.status_code == 200
    times = [c["created_time"] for c in response.json()["data"]]
    assert times and all(t >= "2014-05-02T09:05:00+0000" for t in times) and len(times) < 6


@pytest.mark.parametrize("since", ["yesterday-ish", "12abc"])
def test_unreadable_since_is_a_400_not_a_dropped_connection(serve, since: str) -> None:
    standin = serve()
    response = get(standin.url, COMMENTS, since=since)
    assert response.status_code == 400 and response.json()["error"]["code"] == 100
    assert get(standin.url, f"/v25.0/{PAGE_ID}/posts", until=since).status_code == 400


@pytest.mark.parametrize(("token", "kind"), [("not-a-token", "invalid_token"), (None, "invalid_request")])
def test_token_errors_carry_www_authenticate(serve, token: str | None, kind: str) -> None:
    standin = serve()
    response = get(standin.url, COMMENTS, token=token)
    assert response.status_code == 400
    assert response.headers["WWW-Authenticate"].startswith(f'OAuth "Facebook Platform" "{kind}" "')


def test_no_www_authenticate_on_other_errors(serve) -> None:
    standin = serve()
    standin.inject(1, "code2")
    assert "WWW-Authenticate" not in get(standin.url, COMMENTS).headers


def test_comments_without_id_mode(serve) -> None:
    data = make_dataset(5)
    data["comments"][0]["from"] = {"id": PAGE_ID, "name": "Silkeborg Kommune"}
    standin = serve(data, tokens={"nomod": "page_no_moderate"})
    body = get(standin.url, COMMENTS, token="nomod", fields="id,message,from{id,name}").json()
    assert len(body["data"]) == 5 and all("id" not in c for c in body["data"])
    assert [c.get("from", {}).get("id") for c in body["data"] if "from" in c] == [PAGE_ID]
    assert "next" not in body.get("paging", {})  # the cursors do not depend on what is shown


def test_the_real_api_error_is_a_json_body_not_a_reset(serve) -> None:
    """Before: a non-numeric `since` raised inside the handler and the client saw the connection drop."""
    standin = serve()
    try:
        response = requests.get(standin.url + COMMENTS, params={"since": "last monday",
                                                                "access_token": DEFAULT_TOKEN}, timeout=5)
    except requests.ConnectionError:  # pragma: no cover - the old behaviour
        pytest.fail("the stand-in dropped the connection")
    assert response.headers["Content-Type"].startswith("application/json")
