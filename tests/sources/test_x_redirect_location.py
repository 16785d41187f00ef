"""A redirect whose Location is not a readable URL (a broken or hostile proxy) is still the Graph client's one-line
GraphAPIError, not a ValueError from urllib. Real HTTP on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sources.errors import GraphAPIError
from sources.facebook.client import FacebookReader
from sources.graph import GraphClient

TOKEN = "EAAB-x-review-token-0123456789"


class _Redirecting(BaseHTTPRequestHandler):
    location = ""

    def log_message(self, *args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(302)
        self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def graph_url(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_Redirecting,), {"location": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("graph_url", [f"http://[::1/x?access_token={TOKEN}", "//[bad", "http://h:99999/"],
                         indirect=True)
def test_an_unreadable_redirect_target_is_one_graph_error_line(graph_url: str) -> None:
    with GraphClient(graph_url, "v25.0", TOKEN, sleep=lambda s: None) as client:
        with pytest.raises(GraphAPIError) as caught:
            FacebookReader(client).fetch_comments("111_222")
    message = str(caught.value)
    assert "redirect" in message and "not followed" in message and "FACEBOOK_GRAPH_URL" in message
    assert "\n" not in message and TOKEN not in message
    assert not caught.value.retryable
