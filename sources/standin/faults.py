"""Scenario switches, injectable faults and rate-limit emulation for the local Graph API stand-in.

Error bodies and statuses follow the Graph API's error-handling and rate-limiting guides (error codes, subcodes,
`is_transient`, the `X-App-Usage` / `X-Business-Use-Case-Usage` headers).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REDUCE_DATA = "Please reduce the amount of data you're asking for, then retry your request"
UNSUPPORTED_GET = (
    "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, "
    "or does not support this operation. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)
AFTER_CURSOR_LIMIT = "(#100) The After Cursor specified exceeds the max limit supported by this endpoint"
RATE_LIMIT_DOC = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting"

# name -> (HTTP status, code, subcode, message, type, is_transient)
_CATALOG: dict[str, tuple[int, int, int | None, str, str, bool | None]] = {
    "code1_reduce": (500, 1, None, REDUCE_DATA, "OAuthException", None),
    "code1_99": (500, 1, 99, "An unknown error occurred", "OAuthException", None),
    # An explicit `is_transient: false`: the API says repeating the request will not help.
    "code1_not_transient": (500, 1, None, "An unknown error has occurred.", "OAuthException", False),
    "code2": (500, 2, None, "An unexpected error has occurred. Please retry your request later.",
              "OAuthException", True),
    "code4": (403, 4, None, "(#4) Application request limit reached", "OAuthException", True),
    "code17": (400, 17, None, "(#17) User request limit reached", "OAuthException", True),
    "code32": (400, 32, None, "(#32) Page request limit reached", "OAuthException", None),
    "code341": (400, 341, None, "(#341) Application limit reached", "OAuthException", None),
    "code613": (400, 613, None, "Calls to this api have exceeded the rate limit.", "OAuthException", None),
    "code80001": (400, 80001, None, "(#80001) There have been too many calls to this Page account. Wait a bit "
                  f"and try again. For more info, please refer to {RATE_LIMIT_DOC}.", "OAuthException", None),
    "code190_page_token": (400, 190, None, "(#190) This method must be called with a Page Access Token",
                           "OAuthException", None),
    "code190_460": (400, 190, 460, "Error validating access token: The session has been invalidated because the "
                    "user changed their password or Facebook has changed the session for security reasons.",
                    "OAuthException", None),
    "code190_467": (400, 190, 467, "Error validating access token: The session is invalid because the user "
                    "logged out.", "OAuthException", None),
    "code190_492": (400, 190, 492, "Error validating access token: The session is invalid because the user "
                    "no longer has a role on the Page.", "OAuthException", None),
    # A 190 without subcode that is about a permission, not about the token's validity (wording assumed).
    "code190_permission": (400, 190, None, "(#190) This endpoint requires the pages_read_user_content "
                           "permission", "OAuthException", None),
    "code10": (403, 10, None, "(#10) This endpoint requires the 'pages_read_engagement' permission or the "
               "'Page Public Content Access' feature. Refer to https://developers.facebook.com/docs/apps/review",
               "OAuthException", None),
    "code200": (403, 200, None, "(#200) Requires pages_read_user_content permission to access this resource",
                "OAuthException", None),
    "code283": (400, 283, None, "(#283) Requires pages_read_engagement permission to manage the object",
                "OAuthException", None),
    "code100_33": (400, 100, 33, UNSUPPORTED_GET.format(id="0"), "GraphMethodException", None),
    "code100": (400, 100, None, "(#100) Invalid parameter", "OAuthException", None),
}
# Faults that are not JSON error bodies; the server acts them out.
SPECIAL_FAULTS = frozenset({"html502", "non_json", "reset", "slow", "code190_463"})
FAULTS = frozenset(_CATALOG) | SPECIAL_FAULTS
# The faults a client is meant to survive by retrying (a code-190 "needs a Page token" once is retried too).
RETRYABLE_FAULTS = (
    "code1_reduce", "code1_99", "code2", "code4", "code17", "code32", "code341", "code613", "code80001",
    "code190_page_token", "html502", "non_json", "reset", "slow",
)

HTML_502 = (
    b"<!DOCTYPE html><html><head><title>Facebook | Error</title></head><body>"
    b"<h1>Sorry, something went wrong.</h1><p>We're working on it and we'll get it fixed as soon as we can.</p>"
    b"</body></html>"
)


class GraphFault(Exception):
    """An error answer the stand-in sends instead of data."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("error", {}).get("message", ""))
        self.status = status
        self.body = body
        self.headers = headers or {}


def graph_error(status: int, code: int, message: str, *, subcode: int | None = None,
                type_: str = "OAuthException", is_transient: bool | None = None,
                headers: dict[str, str] | None = None) -> GraphFault:
    """Build a Graph API error answer (`fbtrace_id` is filled in by the server)."""
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    return GraphFault(status, {"error": error}, headers)


def catalog_fault(name: str, *, code4_status: int = 403) -> GraphFault:
    """The error answer of a named fault from the catalog (code 1 reduce is minimal, as observed)."""
    status, code, subcode, message, type_, transient = _CATALOG[name]
    if name == "code1_reduce":
        return GraphFault(status, {"error": {"code": code, "message": message}})
    if name == "code4":
        status = code4_status
    return graph_error(status, code, message, subcode=subcode, type_=type_, is_transient=transient)


def expired_token_fault(now: float) -> GraphFault:
    """190/463 with the real 'Session has expired on …' wording."""
    fmt = "%A, %d-%b-%y %H:%M:%S UTC"
    expired = time.strftime(fmt, time.gmtime(now - 86400 * 3))
    current = time.strftime(fmt, time.gmtime(now))
    message = f"Error validating access token: Session has expired on {expired}. The current time is {current}."
    return graph_error(400, 190, message, subcode=463)


def minimal(fault: GraphFault) -> GraphFault:
    """The same fault with an error body of only `code` and `message`."""
    error = fault.body["error"]
    return GraphFault(fault.status, {"error": {"code": error["code"], "message": error["message"]}}, fault.headers)


@dataclass
class RateLimit:
    """Usage emulation: `capacity` calls per `window_seconds` of virtual time make 100 %; each call made
    while blocked pushes the end of the block `penalty_seconds` further."""

    capacity: int = 100
    window_seconds: float = 3600.0
    headers_after: int = 1
    penalty_seconds: float = 60.0


@dataclass
class Scenario:
    """Switches for one stand-in run. Request numbers count every request the server received, from 1."""

    faults: dict[int, str] = field(default_factory=dict)
    minimal_errors: bool = False
    slow_seconds: float = 2.0
    latency_seconds: float = 0.0  # every answer waits this long first: a network round trip (loopback has none)
    code4_status: int = 403
    regain_minutes: int = 1
    served_version: str | None = None
    default_version: str = "v25.0"
    empty_pages: set[int] = field(default_factory=set)
    short_pages: set[int] = field(default_factory=set)
    repeat_next: bool = False
    overlap_pages: set[int] = field(default_factory=set)
    after_cursor_limit: int | None = None
    stale_cursor_error: bool = False
    reduce_data_threshold: int | None = None
    total_count_offset: int = 0
    user_token_mode: str = "no_from"  # what a User token sees: "no_from", "no_id" (no id, no from) or "empty"
    omit_from_authors: frozenset[str] = frozenset()
    omit_comment_ids: bool = False  # every comment without `id`, whatever the token (PPCA without MODERATE)
    next_base: str | None = None  # the scheme://host:port of `paging` URLs (default: the stand-in's own)
    app_secret: str | None = None  # when set, every request needs appsecret_proof = HMAC-SHA256(secret, token)
    omit_empty_nested_comments: bool = True
    since_inclusive: bool = True
    posts_since_field: str = "created_time"
    rate_limit: RateLimit | None = None
    before_request: Callable[[int], None] | None = None


class VirtualClock:
    """Seconds on a clock that only tests move (`advance`); it starts at 2014-06-01T00:00:00Z."""

    def __init__(self, start: float = 1401580800.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current virtual time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self._now += max(0.0, seconds)


class RateLimiter:
    """Counts calls per token in a sliding window; calls made while throttled still count (they extend it)."""

    def __init__(self, limit: RateLimit, clock: VirtualClock) -> None:
        self.limit = limit
        self.clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, token: str, kind: str, page_id: str) -> dict[str, str]:
        """Record one call; return the usage headers, or raise 80001 (page token) / 32 (user token) at 100 %."""
        now = self.clock.now()
        with self._lock:
            calls = self._calls.setdefault(token, deque())
            while calls and calls[0] <= now - self.limit.window_seconds:
                calls.popleft()
            throttled = len(calls) >= self.limit.capacity or now < self._blocked_until.get(token, 0.0)
            calls.append(now)
            pct = min(100, len(calls) * 100 // self.limit.capacity)
            regain = self._extend_block(token, calls, now) if throttled else 0
            count = len(calls)
        headers = self._headers(kind, page_id, pct, regain) if count >= self.limit.headers_after else {}
        if throttled:
            fault = catalog_fault("code80001" if kind == "page" else "code32")
            fault.headers.update(self._headers(kind, page_id, 100, regain))
            raise fault
        return headers

    def _extend_block(self, token: str, calls: deque[float], now: float) -> int:
        """Block until usage falls below 100 % again, plus a penalty for calling while blocked; in minutes."""
        index = len(calls) - self.limit.capacity
        natural = calls[index] + self.limit.window_seconds if index >= 0 else now
        until = max(self._blocked_until.get(token, 0.0), natural) + self.limit.penalty_seconds
        self._blocked_until[token] = until
        return max(1, math.ceil((until - now) / 60))

    @staticmethod
    def _headers(kind: str, page_id: str, pct: int, regain: int) -> dict[str, str]:
        usage = {"call_count": pct, "total_cputime": pct // 3, "total_time": pct // 2}
        if kind == "page":
            entry = {"type": "pages", **usage, "estimated_time_to_regain_access": regain}
            return {"X-Business-Use-Case-Usage": json.dumps({page_id: [entry]}, separators=(",", ":"))}
        return {"X-App-Usage": json.dumps(usage, separators=(",", ":"))}


def buc_header(page_id: str, pct: int, regain_minutes: int) -> dict[str, str]:
    """An X-Business-Use-Case-Usage header for an injected 80001."""
    return RateLimiter._headers("page", page_id, pct, regain_minutes)
