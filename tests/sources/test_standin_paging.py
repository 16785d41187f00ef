"""The stand-in's comments edge: filter, order, summary, cursor paging, mutations and paging scenarios."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from graphkit import POST_ID, START, get, make_dataset

from sources.standin import DEFAULT_TOKEN
from sources.standin.faults import Scenario

COMMENTS = f"/v25.0/{POST_ID}/comments"


def walk(url: str, first: requests.Response, *, max_pages: int = 200) -> list[dict]:
    """Follow `next` verbatim and return every page body."""
    pages = [first.json()]
    while "next" in pages[-1].get("paging", {}) and len(pages) < max_pages:
        pages.append(requests.get(pages[-1]["paging"]["next"], timeout=5).json())
    return pages


def ids(pages: list[dict]) -> list[str]:
    return [c["id"] for page in pages for c in page["data"]]


def test_toplevel_is_the_default_and_hides_replies(serve) -> None:
    data = make_dataset([2, 1])
    standin = serve(data)
    top = {c["id"] for c in data["comments"] if not c["parent_id"]}
    assert {c["id"] for c in get(standin.url, COMMENTS).json()["data"]} == top


def test_stream_returns_all_levels_interleaved_by_time(serve) -> None:
    data = make_dataset([3, 3])
    standin = serve(data)
    items = get(standin.url, COMMENTS, filter="stream", order="chronological", fields="id,created_time",
                limit=100).json()["data"]
    assert [c["id"] for c in items] == [c["id"] for c in sorted(data["comments"], key=lambda c: c["created_time"])]
    assert [c["id"] for c in items] != [c["id"] for c in data["comments"]]  # replies interleave across threads


def test_replies_edge_on_a_comment(serve) -> None:
    data = make_dataset([2, 0])
    standin = serve(data)
    top = data["comments"][0]["id"]
    replies = [c["id"] for c in get(standin.url, f"/v25.0/{top}/comments").json()["data"]]
    assert sorted(replies) == sorted(c["id"] for c in data["comments"] if c["parent_id"] == top)


def test_orders(serve) -> None:
    standin = serve(make_dataset(12))
    by_time = [c["id"] for c in get(standin.url, COMMENTS, order="chronological", limit=100).json()["data"]]
    newest = [c["id"] for c in get(standin.url, COMMENTS, order="reverse_chronological",
                                   limit=100).json()["data"]]
    ranked = get(standin.url, COMMENTS, limit=100, summary="true").json()
    assert newest == by_time[::-1]
    assert [c["id"] for c in ranked["data"]] not in (by_time, newest)
    assert sorted(c["id"] for c in ranked["data"]) == sorted(by_time)
    assert ranked["summary"]["order"] == "ranked"
    again = [c["id"] for c in get(standin.url, COMMENTS, limit=100).json()["data"]]
    assert again == [c["id"] for c in ranked["data"]]  # stable


@pytest.mark.parametrize(("filter_", "expected"), [("stream", 6), ("toplevel", 2)])
def test_summary_total_count(serve, filter_: str, expected: int) -> None:
    summary = get(serve(make_dataset([2, 2])).url, COMMENTS, filter=filter_, summary="true",
                  order="chronological").json()["summary"]
    assert summary == {"order": "chronological", "total_count": expected, "can_comment": True}


def test_summary_total_count_can_be_wrong(serve) -> None:
    standin = serve(make_dataset(4), scenario=Scenario(total_count_offset=3))
    body = get(standin.url, COMMENTS, summary="1").json()
    assert body["summary"]["total_count"] == 7 and len(body["data"]) == 4


def test_cursor_paging_shape(serve) -> None:
    standin = serve(make_dataset(7))
    first = get(standin.url, COMMENTS, limit=3, fields="id,message", order="chronological")
    pages = walk(standin.url, first)
    assert [len(p["data"]) for p in pages] == [3, 3, 1]
    assert "previous" not in pages[0]["paging"] and "previous" in pages[1]["paging"]
    assert "next" not in pages[-1]["paging"] and pages[-1]["paging"]["cursors"]["after"]
    for page in pages:
        cursors = page["paging"]["cursors"]
        assert all(c.startswith("QVFI") and base64.urlsafe_b64decode(c + "==") for c in cursors.values())
    nxt = urlsplit(pages[0]["paging"]["next"])
    assert f"{nxt.scheme}://{nxt.netloc}" == standin.url and nxt.path == COMMENTS
    query = parse_qsl(nxt.query)
    assert [k for k, _ in query] == ["access_token", "limit", "fields", "order", "after"]
    assert dict(query)["access_token"] == DEFAULT_TOKEN
    assert dict(query)["after"] == pages[0]["paging"]["cursors"]["after"]


def test_next_replaces_an_old_after(serve) -> None:
    standin = serve(make_dataset(7))
    first = get(standin.url, COMMENTS, limit=2).json()
    second = requests.get(first["paging"]["next"], timeout=5).json()
    assert [k for k, _ in parse_qsl(urlsplit(second["paging"]["next"]).query)].count("after") == 1


def test_next_carries_the_token_even_when_it_came_in_a_header(serve) -> None:
    standin = serve(make_dataset(3))
    body = get(standin.url, COMMENTS, bearer=True, limit=1).json()
    assert dict(parse_qsl(urlsplit(body["paging"]["next"]).query))["access_token"] == DEFAULT_TOKEN


def test_one_item_page_has_before_equal_after(serve) -> None:
    cursors = get(serve(make_dataset(3)).url, COMMENTS, limit=1).json()["paging"]["cursors"]
    assert cursors["before"] == cursors["after"]


def test_after_the_last_cursor_is_plain_empty_data(serve) -> None:
    standin = serve(make_dataset(2))
    last = get(standin.url, COMMENTS, limit=5).json()
    assert "next" not in last["paging"]
    assert get(standin.url, COMMENTS, limit=5, after=last["paging"]["cursors"]["after"]).json() == {"data": []}


def test_previous_pages_back(serve) -> None:
    standin = serve(make_dataset(5))
    pages = walk(standin.url, get(standin.url, COMMENTS, limit=2, order="chronological"))
    back = requests.get(pages[1]["paging"]["previous"], timeout=5).json()
    assert [c["id"] for c in back["data"]] == [c["id"] for c in pages[0]["data"]]


def test_default_limit_is_25(serve) -> None:
    assert len(get(serve(make_dataset(30)).url, COMMENTS).json()["data"]) == 25


def test_hidden_comments_are_still_listed(serve) -> None:
    data = make_dataset(14)
    standin = serve(data)
    hidden = {c["id"] for c in data["comments"] if c["is_hidden"]}
    listed = {c["id"]: c for c in get(standin.url, COMMENTS, fields="id,is_hidden", limit=100).json()["data"]}
    assert hidden and all(listed[i]["is_hidden"] is True for i in hidden)


def test_delete_cascades_and_404s(serve) -> None:
    data = make_dataset([2, 1])
    standin = serve(data)
    top = data["comments"][0]["id"]
    gone = standin.delete_comment(top)
    assert len(gone) == 3
    left = [c["id"] for c in get(standin.url, COMMENTS, filter="stream").json()["data"]]
    assert sorted(left) == [c["id"] for c in data["comments"][3:]]
    assert get(standin.url, COMMENTS, filter="stream", summary="true").json()["summary"]["total_count"] == 2
    error = get(standin.url, f"/v25.0/{gone[1]}").json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")
    assert error["message"].startswith(f"Unsupported get request. Object with ID '{gone[1]}' does not exist")


def test_edit_and_add(serve) -> None:
    data = make_dataset(1)
    standin = serve(data)
    first = data["comments"][0]["id"]
    standin.edit_comment(first, "Rettet tekst ✏️")
    reply = standin.add_comment(POST_ID, "Svar fra kommunen", parent_id=first,
                                author={"id": "100000000000001", "name": "Silkeborg Kommune"})
    assert reply.startswith(POST_ID.split("_")[1] + "_")
    items = {c["id"]: c for c in get(standin.url, COMMENTS, filter="stream").json()["data"]}
    assert items[first]["message"] == "Rettet tekst ✏️" and items[reply]["from"]["name"] == "Silkeborg Kommune"


def test_deleted_post(serve) -> None:
    standin = serve()
    standin.delete_post(POST_ID)
    assert get(standin.url, COMMENTS).json()["error"]["error_subcode"] == 33


@pytest.mark.parametrize(("inclusive", "expected"), [(True, 2), (False, 1)])
def test_since_filters_by_created_time(serve, inclusive: bool, expected: int) -> None:
    standin = serve(make_dataset(3), scenario=Scenario(since_inclusive=inclusive))
    bound = int(START.timestamp()) + 11 * 60  # the second comment's created_time
    assert len(get(standin.url, COMMENTS, since=bound).json()["data"]) == expected


def test_scenario_empty_page_with_next(serve) -> None:
    standin = serve(make_dataset(4), scenario=Scenario(empty_pages={2}))
    pages = walk(standin.url, get(standin.url, COMMENTS, limit=2))
    assert [len(p["data"]) for p in pages] == [2, 0, 2]
    assert "next" in pages[1]["paging"] and len(set(ids(pages))) == 4


def test_scenario_short_page_with_next(serve) -> None:
    standin = serve(make_dataset(6), scenario=Scenario(short_pages={1}))
    pages = walk(standin.url, get(standin.url, COMMENTS, limit=4))
    assert [len(p["data"]) for p in pages] == [2, 4] and "next" in pages[0]["paging"]


def test_scenario_next_repeats_the_same_cursor(serve) -> None:
    standin = serve(make_dataset(9), scenario=Scenario(repeat_next=True))
    pages = walk(standin.url, get(standin.url, COMMENTS, limit=2), max_pages=5)
    assert pages[1]["paging"]["next"] == pages[2]["paging"]["next"] == pages[4]["paging"]["next"]


def test_scenario_after_cursor_limit(serve) -> None:
    standin = serve(make_dataset(9), scenario=Scenario(after_cursor_limit=4))
    second = requests.get(get(standin.url, COMMENTS, limit=2).json()["paging"]["next"], timeout=5).json()
    assert len(second["data"]) == 2  # 2 items before the cursor: fine
    response = requests.get(second["paging"]["next"], timeout=5)  # 4 items before the cursor: too far
    error = response.json()["error"]
    assert response.status_code == 400 and error["code"] == 100
    assert error["message"] == "(#100) The After Cursor specified exceeds the max limit supported by this endpoint"


def test_deleted_item_under_the_cursor(serve) -> None:
    data = make_dataset(6)
    for stale, expected in ((False, 200), (True, 400)):
        standin = serve(data, scenario=Scenario(stale_cursor_error=stale))
        first = get(standin.url, COMMENTS, limit=2).json()
        standin.delete_comment(first["data"][-1]["id"])
        assert requests.get(first["paging"]["next"], timeout=5).status_code == expected


def test_scenario_upgraded_version_in_next(serve) -> None:
    standin = serve(make_dataset(3), scenario=Scenario(served_version="v25.0"))
    response = get(standin.url, f"/v23.0/{POST_ID}/comments", limit=1)
    assert response.headers["facebook-api-version"] == "v25.0"
    assert urlsplit(response.json()["paging"]["next"]).path == COMMENTS


def test_same_version_in_next_by_default(serve) -> None:
    body = get(serve(make_dataset(3)).url, f"/v23.0/{POST_ID}/comments", limit=1).json()
    assert urlsplit(body["paging"]["next"]).path.startswith("/v23.0/")
