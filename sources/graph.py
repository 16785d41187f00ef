"""The one Graph API client both channels read through: one call with retries, and every page of an edge,
following `paging.next` verbatim. What to read is each channel's (`sources.facebook.client.FacebookReader`,
`sources.instagram.client.InstagramReader`).

Rules (the Graph API's paging, error-handling and rate-limiting guides): one `requests.Session`, a timeout on
every call, `next` followed as given (it already carries every parameter and the token), stop only when `next` is
absent, guard against loops, dedupe by id, retry by error code with backoff and jitter, wait out rate limits, and
never let the token reach a log line or an exception message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import orjson
import requests

from sources.errors import (
    RENEW_HINT,
    AppSecretProofError,
    CursorLimit,
    DeletedObject,
    GraphAPIError,
    GraphPermissionError,
    NotAPageToken,
    PageAccessError,
    PageTokenRequired,
    PermissionError_,
    RateLimitError,
    ReduceDataError,
    TokenError,
    TransientError,
    UntrustedNextURL,
    mask_text,
)
from sources.usage import parse_usage

__all__ = [
    "MAX_DEPTH", "AppSecretProofError", "CursorLimit", "DeletedObject",
    "GraphAPIError", "GraphClient", "GraphPermissionError", "NotAPageToken", "PageAccessError", "PageTokenRequired",
    "PermissionError_", "RateLimitError", "ReduceDataError", "ScanCancelled", "ScanProgress", "TokenError",
    "TransientError", "UntrustedNextURL", "bound_depth", "mask_url",
]

log = logging.getLogger(__name__)

MAX_LIMIT = 100
MAX_DEPTH = 32  # levels of nesting kept below a comment (or a post); deeper parts become DEEP_MARKER
DEEP_MARKER = f"[left out: nested deeper than {MAX_DEPTH} levels]"
MIN_AUTHOR_CHECK = 3  # citizens' comments on a post from which "no author at all" means the token cannot see them


def mask_url(url: str) -> str:
    """The URL with its `access_token` (and other secrets in the query) replaced by `***`, for logging."""
    return mask_text(url)


class _RedactTokens(logging.Filter):
    """urllib3 logs request lines (query, token and appsecret_proof included) at DEBUG; mask them before any
    handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "access_token=" in text or "appsecret_proof=" in text:
            record.msg, record.args = mask_text(text), ()
        return True


def _install_log_redaction() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _RedactTokens) for f in logger.filters):
        logger.addFilter(_RedactTokens())


class ScanCancelled(Exception):
    """`GraphClient.cancel()` was called while a read was under way."""


def _parse_body(response: requests.Response) -> Any:
    """The JSON body, parsed by orjson (faster than `json`, the same values); anything orjson
    refuses (a lone surrogate escape, NaN, an integer beyond 64 bits) is parsed by `json` as before. A body nested
    too deep for either (orjson stops at 1024 levels, `json` raises RecursionError) is parsed again with its deep
    parts replaced by `DEEP_MARKER` (`_cut_deep`), so one comment cannot fail its whole post."""
    content = response.content
    for attempt in range(2):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            try:
                return _valid_text(json.loads(content.decode(response.encoding or "utf-8", errors="replace")))
            except ValueError:
                return None
            except RecursionError:
                if attempt:
                    return None
                content = _cut_deep(content, MAX_DEPTH + 8)  # + the page's own levels ({"data": [ ... ]})
    return None


_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


def _cut_deep(content: bytes, limit: int) -> bytes:
    """JSON text with every object or array that opens deeper than `limit` levels replaced by `DEEP_MARKER`
    (a string), found without recursion; strings are skipped whole, so brackets inside them do not count."""
    out: list[bytes] = []
    depth, start, last = 0, -1, 0
    marker = json.dumps(DEEP_MARKER).encode()
    for match in _JSON_TOKEN.finditer(content):
        token = match.group()
        if token[:1] == b'"':
            continue
        if token in (b"{", b"["):
            depth += 1
            if depth == limit + 1:
                start = match.start()
        else:
            if depth == limit + 1 and start >= 0:
                out += [content[last:start], marker]
                last, start = match.end(), -1
            depth -= 1
    out.append(content[last:])
    return b"".join(out)


_CONTAINERS = (dict, list)


def _too_deep(value: Any, limit: int) -> bool:
    """Whether an object or list sits more than `limit` levels below `value`. Recursive, but never deeper than
    `limit` calls; an empty container is not entered (nothing sits below it). Called for every comment, so the
    common case (a few small objects: `from`, `reactions`) is kept to few calls: 40% faster than a loop with its own
    stack."""
    for child in value.values() if isinstance(value, dict) else value:
        if isinstance(child, _CONTAINERS) and (limit == 0 or (child and _too_deep(child, limit - 1))):
            return True
    return False


def bound_depth(value: Any, limit: int = MAX_DEPTH) -> tuple[Any, bool]:
    """`value` with every object or list nested more than `limit` levels below it replaced by `DEEP_MARKER`, and
    whether anything was cut (then `value` is copied, not changed). Iterative, so any depth is safe."""
    if not isinstance(value, dict | list) or not _too_deep(value, limit):
        return value, False
    root: Any = value.copy()
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, level = stack.pop()
        for key in list(node.keys() if isinstance(node, dict) else range(len(node))):
            child = node[key]
            if isinstance(child, dict | list):
                if level + 1 > limit:
                    node[key] = DEEP_MARKER
                else:
                    node[key] = child.copy()
                    stack.append((node[key], level + 1))
    return root, True


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(value: Any) -> Any:
    """``value`` with each lone surrogate (an escape like ``\\ud83d`` without its pair, half an emoji) made U+FFFD:
    such a string cannot be written as UTF-8, so one broken comment would fail every scan of its post."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value
    if isinstance(value, list):
        return [_valid_text(v) for v in value]
    if isinstance(value, dict):
        return {_valid_text(k): _valid_text(v) for k, v in value.items()}
    return value


@dataclass
class ScanProgress:
    """How a walk over pages went: pages read, HTTP requests made, and whether it reached the end."""

    complete: bool = True
    pages: int = 0
    requests: int = 0
    stop_reason: str | None = None

    def stop(self, reason: str) -> None:
        """Mark the walk as cut short."""
        self.complete, self.stop_reason = False, reason


def _query_pieces(url: str) -> list[str]:
    query = urlsplit(url).query
    return query.split("&") if query else []


def _query_value(url: str, key: str) -> str | None:
    for piece in _query_pieces(url):
        name, _, value = piece.partition("=")
        if name == key:
            return value
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of a URL (the port filled in for http/https), to compare where requests go."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1  # not a port: matches no configured base URL
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _with_limit(url: str, limit: int) -> str:
    """`url` with only its `limit` value changed; every other byte of the query stays as it was."""
    pieces = [f"limit={limit}" if p.partition("=")[0] == "limit" else p for p in _query_pieces(url)]
    return urlunsplit(urlsplit(url)._replace(query="&".join(pieces)))


class GraphClient:
    """A Graph API reader for one token. Use as a context manager (or call `close()`).

    Reads may run in several threads at once (each thread gets its own HTTP session)."""

    def __init__(self, base_url: str, version: str, token: str, *, timeout: float = 10.0, max_retries: int = 6,
                 max_wait_seconds: float = 300.0, sleep: Callable[[float], None] = time.sleep,
                 page_limit: int = MAX_LIMIT, max_pages: int = 10_000, max_stalled_pages: int = 5,
                 backoff_base: float = 1.0, rate_limit_wait: float = 30.0, slowdown_percent: int = 90,
                 slowdown_seconds: float = 60.0, rng: random.Random | None = None,
                 app_secret: str | None = None, check_token_first: bool = False) -> None:
        if not token:
            raise TokenError(f"No Facebook access token is configured. {RENEW_HINT}")
        if not 1 <= page_limit <= MAX_LIMIT:
            raise ValueError(f"page_limit must be between 1 and {MAX_LIMIT}, got {page_limit}")
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait_seconds = max_wait_seconds
        self.page_limit = page_limit
        self.max_pages = max_pages
        self.max_stalled_pages = max_stalled_pages
        self.backoff_base = backoff_base
        self.rate_limit_wait = rate_limit_wait
        self.slowdown_percent = slowdown_percent
        self.slowdown_seconds = slowdown_seconds
        self._token = token
        self.check_token_first = check_token_first  # ingests start with `FacebookReader.check_page_token`
        self._origin = _origin(self.base_url)
        # appsecret_proof (Securing Requests): HMAC-SHA256 of the token keyed by the app secret, hex, on every
        # request. Only the proof is kept; it is masked like the token wherever a URL is logged.
        self._proof = (hmac.new(app_secret.encode("utf-8"), token.encode("utf-8"), hashlib.sha256).hexdigest()
                       if app_secret else None)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._local = threading.local()  # one `requests.Session` per thread: reads may run in several threads
        self._sessions: dict[int, requests.Session] = {}  # by thread ident
        self._sessions_lock = threading.Lock()
        self._cancelled = threading.Event()
        _install_log_redaction()

    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            # The environment's proxies and CA bundle are read once here, not on every request (which costs a
            # fifth of a request's time on loopback); there is no .netrc login to look up, the token is ours.
            session.trust_env = False
            session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
            session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            with self._sessions_lock:
                self._sessions[threading.get_ident()] = session
        return session

    def close(self) -> None:
        """Close the HTTP sessions."""
        with self._sessions_lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()

    def close_idle_sessions(self) -> None:
        """Close the sessions of threads that have ended (a reused client's earlier fetch threads)."""
        alive = {t.ident for t in threading.enumerate()}
        with self._sessions_lock:
            gone = [i for i in self._sessions if i not in alive]
            sessions = [self._sessions.pop(i) for i in gone]
        for session in sessions:
            session.close()

    def cancel(self) -> None:
        """Make a read under way (in another thread) stop at its next request with `ScanCancelled`; every read
        does so until `resume()`."""
        self._cancelled.set()

    def resume(self) -> None:
        """Undo `cancel()`."""
        self._cancelled.clear()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GraphClient({self.base_url!r}, {self.version!r}, token=***)"

    # -- public reads ----------------------------------------------------------------------------------------
    def get_node(self, path: str, params: dict[str, str], progress: ScanProgress | None = None) -> dict[str, Any]:
        """One node read (`GET /{path}?{params}`), with the retries of every call; its body."""
        body, _ = self._get(self._url(path, params), progress if progress is not None else ScanProgress())
        return body

    def iter_pages(self, path: str, params: dict[str, str],
                   progress: ScanProgress | None = None) -> Iterator[dict[str, Any]]:
        """Yield each page of an edge: the first built from `params`, the rest by following `paging.next`.

        Stops when `next` is absent; a repeated `next`/`after`, too many pages without new ids, `max_pages`
        or a cursor error stop it early, with `progress.complete` set to False and a warning logged.
        """
        progress = progress if progress is not None else ScanProgress()
        url = self._url(path, params)
        seen_next: set[str] = set()
        seen_ids: set[str] = set()
        stalled = 0
        while True:
            if progress.pages >= self.max_pages:
                return self._give_up(progress, path, f"stopped after max_pages={self.max_pages} pages")
            try:
                body, used = self._get(url, progress)
            except CursorLimit as error:
                return self._give_up(progress, path, f"cursor limit reached ({error.graph_message})")
            progress.pages += 1
            ids = {i["id"] for i in body.get("data") or [] if isinstance(i, dict) and isinstance(i.get("id"), str)}
            stalled = 0 if ids - seen_ids else stalled + 1
            seen_ids |= ids
            yield body
            next_url = (body.get("paging") or {}).get("next")
            if not isinstance(next_url, str) or not next_url:
                return
            if _origin(next_url) != self._origin:  # it would get the token: never leave the configured host
                scheme, host, port = _origin(next_url)
                raise UntrustedNextURL(
                    f"paging.next of {path} points at {scheme}://{host}:{port}, not at the configured Graph API "
                    f"{self.base_url}: not followed, so the access token is not sent there. Check FACEBOOK_GRAPH_URL "
                    "and any proxy between this machine and the Graph API")
            if used != url:  # limit was lowered after code 1: ask for the original size again
                next_url = _with_limit(next_url, int(_query_value(url, "limit") or self.page_limit))
            marker = _query_value(next_url, "after") or next_url
            if marker in seen_next:
                return self._give_up(progress, path, "paging.next repeats an earlier cursor")
            if stalled >= self.max_stalled_pages:
                return self._give_up(progress, path, f"{stalled} pages in a row brought no new items")
            seen_next.add(marker)
            url = next_url

    @staticmethod
    def _give_up(progress: ScanProgress, path: str, reason: str) -> None:
        log.warning("paging %s stopped early: %s; the scan is marked incomplete", path, reason)
        progress.stop(reason)

    # -- one call, with retries ------------------------------------------------------------------------------
    def _url(self, path: str, params: dict[str, str]) -> str:
        prefix = f"{self.base_url}/{self.version}" if self.version else self.base_url
        if self._proof:
            params = {**params, "appsecret_proof": self._proof}
        return f"{prefix}/{path.strip('/')}?{urlencode(params)}"

    def _get(self, url: str, progress: ScanProgress) -> tuple[dict[str, Any], str]:
        """GET `url` until it succeeds or fails for good; return the body and the URL that worked."""
        attempt = 0
        while True:
            if self._cancelled.is_set():
                raise ScanCancelled("the read was cancelled")
            progress.requests += 1
            try:
                body, headers = self._get_once(url)
            except GraphAPIError as error:
                if not error.retryable or attempt >= self._retry_budget(error):
                    raise
                adapted = self._adapt(url, error)
                if error.not_transient and adapted == url:  # `is_transient: false`: the same request again won't do
                    raise
                attempt += 1
                url = adapted
                wait = self._wait_for(error, attempt)
                log.warning("Graph API %s on %s; retry %d of %d in %.1f s", error.describe(), mask_url(url),
                            attempt, self.max_retries, wait)
                self._wait(wait)
                continue
            self._pace(headers)
            return body, url

    def _get_once(self, url: str) -> tuple[dict[str, Any], Mapping[str, str]]:
        # The first URL is ours and carries no token: send it in a header. A `next` URL already has it.
        headers = {} if "access_token=" in url else {"Authorization": f"Bearer {self._token}"}
        if self._proof and _query_value(url, "appsecret_proof") is None:  # a `next` that does not repeat it
            url += ("&" if urlsplit(url).query else "?") + f"appsecret_proof={self._proof}"
        try:
            # never follow a redirect: the token (query or header) would go wherever it points
            response = self._session.get(url, headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.Timeout:
            raise TransientError(
                f"the Graph API at {self.base_url} did not answer within {self.timeout} s: "
                "try again later or raise CIVIC_IDEAS_HTTP_TIMEOUT"
            ) from None
        except requests.RequestException as error:
            raise TransientError(
                f"cannot reach the Graph API at {self.base_url} ({type(error).__name__}): "
                "check FACEBOOK_GRAPH_URL and the network connection"
            ) from None
        except ValueError:  # requests parses a 3xx's Location even when not following it; urllib refuses this one
            raise GraphAPIError(
                f"the Graph API at {self.base_url} answered a redirect to an address that is not a valid URL: not "
                "followed, so the access token is not sent there. Check FACEBOOK_GRAPH_URL "
                "(https://graph.facebook.com) and any proxy between this machine and the Graph API") from None
        if 300 <= response.status_code < 400:
            raise self._redirect_error(url, response)
        if response.status_code == 200:
            body = _parse_body(response)
            if isinstance(body, dict) and "error" not in body:
                return body, response.headers
        raise GraphAPIError.from_response(response, secrets=(self._token, self._proof or ""))

    def _redirect_error(self, url: str, response: requests.Response) -> GraphAPIError:
        """A 3xx as one line naming where it pointed (scheme, host, port only: no path, no query)."""
        scheme, host, port = _origin(urljoin(url, response.headers.get("Location") or ""))
        return GraphAPIError(
            f"the Graph API at {self.base_url} answered HTTP {response.status_code}, a redirect to "
            f"{scheme}://{host}:{port}: not followed, so the access token is not sent there. Check "
            "FACEBOOK_GRAPH_URL (https://graph.facebook.com) and any proxy between this machine and the Graph API",
            http_status=response.status_code)

    def _retry_budget(self, error: GraphAPIError) -> int:
        # A Page token that is really a user token keeps getting this one; believe it after two retries.
        return min(2, self.max_retries) if isinstance(error, PageTokenRequired) else self.max_retries

    def _adapt(self, url: str, error: GraphAPIError) -> str:
        """After code 1 "reduce the amount of data", halve the `limit` in the URL (floor 1)."""
        limit = _query_value(url, "limit")
        if not isinstance(error, ReduceDataError) or limit is None or not limit.isdigit() or int(limit) <= 1:
            return url
        return _with_limit(url, max(1, int(limit) // 2))

    def _wait_for(self, error: GraphAPIError, attempt: int) -> float:
        """Seconds to wait before retry `attempt`: the announced wait, else exponential backoff, full jitter."""
        if error.retry_after > 0:
            wait = error.retry_after
        elif isinstance(error, RateLimitError):
            ceiling = self.rate_limit_wait * 2 ** (attempt - 1)
            wait = self._rng.uniform(ceiling / 2, ceiling)
        else:
            wait = self._rng.uniform(0, self.backoff_base * 2 ** (attempt - 1))
        return min(wait, self.max_wait_seconds)

    def _pace(self, headers: Mapping[str, str]) -> None:
        """Slow down before the limit bites: usage headers at `slowdown_percent` or an announced wait."""
        usage = parse_usage(headers)
        if usage.percent < self.slowdown_percent and usage.regain_seconds <= 0:
            return
        wait = min(max(usage.regain_seconds, self.slowdown_seconds), self.max_wait_seconds)
        log.info("Graph API usage at %d%%; pausing %.0f s", usage.percent, wait)
        self._wait(wait)

    def _wait(self, seconds: float) -> None:
        """Sleep, but stop at once with `ScanCancelled` when `cancel()` is called (with the real clock)."""
        if self._sleep is time.sleep:
            if self._cancelled.wait(seconds):
                raise ScanCancelled("the read was cancelled")
            return
        self._sleep(seconds)  # a test's virtual clock

