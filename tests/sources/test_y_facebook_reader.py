"""Facebook's reading is a channel package over the shared client (issue 21): `FacebookReader` and `InstagramReader`
read through one `GraphClient` (one token, one set of sessions, one cancel), the client's node read retries like every
call, and the page-progress callback belongs to the reader's thread. Real stand-in over loopback."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from graphkit import POST_ID, Sleeper, make_dataset

from sources.facebook.client import POST_FIELDS, FacebookReader
from sources.graph import GraphClient, ScanCancelled, ScanProgress
from sources.instagram.client import InstagramReader
from sources.standin import DEFAULT_TOKEN, GraphStandIn
from sources.standin.instagram import load_instagram

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
MEDIA = "17912345678901234"


def test_one_client_serves_both_channels_and_one_cancel_stops_both() -> None:
    with GraphStandIn(make_dataset(5), instagram=load_instagram(SAMPLE / "instagram.json")) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2) as client:
        facebook, instagram = FacebookReader(client), InstagramReader(client)
        assert len(facebook.fetch_comments(POST_ID).comments) == 5
        assert instagram.fetch_media_comments(MEDIA).complete
        client.cancel()
        before = len(standin.requests)
        with pytest.raises(ScanCancelled):
            facebook.fetch_post(POST_ID)
        with pytest.raises(ScanCancelled):
            instagram.fetch_media_comments(MEDIA)
        assert len(standin.requests) == before  # nothing was sent after the cancel
        client.resume()
        assert facebook.fetch_post(POST_ID)["id"] == POST_ID


def test_a_node_read_retries_a_transient_fault_like_every_call() -> None:
    with GraphStandIn(make_dataset(2)) as standin:
        standin.inject(1, "code2")
        sleeper = Sleeper(standin.clock)
        with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, sleep=sleeper) as client:
            progress = ScanProgress()
            body = client.get_node(POST_ID, {"fields": POST_FIELDS}, progress)
    assert body["id"] == POST_ID and progress.requests == 2 == len(standin.requests) and len(sleeper.waits) == 1


def test_page_progress_is_reported_to_the_reading_thread_only() -> None:
    with GraphStandIn(make_dataset(6)) as standin, \
            GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=2) as client:
        reader = FacebookReader(client)
        seen: list[tuple[int, int]] = []
        with reader.reporting_pages(lambda pages, comments: seen.append((pages, comments))):
            other = threading.Thread(target=reader.fetch_comments, args=(POST_ID,))
            other.start()
            other.join(timeout=30)
            assert seen == []  # another thread's read of the same reader reports nothing here
            reader.fetch_comments(POST_ID)
        reader.fetch_comments(POST_ID)  # after the block: no more reports
    assert seen == [(1, 2), (2, 4), (3, 6)]
