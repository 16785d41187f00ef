"""A local Graph API stand-in: serves a dataset over real HTTP on 127.0.0.1 the way graph.facebook.com does.

Used by the demo and the tests, never by a production run unless asked for. Behaviour follows the Graph API as
documented and observed: versioned paths, token kinds, `fields` expansion, the
comments edge (`filter`, `order`, `summary`, `since`), cursor paging whose `next` carries the token, error
bodies, injectable faults by request number, and rate-limit headers on a virtual clock.

    with GraphStandIn(load_dataset("data/sample/facebook.json")) as standin:
        FacebookReader(GraphClient(standin.url, "v25.0", DEFAULT_TOKEN)).fetch_comments(post_id)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sources.standin.data import View
from sources.standin.edges import EdgeRequest, Reader
from sources.standin.faults import (
    FAULTS,
    HTML_502,
    GraphFault,
    RateLimiter,
    Scenario,
    VirtualClock,
    buc_header,
    catalog_fault,
    expired_token_fault,
    graph_error,
    minimal,
)
from sources.standin.instagram import InstagramReader

DEFAULT_TOKEN = "standin-page-token"
JSON_TYPE = "application/json; charset=UTF-8"
_VERSION = re.compile(r"^v\d+\.\d+$")
_TOKEN_FAULTS = {"invalid": "code190_467", "lost_role": "code190_492", "password_changed": "code190_460"}


def load_dataset(path: str | Path) -> dict[str, Any]:
    """Read a `facebook.json` dataset (format in docs/interfaces.md)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the stand-in received it (the Authorization header is left out)."""

    number: int
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    bearer: bool

    def values(self, key: str) -> list[str]:
        """Every value of a query parameter, in order (a list, so duplicates show)."""
        return [v for k, v in self.query if k == key]

    def param(self, key: str) -> str | None:
        """The first value of a query parameter, or None."""
        found = self.values(key)
        return found[0] if found else None


@dataclass
class Reply:
    """What the handler writes back."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False


class GraphStandIn:
    """A Graph API look-alike on 127.0.0.1 (port chosen by the OS) in a daemon thread.

    `tokens` maps token -> kind: page, page_no_moderate (a Page token whose user cannot do the MODERATE task:
    comments come without `id` and citizens' `from`), user, expired, invalid, lost_role or password_changed
    (default: one page token, `DEFAULT_TOKEN`). Unknown tokens get 190 "Invalid OAuth access token". `/me` is the
    Page for page tokens and a user of its own for user tokens.
    """

    def __init__(self, dataset: dict[str, Any], *, tokens: dict[str, str] | None = None,
                 scenario: Scenario | None = None, instagram: dict[str, Any] | None = None) -> None:
        self.reader = Reader(dataset)
        # Instagram mode: the account's media and comments (sources.standin.instagram), beside the Page's posts
        self.instagram = InstagramReader(instagram) if instagram is not None else None
        self.store = self.reader.store
        self.tokens = dict(tokens) if tokens is not None else {DEFAULT_TOKEN: "page"}
        self.scenario = scenario or Scenario()
        self.clock = VirtualClock()
        self.requests: list[RecordedRequest] = []
        self.statuses: dict[int, int] = {}  # request number -> HTTP status sent (0: connection reset)
        self._injected: dict[int, str] = {}
        self._limiter: RateLimiter | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> GraphStandIn:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="graph-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GraphStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, `http://127.0.0.1:PORT`."""
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- test controls ---------------------------------------------------------------------------------------
    def inject(self, number: int, fault: str) -> None:
        """Answer request number `number` (counted from 1) with `fault` (one of `FAULTS`)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)}")
        with self._lock:
            self._injected[number] = fault

    def inject_next(self, *faults: str) -> None:
        """Answer the next requests, in turn, with `faults`."""
        start = len(self.requests) + 1
        for offset, fault in enumerate(faults):
            self.inject(start + offset, fault)

    def delete_comment(self, comment_id: str) -> list[str]:
        """Delete a comment and its replies; return the ids that went."""
        return self.store.delete_comment(comment_id)

    def delete_post(self, post_id: str) -> None:
        """Delete a post and its comments."""
        self.store.delete_post(post_id)

    def edit_comment(self, comment_id: str, message: str) -> None:
        """Change a comment's message."""
        self.store.edit_comment(comment_id, message)

    def add_comment(self, post_id: str, message: str | None = None, **kwargs: Any) -> str:
        """Add a comment or, with `parent_id=`, a reply; return its id."""
        return self.store.add_comment(post_id, message, **kwargs)

    # -- serving ---------------------------------------------------------------------------------------------
    def answer(self, method: str, target: str, headers: dict[str, str]) -> Reply:
        """Record a request and build its reply (called by the handler thread)."""
        parts = urlsplit(target)
        query = parse_qsl(parts.query, keep_blank_values=True)
        auth = headers.get("Authorization", "")
        kept = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        with self._lock:
            number = len(self.requests) + 1
            self.requests.append(RecordedRequest(number, method, parts.path, query, kept, bool(auth)))
            fault = self._injected.pop(number, None) or self.scenario.faults.get(number)
        if self.scenario.before_request is not None:
            self.scenario.before_request(number)
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        token = dict(query).get("access_token") or bearer
        reply = self._reply(method, parts.path, query, token, number, fault)
        self.statuses[number] = reply.status
        return reply

    def _reply(self, method: str, path: str, query: list[tuple[str, str]], token: str | None,
               number: int, fault: str | None) -> Reply:
        version, segments = _split_path(path)
        served = self.scenario.served_version or version or self.scenario.default_version
        meta = _meta_headers(served)
        if self.scenario.latency_seconds > 0:
            time.sleep(self.scenario.latency_seconds)
        if fault == "reset":
            return Reply(0, reset=True)
        if fault == "html502":
            return Reply(502, HTML_502, "text/html; charset=utf-8", meta)
        if fault == "non_json":
            return Reply(200, b"Service Unavailable", JSON_TYPE, meta)
        if fault == "slow":
            time.sleep(self.scenario.slow_seconds)
        try:
            if fault is not None and fault != "slow":
                raise self._fault(fault)
            body, usage = self._dispatch(method, segments, query, token, served, number)
            return Reply(200, _dump(body), JSON_TYPE, {**meta, **usage})
        except GraphFault as error:
            if self.scenario.minimal_errors:
                error = minimal(error)
            elif "type" in error.body["error"]:  # minimal bodies (code 1 "reduce") carry no trace id
                error.body["error"]["fbtrace_id"] = meta["x-fb-trace-id"]
            return Reply(error.status, _dump(error.body), JSON_TYPE, {**meta, **_auth_header(error), **error.headers})

    def _fault(self, name: str) -> GraphFault:
        if name == "code190_463":
            return expired_token_fault(self.clock.now())
        fault = catalog_fault(name, code4_status=self.scenario.code4_status)
        if name == "code80001":
            fault.headers.update(buc_header(self.store.page["id"], 100, self.scenario.regain_minutes))
        return fault

    def _dispatch(self, method: str, segments: list[str], query: list[tuple[str, str]], token: str | None,
                  served: str, number: int) -> tuple[dict[str, Any], dict[str, str]]:
        kind = self._authenticate(token)
        self._check_proof(token or "", dict(query).get("appsecret_proof"))
        usage = self._usage(token or "", "page" if kind.startswith("page") else kind)
        if method != "GET":
            raise graph_error(400, 100, f"Unsupported {method.lower()} request.", type_="GraphMethodException")
        if not segments or len(segments) > 2:
            raise graph_error(400, 2500, f"Unknown path components: /{'/'.join(segments)}")
        view = View(kind, self.scenario.user_token_mode, self.scenario.omit_from_authors,
                    self.scenario.omit_comment_ids)
        request = EdgeRequest(self.scenario.next_base or self.url, served, query, token, number, view, self.scenario)
        if self.instagram is not None and self.instagram.store.handles(segments[0]):
            return self.instagram.read(segments, query, base=request.base, version=served, token=token), usage
        with self.store.lock:
            return self.reader.read(segments, request), usage

    def _authenticate(self, token: str | None) -> str:
        if not token:
            raise graph_error(400, 104, "An access token is required to request this resource.")
        kind = self.tokens.get(token)
        if kind is None:
            raise graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if kind == "expired":
            raise expired_token_fault(self.clock.now())
        if kind in _TOKEN_FAULTS:
            raise catalog_fault(_TOKEN_FAULTS[kind])
        return kind

    def _check_proof(self, token: str, proof: str | None) -> None:
        """With `scenario.app_secret` set ("Require App Secret" on), appsecret_proof must be HMAC-SHA256(secret,
        token) in hex; the errors are the Graph API's."""
        secret = self.scenario.app_secret
        if secret is None:
            return
        if not proof:
            raise graph_error(400, 100, "API calls from the server require an appsecret_proof argument",
                              type_="GraphMethodException")
        expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(proof, expected):
            raise graph_error(400, 100, "Invalid appsecret_proof provided in the API argument",
                              type_="GraphMethodException")

    def _usage(self, token: str, kind: str) -> dict[str, str]:
        limit = self.scenario.rate_limit
        if limit is None:
            return {}
        with self._lock:
            if self._limiter is None or self._limiter.limit is not limit:
                self._limiter = RateLimiter(limit, self.clock)
            limiter = self._limiter
        return limiter.check(token, kind, self.store.page["id"])


def _split_path(path: str) -> tuple[str | None, list[str]]:
    segments = [s for s in path.split("/") if s]
    if segments and _VERSION.match(segments[0]):
        return segments[0], segments[1:]
    return None, segments


def _meta_headers(version: str) -> dict[str, str]:
    return {
        "facebook-api-version": version,
        "x-fb-trace-id": secrets.token_urlsafe(8)[:11],
        "x-fb-request-id": secrets.token_urlsafe(16)[:23],
        "x-fb-rev": str(1_000_000_000 + secrets.randbelow(10**9)),
        "X-FB-Debug": secrets.token_urlsafe(66),
        "Cache-Control": "private, no-cache, no-store, must-revalidate",
        "Expires": "Sat, 01 Jan 2000 00:00:00 GMT",
        "Pragma": "no-cache",
        "Access-Control-Allow-Origin": "*",
    }


def _auth_header(error: GraphFault) -> dict[str, str]:
    """`WWW-Authenticate` as graph.facebook.com sends it with token errors (190, 102; 104 when none was sent)."""
    body = error.body["error"]
    if body.get("code") not in (102, 104, 190):
        return {}
    kind = "invalid_request" if body.get("code") == 104 else "invalid_token"
    message = str(body.get("message", "")).replace('"', "'")
    return {"WWW-Authenticate": f'OAuth "Facebook Platform" "{kind}" "{message}"'}


def _dump(body: dict[str, Any]) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (half an emoji): JSON's \\u escapes can say it, UTF-8 cannot
        return json.dumps(body, separators=(",", ":")).encode("ascii")
    except RecursionError:  # nested deeper than `json` recurses (a test's hostile comment): write it iteratively
        return _dump_deep(body).encode("utf-8", errors="surrogatepass")


def _dump_deep(body: Any) -> str:
    """JSON text of `body` with an explicit stack instead of recursion (any depth)."""
    out: list[str] = []
    stack: list[Any] = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, _Raw):
            out.append(item.text)
        elif isinstance(item, dict):
            parts: list[Any] = [_Raw("{")]
            for index, (key, value) in enumerate(item.items()):
                parts += [_Raw(("," if index else "") + json.dumps(str(key), ensure_ascii=False) + ":"), value]
            stack.extend(reversed([*parts, _Raw("}")]))
        elif isinstance(item, list):
            parts = [_Raw("[")]
            for index, value in enumerate(item):
                parts += [_Raw(",")] * bool(index) + [value]
            stack.extend(reversed([*parts, _Raw("]")]))
        else:
            out.append(json.dumps(item, ensure_ascii=False))
    return "".join(out)


@dataclass(frozen=True)
class _Raw:
    text: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: GraphStandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, resets) are expected here; say nothing."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would stall each by ~40 ms
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        reply = self.server.standin.answer(self.command, self.path, dict(self.headers.items()))
        if reply.reset:
            self._reset()
            return
        try:
            self.send_response(reply.status)
            for name, value in {**reply.headers, "Content-Type": reply.content_type}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True

    def _reset(self) -> None:
        # Linger 0 makes close() send RST: the client sees a connection reset with no response at all.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr log: its request line carries the access token."""
