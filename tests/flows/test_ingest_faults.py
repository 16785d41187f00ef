"""Ingestion into a real warehouse under every stand-in fault and paging behaviour, over real HTTP.

Each test primes the warehouse with a clean run, changes the stand-in (an edit, a deleted thread, a new comment and
reply), then runs again with the fault or behaviour switched on, and checks the comments view and the requests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingestkit import (
    POST_ID,
    assert_exact,
    base_dataset,
    change,
    from_template,
    ingest,
    inspect,
    make_dataset,
    serving,
    snapshot,
    view_rows,
)

from sources.errors import GraphAPIError, GraphPermissionError, PageAccessError, TokenError
from sources.facebook.client import COMMENT_FIELDS
from sources.standin import DEFAULT_TOKEN, GraphStandIn
from sources.standin.faults import FAULTS, RETRYABLE_FAULTS, RateLimit, Scenario

SURVIVED = list(RETRYABLE_FAULTS)
FATAL = {
    "code190_460": (TokenError, "changed their password"),
    "code190_463": (TokenError, "expired"),
    "code190_467": (TokenError, "logged out"),
    "code190_492": (TokenError, "no longer has a role on the Page"),
    "code10": (GraphPermissionError, "pages_read_engagement"),
    "code200": (GraphPermissionError, "pages_read_user_content"),
    "code283": (GraphPermissionError, "pages_read_engagement"),
    "code100": (GraphAPIError, "Invalid parameter"),
    "code1_not_transient": (GraphAPIError, "unknown error"),  # is_transient: false (issue 17 #13)
    "code190_permission": (GraphPermissionError, "pages_read_user_content"),  # not "token invalid" (#13)
}
TOMBSTONES = ["code100_33"]
POST_PATH = f"/v25.0/{POST_ID}"
COMMENTS_PATH = f"{POST_PATH}/comments"


def test_every_fault_is_covered() -> None:
    assert set(SURVIVED) | set(FATAL) | set(TOMBSTONES) == FAULTS


def _primed(standin: GraphStandIn, warehouse: Path) -> tuple[dict, int]:
    """The warehouse after a clean first run, then changes on the stand-in; returns the changes and the number
    of the run's first request."""
    from_template(warehouse)
    return change(standin), len(standin.requests) + 1


def _run_requests(standin: GraphStandIn, first: int) -> list:
    return standin.requests[first - 1:]


def _assert_requests_well_formed(requests: list) -> None:
    """The post, then the comments edge as asked (header token), then `next` followed verbatim (token inside)."""
    assert requests[0].path == POST_PATH
    comments = [r for r in requests if r.path == COMMENTS_PATH]
    assert comments and comments[0].bearer and comments[0].param("access_token") is None
    assert comments[0].param("fields") == COMMENT_FIELDS
    assert (comments[0].param("filter"), comments[0].param("order")) == ("stream", "chronological")
    for request in requests:
        assert all(len(request.values(k)) <= 1 for k in ("access_token", "limit", "fields", "after", "filter"))
    for request in comments[1:]:
        assert request.param("access_token") == DEFAULT_TOKEN or request.param("after") is None


# -- one test per fault ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fault", SURVIVED)
def test_survivable_fault_mid_scan_leaves_the_warehouse_exact(tmp_path: Path, fault: str) -> None:
    warehouse = tmp_path / "wh.duckdb"
    slow = fault == "slow"
    with serving(scenario=Scenario(slow_seconds=1.2)) as standin:
        changes, first = _primed(standin, warehouse)
        standin.inject(first + 2, fault)  # the second page of comments
        counts = ingest(standin, warehouse, "r2", timeout=0.6 if slow else 3.0)
    assert counts["complete"] and counts["deleted"] == len(changes["deleted"])
    assert_exact(warehouse, standin, tombstoned=changes["deleted"])
    requests = _run_requests(standin, first)
    _assert_requests_well_formed(requests)
    faulty, retry = requests[2], requests[3]
    assert standin.statuses[retry.number] == 200
    if fault not in ("slow", "non_json"):  # a slow answer is a 200 the client gave up on; non_json a bad 200
        assert standin.statuses[faulty.number] != 200
    assert retry.path == faulty.path and retry.param("after") == faulty.param("after")
    assert retry.param("limit") == ("1" if fault == "code1_reduce" else "3")


@pytest.mark.parametrize("at", [1, 3], ids=["on-post", "mid-scan"])
@pytest.mark.parametrize("fault", sorted(FATAL))
def test_fatal_fault_propagates_and_leaves_the_warehouse_unchanged(tmp_path: Path, fault: str, at: int) -> None:
    kind, words = FATAL[fault]
    warehouse = tmp_path / "wh.duckdb"
    with serving() as standin:
        _, first = _primed(standin, warehouse)
        before = snapshot(warehouse)
        standin.inject(first + at - 1, fault)
        with pytest.raises(kind) as caught:
            ingest(standin, warehouse, "r2")
    assert type(caught.value) is kind
    message = str(caught.value)
    assert words in message and DEFAULT_TOKEN not in message
    if kind is not GraphAPIError:
        assert "FACEBOOK_ACCESS_TOKEN" in message  # says how to renew the token
    assert len(_run_requests(standin, first)) == at  # not retried, nothing after it
    assert snapshot(warehouse) == before  # nothing lost, nothing marked deleted, no scan logged


@pytest.mark.parametrize("at", [1, 2, 3], ids=["on-post", "first-page", "mid-scan"])
def test_post_gone_100_33_tombstones_the_post_and_its_comments(tmp_path: Path, at: int) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with serving() as standin:
        _, first = _primed(standin, warehouse)
        before = inspect(warehouse).rows
        standin.inject(first + at - 1, "code100_33")
        once = ingest(standin, warehouse, "r2")  # the same answer means "no permission": not believed yet
        ingest_requests = len(_run_requests(standin, first))
        assert once == {"fetched": 0, "changed": 0, "deleted": 0, "complete": False}
        assert inspect(warehouse).rows == before
        standin.delete_post(POST_ID)
        counts = ingest(standin, warehouse, "r3")
    seen = inspect(warehouse)
    rows = seen.rows
    assert set(seen.problems.values()) == {0}
    assert counts == {"fetched": 0, "changed": 0, "deleted": len(rows), "complete": True}
    assert all(r[4] is not None and r[3] is None and r[2] is None for r in rows.values())
    assert seen.posts == [(POST_ID, True)]
    assert ingest_requests == at


def test_fatal_fault_with_minimal_error_bodies_still_says_what_to_do(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with serving(scenario=Scenario(minimal_errors=True)) as standin:
        _, first = _primed(standin, warehouse)
        before = snapshot(warehouse)
        standin.inject(first + 2, "code190_467")
        with pytest.raises(TokenError, match="FACEBOOK_ACCESS_TOKEN"):
            ingest(standin, warehouse, "r2")
    assert snapshot(warehouse) == before


def test_bad_token_kind_fails_before_the_warehouse_is_touched(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with serving(tokens={DEFAULT_TOKEN: "page", "old": "expired"}) as standin:
        _primed(standin, warehouse)
        before = snapshot(warehouse)
        with pytest.raises(TokenError, match="expired"):
            ingest(standin, warehouse, "r2", token="old")
    assert snapshot(warehouse) == before


# -- stand-in behaviours ---------------------------------------------------------------------------------------
def _exact_after(scenario_change: dict, tmp_path: Path, **client_kwargs: object) -> GraphStandIn:
    warehouse = tmp_path / "wh.duckdb"
    with serving() as standin:
        changes, first = _primed(standin, warehouse)
        for name, value in scenario_change.items():
            setattr(standin.scenario, name, value(first) if callable(value) else value)
        counts = ingest(standin, warehouse, "r2", **client_kwargs)
    assert counts["complete"] and counts["deleted"] == len(changes["deleted"])
    assert_exact(warehouse, standin, tombstoned=changes["deleted"])
    _assert_requests_well_formed(_run_requests(standin, first))
    return standin


@pytest.mark.parametrize(("name", "switches"), [
    ("empty page with next", {"empty_pages": lambda first: {first + 1, first + 3}}),
    ("short page with next", {"short_pages": lambda first: {first + 1, first + 2}}),
    ("overlapping page", {"overlap_pages": lambda first: {first + 2, first + 3}}),
    ("wrong total_count", {"total_count_offset": 5}),
    ("code 1 until the limit is small", {"reduce_data_threshold": 30}),
])
def test_paging_behaviour_keeps_the_warehouse_exact(tmp_path: Path, name: str, switches: dict) -> None:
    _exact_after(switches, tmp_path)


def test_next_urls_with_an_upgraded_version_are_followed(tmp_path: Path) -> None:
    standin = _exact_after({"served_version": "v26.0"}, tmp_path)
    paths = [r.path for r in standin.requests[-3:]]
    assert all(p.startswith("/v26.0/") for p in paths)


def test_rate_limit_emulation_is_waited_out(tmp_path: Path) -> None:
    limit = RateLimit(capacity=4, window_seconds=300, headers_after=2)
    standin = _exact_after({"rate_limit": limit}, tmp_path, slowdown_percent=101, max_wait_seconds=900)
    throttled = [n for n, status in standin.statuses.items() if status == 400]
    assert throttled and all(standin.statuses[n + 1] == 200 for n in throttled)


def test_comments_without_from_for_some_authors_have_no_author_key(tmp_path: Path) -> None:
    data = base_dataset()
    hidden = data["comments"][0]["from"]["id"]
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving(data, scenario=Scenario(omit_from_authors=frozenset({hidden}))) as standin:
        ingest(standin, warehouse)
        rows = view_rows(warehouse)
    ids = {c["id"] for c in data["comments"] if (c.get("from") or {}).get("id") in (hidden, None)}
    assert ids and all(rows[i][2] is None for i in ids)
    assert all(rows[c["id"]][2] is not None for c in data["comments"] if c["id"] not in ids)


def test_page_authored_reply_and_deep_chains(tmp_path: Path) -> None:
    data = base_dataset(depth=2)
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving(data) as standin:
        ingest(standin, warehouse)
        assert_exact(warehouse, standin)
    rows = view_rows(warehouse)
    assert rows[data["comments"][5]["id"]][1] is True  # written by the Page
    assert rows[data["comments"][2]["id"]][0] == data["comments"][1]["id"]  # reply to a reply


def test_user_token_seeing_no_authors_fails_and_stores_nothing(tmp_path: Path) -> None:
    """Issue 17 #11: a User token's comments carry no citizen's `from`; the ingest used to store them all without
    authors and report success. Now the post fails with one line naming the cause, and nothing is stored."""
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    before = snapshot(warehouse)
    with serving(tokens={"user": "user"}) as standin:
        with pytest.raises(PageAccessError) as caught:
            ingest(standin, warehouse, token="user")
    assert "MODERATE" in str(caught.value) and "pages_read_user_content" in str(caught.value)
    assert snapshot(warehouse) == before


def test_user_token_seeing_nothing_does_not_tombstone_everything(tmp_path: Path) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving(tokens={DEFAULT_TOKEN: "page", "user": "user"}, scenario=Scenario(user_token_mode="empty")) as s:
        ingest(s, warehouse)
        ingest(s, warehouse, "r2", token="user")
        assert_exact(warehouse, s)


@pytest.mark.parametrize(("name", "switches"), [
    ("after-cursor limit", {"after_cursor_limit": 4}),
    ("repeated next (loop guard)", {"repeat_next": True}),
    ("empty pages in a row (stall guard)", {"empty_pages": lambda first: set(range(first + 2, first + 12))}),
])
def test_cut_short_scan_keeps_what_was_fetched_and_deletes_nothing(tmp_path: Path, name: str,
                                                                     switches: dict) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with serving() as standin:
        changes, first = _primed(standin, warehouse)
        for key, value in switches.items():
            setattr(standin.scenario, key, value(first) if callable(value) else value)
        counts = ingest(standin, warehouse, "r2")
    _assert_cut_short(warehouse, standin, changes, counts)


def test_stale_cursor_after_a_mid_scan_deletion_is_cut_short(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with serving(scenario=Scenario(stale_cursor_error=True)) as standin:
        changes, first = _primed(standin, warehouse)
        live = sorted(standin.store.post_comments(POST_ID), key=lambda c: (c["created_time"], c["id"]))
        last_of_page_one = live[2]["id"]
        standin.scenario.before_request = lambda n: standin.delete_comment(last_of_page_one) if n == first + 2 else None
        counts = ingest(standin, warehouse, "r2")
    _assert_cut_short(warehouse, standin, changes, counts)


def _assert_cut_short(warehouse: Path, standin: GraphStandIn, changes: dict, counts: dict) -> None:
    assert not counts["complete"] and counts["deleted"] == 0
    seen = inspect(warehouse)
    assert all(r[4] is None for r in seen.rows.values())  # nothing marked deleted, although some comments went
    assert changes["deleted"] <= set(seen.rows)
    assert seen.scans == [("r1", True), ("r2", False)]
    assert set(seen.problems.values()) == {0}
    fetched = counts["fetched"]
    assert 0 < fetched < len(standin.store.post_comments(POST_ID))


def test_items_added_and_deleted_during_a_scan_are_settled_by_the_next_run(tmp_path: Path) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving() as standin:
        from_template(warehouse)
        first = 1
        oldest = min(standin.store.post_comments(POST_ID), key=lambda c: c["created_time"])["id"]

        def mutate(number: int) -> None:
            if number == first + 2:
                standin.delete_comment(oldest)  # already fetched on page 1
                standin.add_comment(POST_ID, "Kom til midt i scanningen")

        standin.scenario.before_request = mutate
        ingest(standin, warehouse, "r2")
        standin.scenario.before_request = None
        gone = {oldest} | {c for c in standin.store.deleted}
        ingest(standin, warehouse, "r3")
        assert_exact(warehouse, standin, tombstoned=gone)


# -- property --------------------------------------------------------------------------------------------------
RETRYABLE = [f for f in SURVIVED if f != "slow"]
numbers = st.integers(min_value=1, max_value=30)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(tree=st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=12),
       depth=st.sampled_from([1, 2]), limit=st.integers(min_value=2, max_value=12),
       faults=st.dictionaries(numbers, st.sampled_from(RETRYABLE + sorted(FATAL)), max_size=6),
       empty=st.sets(numbers, max_size=2), short=st.sets(numbers, max_size=3),
       deletions=st.sets(st.integers(min_value=0, max_value=60), max_size=4))
def test_warehouse_ends_with_exactly_the_standins_comments(tmp_path_factory: pytest.TempPathFactory,
                                                          tree: list[int], depth: int, limit: int,
                                                          faults: dict[int, str], empty: set[int], short: set[int],
                                                          deletions: set[int]) -> None:
    warehouse = from_template(tmp_path_factory.mktemp("prop") / "wh.duckdb", "empty")
    data = make_dataset(tree, depth=depth)
    scenario = Scenario(faults=faults, empty_pages=empty, short_pages=short)
    with serving(data, scenario=scenario) as standin:
        _ingest_until_done(standin, warehouse, "r1", limit)
        ids = [c["id"] for c in data["comments"]]
        gone = {g for i in deletions if i < len(ids) and ids[i] not in standin.store.deleted
                for g in standin.delete_comment(ids[i])}
        standin.add_comment(POST_ID, "Sent forslag")
        _ingest_until_done(standin, warehouse, "r2", limit)
        assert_exact(warehouse, standin, tombstoned=gone)


def _ingest_until_done(standin: GraphStandIn, warehouse: Path, run: str, limit: int) -> None:
    """Run as an operator would: a failed run (fatal fault) is simply run again."""
    for attempt in range(8):
        try:
            counts = ingest(standin, warehouse, f"{run}-{attempt}", page_limit=limit, timeout=2.0)
        except (TokenError, GraphPermissionError, GraphAPIError):
            continue
        assert counts["complete"]
        return
    raise AssertionError("eight runs in a row failed")


def test_half_an_emoji_does_not_block_its_post(tmp_path: Path) -> None:
    """A message with a lone surrogate escape (half an emoji, as JSON can carry it) cannot be written as UTF-8: it is
    stored with U+FFFD in its place, and the post's other comments as they are, instead of failing every scan."""
    data = base_dataset()
    data["comments"][1]["message"] = "Cykelsti \ud83d tak"
    data["comments"][2]["message"] = "Legeplads \ud83d\ude00"  # a whole emoji stays one
    with serving(data) as standin:
        ingest(standin, tmp_path / "wh.duckdb")
    rows = view_rows(tmp_path / "wh.duckdb")
    assert rows[data["comments"][1]["id"]][3] == "Cykelsti \ufffd tak"
    assert rows[data["comments"][2]["id"]][3] == "Legeplads \U0001f600"
    assert len(rows) == len(data["comments"])
