"""The stand-in's injected faults and rate-limit emulation, seen over raw HTTP."""

from __future__ import annotations

import json

import pytest
import requests
from graphkit import POST_ID, get

from sources.standin.faults import FAULTS, RateLimit, Scenario

COMMENTS = f"/v25.0/{POST_ID}/comments"

EXPECTED = {  # fault -> (HTTP status, code, subcode, is_transient)
    "code1_reduce": (500, 1, None, None), "code1_99": (500, 1, 99, None), "code2": (500, 2, None, True),
    "code1_not_transient": (500, 1, None, False), "code190_permission": (400, 190, None, None),
    "code4": (403, 4, None, True), "code17": (400, 17, None, True), "code32": (400, 32, None, None),
    "code341": (400, 341, None, None), "code613": (400, 613, None, None), "code80001": (400, 80001, None, None),
    "code190_page_token": (400, 190, None, None), "code190_460": (400, 190, 460, None),
    "code190_463": (400, 190, 463, None), "code190_467": (400, 190, 467, None),
    "code190_492": (400, 190, 492, None), "code10": (403, 10, None, None), "code200": (403, 200, None, None),
    "code283": (400, 283, None, None), "code100_33": (400, 100, 33, None), "code100": (400, 100, None, None),
}


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_json_faults(serve, fault: str) -> None:
    standin = serve()
    standin.inject(1, fault)
    response = get(standin.url, COMMENTS)
    status, code, subcode, transient = EXPECTED[fault]
    error = response.json()["error"]
    assert response.status_code == status
    assert (error["code"], error.get("error_subcode"), error.get("is_transient")) == (code, subcode, transient)
    assert get(standin.url, COMMENTS).status_code == 200  # only request 1 was faulty


def test_fault_catalog_is_covered() -> None:
    assert set(EXPECTED) | {"html502", "non_json", "reset", "slow"} == set(FAULTS)


def test_code1_reduce_has_only_code_and_message(serve) -> None:
    standin = serve()
    standin.inject(1, "code1_reduce")
    assert get(standin.url, COMMENTS).json() == {"error": {
        "code": 1, "message": "Please reduce the amount of data you're asking for, then retry your request"}}


def test_minimal_error_bodies(serve) -> None:
    standin = serve(scenario=Scenario(minimal_errors=True, faults={1: "code2"}))
    assert set(get(standin.url, COMMENTS).json()["error"]) == {"code", "message"}


def test_code80001_carries_buc_usage(serve) -> None:
    standin = serve(scenario=Scenario(regain_minutes=7))
    standin.inject(1, "code80001")
    response = get(standin.url, COMMENTS)
    usage = json.loads(response.headers["X-Business-Use-Case-Usage"])
    (entry,) = next(iter(usage.values()))
    assert entry["type"] == "pages" and entry["estimated_time_to_regain_access"] == 7
    assert response.json()["error"]["message"].startswith("(#80001) There have been too many calls")


def test_code4_status_is_configurable(serve) -> None:
    standin = serve(scenario=Scenario(code4_status=400, faults={1: "code4"}))
    assert get(standin.url, COMMENTS).status_code == 400


def test_html_502(serve) -> None:
    standin = serve()
    standin.inject_next("html502")
    response = get(standin.url, COMMENTS)
    assert response.status_code == 502 and response.headers["Content-Type"].startswith("text/html")
    assert b"Sorry, something went wrong." in response.content


def test_non_json_200(serve) -> None:
    standin = serve()
    standin.inject_next("non_json")
    response = get(standin.url, COMMENTS)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_connection_reset(serve) -> None:
    standin = serve()
    standin.inject_next("reset")
    with pytest.raises(requests.ConnectionError):
        get(standin.url, COMMENTS)
    assert get(standin.url, COMMENTS).status_code == 200


def test_slow_response(serve) -> None:
    standin = serve(scenario=Scenario(slow_seconds=0.6))
    standin.inject_next("slow")
    with pytest.raises(requests.Timeout):
        requests.get(f"{standin.url}{COMMENTS}?access_token=standin-page-token", timeout=0.2)


def test_unknown_fault_name_is_refused(serve) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        serve().inject(1, "code999")


def test_reduce_data_threshold_depends_on_limit(serve) -> None:
    standin = serve(scenario=Scenario(reduce_data_threshold=200))
    assert get(standin.url, COMMENTS, limit=100, fields="id,message,from{id,name}").status_code == 500
    assert get(standin.url, COMMENTS, limit=40, fields="id,message,from{id,name}").status_code == 200


def test_before_request_hook_sees_request_numbers(serve) -> None:
    seen: list[int] = []
    standin = serve(scenario=Scenario(before_request=seen.append))
    get(standin.url, COMMENTS)
    get(standin.url, COMMENTS)
    assert seen == [1, 2]


# -- rate-limit emulation ------------------------------------------------------------------------------------
def _buc(response: requests.Response) -> dict:
    (entry,) = next(iter(json.loads(response.headers["X-Business-Use-Case-Usage"]).values()))
    return entry


def test_usage_headers_appear_after_n_calls_and_grow(serve) -> None:
    standin = serve(scenario=Scenario(rate_limit=RateLimit(capacity=10, window_seconds=600, headers_after=3)))
    responses = [get(standin.url, COMMENTS) for _ in range(5)]
    assert all("X-Business-Use-Case-Usage" not in r.headers for r in responses[:2])
    assert [_buc(r)["call_count"] for r in responses[2:]] == [30, 40, 50]
    assert "X-App-Usage" not in responses[-1].headers


def test_page_token_gets_80001_at_100_percent_and_waiting_recovers(serve) -> None:
    standin = serve(scenario=Scenario(rate_limit=RateLimit(capacity=3, window_seconds=600)))
    assert [get(standin.url, COMMENTS).status_code for _ in range(3)] == [200] * 3
    blocked = get(standin.url, COMMENTS)
    assert blocked.json()["error"]["code"] == 80001
    assert _buc(blocked)["estimated_time_to_regain_access"] == 11  # window 10 min + 1 min penalty
    standin.clock.advance(120)
    again = get(standin.url, COMMENTS)  # calling while throttled extends the block: it now ends at minute 12
    assert again.status_code == 400 and _buc(again)["estimated_time_to_regain_access"] == 10
    standin.clock.advance(_buc(again)["estimated_time_to_regain_access"] * 60 + 600)
    assert get(standin.url, COMMENTS).status_code == 200


def test_user_token_gets_32_and_app_usage(serve) -> None:
    standin = serve(tokens={"u": "user"}, scenario=Scenario(rate_limit=RateLimit(capacity=2, window_seconds=60)))
    ok = get(standin.url, COMMENTS, token="u")
    assert json.loads(ok.headers["X-App-Usage"])["call_count"] == 50
    get(standin.url, COMMENTS, token="u")
    blocked = get(standin.url, COMMENTS, token="u")
    assert blocked.json()["error"]["code"] == 32 and blocked.headers["X-App-Usage"]
