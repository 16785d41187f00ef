"""GraphClient against the stand-in over real HTTP: what it asks for, how it pages, when it stops."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit

import pytest
from graphkit import POST_ID, make_dataset

from sources.facebook.client import COMMENT_FIELDS, FacebookReader
from sources.graph import GraphClient, PageAccessError
from sources.standin import DEFAULT_TOKEN, RecordedRequest
from sources.standin.faults import Scenario


def comment_ids(scan) -> list[str]:
    return [c["id"] for c in scan.comments]


def assert_followed_verbatim(client: GraphClient, standin, path: str) -> None:
    """Walk the edge again with iter_pages and check each request after the first is exactly `next`."""
    start = len(standin.requests)
    params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological", "summary": "true",
              "limit": str(client.page_limit)}
    nexts = [page.get("paging", {}).get("next") for page in client.iter_pages(path, params)]
    recorded = standin.requests[start:]
    assert len(recorded) == len(nexts)
    for request, expected in zip(recorded[1:], nexts, strict=False):
        url = urlsplit(expected)
        assert request.path == url.path and request.query == parse_qsl(url.query, keep_blank_values=True)
        assert not request.bearer  # the token rides in `next`; not sent twice


def assert_no_duplicated_params(requests: list[RecordedRequest]) -> None:
    for request in requests:
        for key in ("access_token", "limit", "fields", "after", "filter", "order", "summary"):
            assert len(request.values(key)) <= 1, (key, request.query)


def test_fetch_comments_returns_every_comment_and_reply_once(serve, client) -> None:
    data = make_dataset([3, 0, 5, 1, 0, 2], depth=2)
    standin = serve(data)
    graph, _ = client(standin, page_limit=4)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert sorted(comment_ids(scan)) == sorted(c["id"] for c in data["comments"])
    assert len(set(comment_ids(scan))) == len(scan.comments)
    assert (scan.post_id, scan.complete, scan.post_deleted) == (POST_ID, True, False)
    assert scan.pages == 5 and scan.requests == len(standin.requests) == 5  # 17 items, 4 a page
    assert_no_duplicated_params(standin.requests)


def test_first_request_is_built_from_params_and_token_goes_in_a_header(serve, client) -> None:
    standin = serve(make_dataset(5))
    graph, _ = client(standin, page_limit=2)
    FacebookReader(graph).fetch_comments(POST_ID)
    first = standin.requests[0]
    assert first.path == f"/v25.0/{POST_ID}/comments" and first.bearer
    assert dict(first.query) == {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological",
                                 "summary": "true", "limit": "2"}
    assert first.param("access_token") is None


def test_next_is_followed_verbatim(serve, client) -> None:
    standin = serve(make_dataset([2, 2, 2]))
    graph, _ = client(standin, page_limit=2)
    assert_followed_verbatim(graph, standin, f"{POST_ID}/comments")
    assert_no_duplicated_params(standin.requests)


def test_comment_fields_as_returned(serve, client) -> None:
    data = make_dataset([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    standin = serve(data)
    graph, _ = client(standin)
    comments = {c["id"]: c for c in FacebookReader(graph).fetch_comments(POST_ID).comments}
    reply = comments[data["comments"][1]["id"]]
    assert reply["parent"] == {"id": data["comments"][0]["id"]}
    assert comments[data["comments"][0]["id"]]["comment_count"] == 2
    assert "parent" not in comments[data["comments"][0]["id"]]
    assert any("from" not in c for c in comments.values()) and any("message_tags" in c for c in comments.values())
    assert any("attachment" in c and "message" not in c for c in comments.values())


def test_fetch_post(serve, client) -> None:
    standin = serve()
    graph, _ = client(standin)
    post = FacebookReader(graph).fetch_post(POST_ID)
    assert post is not None and post["id"] == POST_ID and "permalink_url" in post
    standin.delete_post(POST_ID)
    assert FacebookReader(graph).fetch_post(POST_ID) is None
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.post_deleted and scan.comments == []


def test_empty_page_with_next_is_tolerated(serve, client) -> None:
    data = make_dataset(6)
    standin = serve(data, scenario=Scenario(empty_pages={2, 3}))
    graph, _ = client(standin, page_limit=2)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 6 and scan.pages == 5


def test_short_pages_with_next_are_followed(serve, client) -> None:
    standin = serve(make_dataset(9), scenario=Scenario(short_pages={1, 2, 3}))
    graph, _ = client(standin, page_limit=4)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 9


def test_overlapping_pages_are_deduplicated(serve, client) -> None:
    standin = serve(make_dataset(9), scenario=Scenario(overlap_pages={2, 3}))
    graph, _ = client(standin, page_limit=3)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == len(set(comment_ids(scan))) == 9
    assert scan.pages == 4  # 3 + 3 (1 again) + 3 (1 again) + 2


def test_repeated_next_stops_the_scan_as_incomplete(serve, client, caplog) -> None:
    standin = serve(make_dataset(20), scenario=Scenario(repeat_next=True))
    graph, _ = client(standin, page_limit=3)
    with caplog.at_level(logging.WARNING):
        scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert not scan.complete and "repeats" in (scan.stop_reason or "")
    assert len(standin.requests) == 2 and len(scan.comments) == 6
    assert "incomplete" in caplog.text


def test_pages_without_new_ids_stop_the_scan(serve, client) -> None:
    standin = serve(make_dataset(8), scenario=Scenario(empty_pages=set(range(2, 50))))
    graph, _ = client(standin, page_limit=2, max_stalled_pages=4)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert not scan.complete and scan.pages == 5 and "no new items" in (scan.stop_reason or "")


def test_max_pages_stops_the_scan(serve, client) -> None:
    standin = serve(make_dataset(10))
    graph, _ = client(standin, page_limit=2, max_pages=3)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert not scan.complete and scan.pages == 3 and len(scan.comments) == 6


def test_after_cursor_limit_keeps_what_was_fetched(serve, client, caplog) -> None:
    standin = serve(make_dataset(10), scenario=Scenario(after_cursor_limit=6))
    graph, _ = client(standin, page_limit=3)
    with caplog.at_level(logging.WARNING):
        scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert not scan.complete and len(scan.comments) == 6 and "cursor limit" in (scan.stop_reason or "")
    assert len(standin.requests) == 3  # no retry of the cut-off request


def test_stale_cursor_ends_the_scan_incomplete(serve, client) -> None:
    data = make_dataset(9)
    scenario = Scenario(stale_cursor_error=True)
    standin = serve(data, scenario=scenario)
    scenario.before_request = lambda n: standin.delete_comment(data["comments"][2]["id"]) if n == 2 else None
    graph, _ = client(standin, page_limit=3)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert not scan.complete and len(scan.comments) == 3


def test_upgraded_version_in_next_is_followed(serve, client) -> None:
    standin = serve(make_dataset(5), scenario=Scenario(served_version="v25.0"))
    with GraphClient(standin.url, "v23.0", DEFAULT_TOKEN, timeout=5, page_limit=2) as graph:
        scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 5
    assert [r.path.split("/")[1] for r in standin.requests] == ["v23.0", "v25.0", "v25.0"]


def test_unversioned_base(serve) -> None:
    standin = serve(make_dataset(3))
    with GraphClient(standin.url, "", DEFAULT_TOKEN, timeout=5) as graph:
        assert len(FacebookReader(graph).fetch_comments(POST_ID).comments) == 3
    assert standin.requests[0].path == f"/{POST_ID}/comments"


def test_changes_between_pages(serve, client) -> None:
    data = make_dataset(12)
    scenario = Scenario()
    standin = serve(data, scenario=scenario)
    added: list[str] = []

    def mutate(number: int) -> None:
        if number == 2:
            standin.delete_comment(data["comments"][1]["id"])  # already read
            standin.delete_comment(data["comments"][8]["id"])  # not read yet
            standin.edit_comment(data["comments"][9]["id"], "ændret")
            added.append(standin.add_comment(POST_ID, "ny kommentar"))

    scenario.before_request = mutate
    graph, _ = client(standin, page_limit=4)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    found = {c["id"]: c for c in scan.comments}
    assert scan.complete and len(found) == len(scan.comments)
    assert data["comments"][1]["id"] in found and data["comments"][8]["id"] not in found
    assert found[data["comments"][9]["id"]]["message"] == "ændret" and added[0] in found


def test_user_token_comments_without_from_fail_the_post(serve, client) -> None:
    """A User token sees no citizen's `from`: the scan fails with one line naming the cause, instead of storing
    five authorless comments (issue 17, finding 11)."""
    standin = serve(make_dataset(5), tokens={"user-token": "user"})
    graph, _ = client(standin, token="user-token")
    with pytest.raises(PageAccessError) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    message = str(caught.value)
    assert "\n" not in message and "user-token" not in message
    for words in ("Page access token", "User token", "MODERATE", "pages_read_engagement", "pages_read_user_content"):
        assert words in message


def test_page_limit_is_checked() -> None:
    with pytest.raises(ValueError):
        GraphClient("http://127.0.0.1:1", "v25.0", "t", page_limit=101)


def test_token_is_not_in_repr() -> None:
    assert "secret-token" not in repr(GraphClient("http://127.0.0.1:1", "v25.0", "secret-token"))


def test_proxies_and_ca_bundle_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session does not read the environment per request, so it must take it over once: a municipality's
    proxy and CA bundle still apply, and NO_PROXY still exempts the Graph API's host."""
    for name in ("https_proxy", "http_proxy", "no_proxy", "all_proxy", "ALL_PROXY", "HTTP_PROXY", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)  # lower case wins in urllib: a runner's own settings must not leak in
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.kommune.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/kommune/ca.pem")
    with GraphClient("https://graph.facebook.com", "v25.0", "token") as client:
        assert client._session.proxies.get("https") == "http://proxy.kommune.example:3128"
        assert client._session.verify == "/etc/kommune/ca.pem"
    with GraphClient("http://127.0.0.1:9", "v25.0", "token") as client:
        assert "https" not in client._session.proxies and "http" not in client._session.proxies
