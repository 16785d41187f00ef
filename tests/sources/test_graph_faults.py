"""The fault matrix: each fault injected at a request number, and what GraphClient makes of it."""

from __future__ import annotations

import logging

import pytest
from graphkit import POST_ID, make_dataset

from sources.facebook.client import FacebookReader
from sources.graph import (
    GraphAPIError,
    GraphClient,
    GraphPermissionError,
    ScanProgress,
    TokenError,
    TransientError,
)
from sources.standin import DEFAULT_TOKEN
from sources.standin.faults import RETRYABLE_FAULTS, RateLimit, Scenario

RETRYABLE = list(RETRYABLE_FAULTS)
RATE_LIMITS = {"code4", "code17", "code32", "code341", "code613"}
FAIL_FAST = {
    "code190_460": (TokenError, "changed their password"),
    "code190_463": (TokenError, "expired"),
    "code190_467": (TokenError, "logged out"),
    "code190_492": (TokenError, "no longer has a role on the Page"),
    "code10": (GraphPermissionError, "pages_read_engagement"),
    "code200": (GraphPermissionError, "pages_read_user_content"),
    "code283": (GraphPermissionError, "pages_read_engagement"),
    "code100": (GraphAPIError, "Invalid parameter"),
}


def _query_without_limit(request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query if k != "limit"]


@pytest.mark.parametrize("fault", RETRYABLE)
def test_retryable_fault_is_survived(serve, client, caplog, fault: str) -> None:
    data = make_dataset(7)
    standin = serve(data, scenario=Scenario(slow_seconds=1.0))
    standin.inject(2, fault)
    graph, sleeper = client(standin, page_limit=3, timeout=0.5)
    with caplog.at_level(logging.DEBUG):
        scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and sorted(c["id"] for c in scan.comments) == sorted(c["id"] for c in data["comments"])
    faulty, retry = standin.requests[1], standin.requests[2]
    assert len(standin.requests) == scan.requests == 4 and scan.pages == 3  # 7 items: 3 + 3 + 1 (or 3 + 1 + 3)
    assert retry.path == faulty.path and _query_without_limit(retry) == _query_without_limit(faulty)
    expected_limit = "1" if fault == "code1_reduce" else "3"
    assert retry.param("limit") == expected_limit and standin.requests[3].param("limit") == "3"
    assert len(sleeper.waits) == 1
    if fault == "code80001":
        assert sleeper.waits == [60.0]  # estimated_time_to_regain_access: 1 minute
    elif fault in RATE_LIMITS:
        assert 15.0 <= sleeper.waits[0] <= 30.0
    else:
        assert sleeper.waits[0] <= 1.0
    assert DEFAULT_TOKEN not in caplog.text and "access_token=***" in caplog.text


@pytest.mark.parametrize("fault", sorted(FAIL_FAST))
def test_fail_fast_fault_is_not_retried(serve, client, caplog, fault: str) -> None:
    kind, words = FAIL_FAST[fault]
    standin = serve(make_dataset(7))
    standin.inject(2, fault)
    graph, sleeper = client(standin, page_limit=3)
    with caplog.at_level(logging.DEBUG), pytest.raises(kind) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    assert type(caught.value) is kind
    assert len(standin.requests) == 2 and sleeper.waits == []
    message = str(caught.value)
    assert words in message and DEFAULT_TOKEN not in message and DEFAULT_TOKEN not in caplog.text
    assert caught.value.fbtrace_id and caught.value.http_status in (400, 403)
    if kind is TokenError:
        assert "FACEBOOK_ACCESS_TOKEN" in message and "facebook-access-token" in message


def test_deleted_mid_scan_means_the_post_is_gone(serve, client) -> None:
    standin = serve(make_dataset(7))
    standin.inject(2, "code100_33")
    graph, _ = client(standin, page_limit=3)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.post_deleted and scan.comments == [] and len(standin.requests) == 2


def test_fetch_post_deleted_is_none(serve, client) -> None:
    standin = serve()
    standin.inject(1, "code100_33")
    graph, _ = client(standin)
    assert FacebookReader(graph).fetch_post(POST_ID) is None and len(standin.requests) == 1


def test_missing_token_is_a_token_error() -> None:
    with pytest.raises(TokenError, match="FACEBOOK_ACCESS_TOKEN"):
        GraphClient("http://127.0.0.1:1", "v25.0", "")


@pytest.mark.parametrize(("kind", "subcode"), [("expired", 463), ("invalid", 467), ("lost_role", 492)])
def test_bad_token_kinds_fail_fast(serve, client, kind: str, subcode: int) -> None:
    standin = serve(tokens={"bad-token-value": kind})
    graph, _ = client(standin, token="bad-token-value")
    with pytest.raises(TokenError) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    assert caught.value.subcode == subcode and len(standin.requests) == 1
    assert "bad-token-value" not in str(caught.value)


def test_unknown_token_fails_fast(serve, client) -> None:
    standin = serve()
    graph, _ = client(standin, token="EAAGnotknown")
    with pytest.raises(TokenError, match="invalid"):
        FacebookReader(graph).fetch_comments(POST_ID)
    assert len(standin.requests) == 1


def test_retries_are_bounded(serve, client, caplog) -> None:
    standin = serve(make_dataset(7))
    for number in range(2, 10):
        standin.inject(number, "code2")
    graph, sleeper = client(standin, page_limit=3, max_retries=4)
    with caplog.at_level(logging.DEBUG), pytest.raises(TransientError) as caught:
        FacebookReader(graph).fetch_comments(POST_ID)
    assert len(standin.requests) == 6 and len(sleeper.waits) == 4
    assert DEFAULT_TOKEN not in str(caught.value) and DEFAULT_TOKEN not in caplog.text


def test_backoff_grows_and_is_capped(serve, client) -> None:
    standin = serve(make_dataset(3))
    for number in range(1, 7):
        standin.inject(number, "code4")
    graph, sleeper = client(standin, max_retries=6, max_wait_seconds=100.0)
    FacebookReader(graph).fetch_comments(POST_ID)
    assert sleeper.waits[0] <= 30 and sleeper.waits[2] >= 60 and max(sleeper.waits) == 100.0


def test_regain_wait_is_capped_by_max_wait(serve, client) -> None:
    standin = serve(make_dataset(3), scenario=Scenario(regain_minutes=30))
    standin.inject(1, "code80001")
    graph, sleeper = client(standin, max_wait_seconds=5.0)
    assert FacebookReader(graph).fetch_comments(POST_ID).complete and sleeper.waits == [5.0]


def test_code1_halves_limit_until_it_fits_then_restores(serve, client) -> None:
    # the requested fields weigh 14 (11 fields + from{id,name} + parent{id}); 14 * limit must stay <= 300
    standin = serve(make_dataset(30), scenario=Scenario(reduce_data_threshold=300))
    graph, _ = client(standin, page_limit=100)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 30
    limits = [int(r.param("limit") or 0) for r in standin.requests]
    assert limits == [100, 50, 25, 12, 100, 50, 25, 12, 100, 50, 25, 12]
    assert all(len(r.values("limit")) == 1 for r in standin.requests)


def test_code1_with_limit_1_still_retries(serve, client) -> None:
    standin = serve(make_dataset(2))
    standin.inject(1, "code1_reduce")
    graph, _ = client(standin, page_limit=1)
    assert FacebookReader(graph).fetch_comments(POST_ID).complete
    assert [r.param("limit") for r in standin.requests] == ["1", "1", "1"]


def test_slow_response_times_out_and_is_retried(serve, client) -> None:
    standin = serve(make_dataset(2), scenario=Scenario(slow_seconds=1.0))
    standin.inject(1, "slow")
    graph, _ = client(standin, timeout=0.3)
    assert FacebookReader(graph).fetch_comments(POST_ID).complete and len(standin.requests) == 2


def test_page_token_rate_limit_emulation_waits_instead_of_hammering(serve, client) -> None:
    scenario = Scenario(rate_limit=RateLimit(capacity=5, window_seconds=300, headers_after=2))
    standin = serve(make_dataset(40), scenario=scenario)
    graph, sleeper = client(standin, page_limit=4, max_wait_seconds=900, slowdown_percent=101)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 40
    throttled = [n for n, status in standin.statuses.items() if status == 400]
    assert throttled and all(standin.statuses[n + 1] == 200 for n in throttled)  # waited it out: no hot retry
    assert all(w >= 300 for w in sleeper.waits)  # estimated_time_to_regain_access, in minutes * 60


def test_user_token_rate_limit_32_is_retried(serve, client) -> None:
    scenario = Scenario(rate_limit=RateLimit(capacity=3, window_seconds=60, headers_after=1))
    standin = serve(make_dataset(12), tokens={"user-token": "user"}, scenario=scenario)
    graph, sleeper = client(standin, token="user-token", page_limit=2, slowdown_percent=101)
    progress = ScanProgress()  # the edge read as is: fetch_comments refuses a User token's authorless comments
    pages = list(graph.iter_pages(f"{POST_ID}/comments", {"filter": "stream", "limit": "2"}, progress))
    assert progress.complete and sum(len(p["data"]) for p in pages) == 12 and sleeper.waits
    assert 400 in standin.statuses.values()


def test_pacing_at_90_percent_avoids_the_block(serve, client) -> None:
    scenario = Scenario(rate_limit=RateLimit(capacity=10, window_seconds=60, headers_after=1))
    standin = serve(make_dataset(12), scenario=scenario)
    graph, sleeper = client(standin, page_limit=1, slowdown_seconds=61.0)
    scan = FacebookReader(graph).fetch_comments(POST_ID)
    assert scan.complete and len(scan.comments) == 12
    assert sleeper.waits == [61.0] and set(standin.statuses.values()) == {200}  # paused at 90 %, never blocked


def test_page_token_required_is_believed_after_two_retries(serve, client) -> None:
    standin = serve(make_dataset(3))
    for number in range(1, 6):
        standin.inject(number, "code190_page_token")
    graph, sleeper = client(standin)
    with pytest.raises(TokenError, match="Page access token is required"):
        FacebookReader(graph).fetch_comments(POST_ID)
    assert len(standin.requests) == 3 and len(sleeper.waits) == 2
