"""HTTP redirects are never followed by the Graph API client (nor, through it, by the Instagram reader): a 3xx would
take the token (in a `next` URL's query, or the Authorization header) to wherever it points. Real HTTP on loopback:
a "Graph API" that redirects, and a second server that records whatever reaches it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from sources.errors import GraphAPIError
from sources.facebook.client import FacebookReader
from sources.graph import GraphClient
from sources.instagram.client import InstagramReader

TOKEN = "EAAB-leftover-test-token-0123456789"
POST = "111_222"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.seen: list[str] = []  # request lines (path and query)
        self.status = 302
        self.target = ""  # base URL the redirects point at
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.seen.append(self.path + " " + (self.headers.get("Authorization") or ""))
        if self.server.target and (self.path.startswith("/v25.0/page2") or "/comments" not in self.path):
            self._send(self.server.status, b"", {"Location": self.server.target + self.path})
            return
        body = {"data": [{"id": f"{POST}_1", "message": "Flere bænke", "from": {"id": "9", "name": "x"}}],
                "paging": {"next": f"{self.server.url}/v25.0/page2?access_token={TOKEN}&after=QVFI"}}
        self._send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def servers() -> Iterator[tuple[_Server, _Server]]:
    graph, catcher = _Server(_Handler), _Server(_Handler)
    graph.target = catcher.url
    yield graph, catcher
    for server in (graph, catcher):
        server.shutdown()
        server.server_close()


def _check(error: GraphAPIError, status: int, graph: _Server, catcher: _Server) -> None:
    message = str(error)
    assert f"HTTP {status}" in message and catcher.url.removeprefix("http://") in message
    assert "FACEBOOK_GRAPH_URL" in message and "not followed" in message
    assert "\n" not in message and TOKEN not in message and "QVFI" not in message
    assert error.http_status == status and not error.retryable
    assert catcher.seen == []  # nothing, token or not, reached the other server


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_of_a_next_url_is_not_followed(servers: tuple[_Server, _Server], status: int) -> None:
    graph, catcher = servers
    graph.status = status
    with GraphClient(graph.url, "v25.0", TOKEN, sleep=lambda s: None) as client:
        with pytest.raises(GraphAPIError) as caught:
            FacebookReader(client).fetch_comments(POST)
    _check(caught.value, status, graph, catcher)
    # the first page (token in the header), then the `next` URL (token in its query), once: no retry
    assert [urlsplit(s.split()[0]).path for s in graph.seen] == [f"/v25.0/{POST}/comments", "/v25.0/page2"]


def test_the_instagram_reader_does_not_follow_a_redirect(servers: tuple[_Server, _Server]) -> None:
    graph, catcher = servers
    with GraphClient(graph.url, "v25.0", TOKEN, sleep=lambda s: None) as client:
        with pytest.raises(GraphAPIError) as caught:
            InstagramReader(client).fetch_media_comments("17912345678901234")
    _check(caught.value, 302, graph, catcher)
    assert len(graph.seen) == 1 and graph.seen[0].endswith(f"Bearer {TOKEN}")
