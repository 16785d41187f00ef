"""The Instagram reader applies the Facebook reader's access checks (`sources.graph`: comments without id, no author
at all), over real HTTP to the stand-in's Instagram mode: a token that cannot see usernames fails the media in one
line instead of making every comment a citizen of its own; a few comments without a username are warned about once
and still pseudonymised as before."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sources.errors import PageAccessError
from sources.graph import GraphClient
from sources.instagram.client import InstagramReader
from sources.standin import DEFAULT_TOKEN, GraphStandIn, load_dataset
from sources.standin.instagram import load_instagram
from transforms.imports import instagram_items

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
MEDIA = "17912345678901234"
HINTS = ("Page access token", "instagram_basic", "instagram_manage_comments", "pages_read_engagement")
SALT = b"leftover-test-salt"


def _serve() -> GraphStandIn:
    return GraphStandIn(load_dataset(SAMPLE / "facebook.json"), instagram=load_instagram(SAMPLE / "instagram.json"))


def _usernames() -> set[str]:
    data = load_instagram(SAMPLE / "instagram.json")
    names = set()
    for media in data["media"]:
        for comment in media["comments"]:
            names |= {comment["username"], *(r["username"] for r in comment.get("replies") or [])}
    return names


def test_no_username_at_all_fails_the_media_in_one_line() -> None:
    with _serve() as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=5) as client:
        standin.instagram.store.hide_authors()  # every citizen's; the account's own replies keep theirs
        with pytest.raises(PageAccessError) as caught:
            InstagramReader(client).fetch_media_comments(MEDIA)
    message = str(caught.value)
    assert "without a username" not in message and "with a username" in message and "none of its 16" in message
    assert "\n" not in message and DEFAULT_TOKEN not in message and all(hint in message for hint in HINTS)
    assert not any(name in message for name in _usernames())


def test_comments_without_ids_fail_at_the_first_page() -> None:
    with _serve() as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=5) as client:
        standin.instagram.store.hide_ids()
        with pytest.raises(PageAccessError, match="without their id") as caught:
            InstagramReader(client).fetch_media_comments(MEDIA)
    assert all(hint in str(caught.value) for hint in HINTS)
    assert len(standin.requests) == 2  # the media and the first page of comments, not every page for nothing


def test_a_few_comments_without_username_are_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    with _serve() as standin, GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, page_limit=5) as client:
        standin.instagram.store.hide_authors({"mette.holm_", "rasmus_kj"})
        with caplog.at_level(logging.WARNING, logger="sources.instagram.client"):
            scan = InstagramReader(client).fetch_media_comments(MEDIA)
    warnings = [r.getMessage() for r in caplog.records if r.name == "sources.instagram.client"]
    assert warnings == [f"Instagram media {MEDIA}: 2 of 16 comments came without a username; each counts as a "
                        "citizen of its own"]
    assert len(scan.comments) == 18 and scan.complete
    items = instagram_items(scan.comments, owner_id=scan.owner_id, owner_username=scan.owner_username, salt=SALT)
    keyed = items.set_index("item_id")["author_key"]
    assert keyed["18000000000000001"] is None and keyed["18000000000000003"] is None  # a citizen of its own each
    assert keyed.notna().sum() == 16 and keyed.dropna().nunique() == 15  # the account's two replies share a key
    stored = items.to_csv()
    assert not any(name in stored for name in _usernames())  # still pseudonymised at the boundary
