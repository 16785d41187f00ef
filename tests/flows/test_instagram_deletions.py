"""Deletions on Instagram lose nothing they should not (found in the session's review): a comment deleted while its
replies are read loses its replies, not the whole media; a media answering "does not exist" (which also means "cannot
be loaded due to missing permissions") is dropped only when the next run says so too, as a Facebook post is; an
ordinary deletion keeps the fitted topic models; a mention with a Danish letter is replaced whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_instagram_e2e import MEDIA, SLUG, World, world  # noqa: F401 - `world` is the fixture

from sources.errors import DeletedObject
from sources.graph import ScanProgress
from sources.instagram.client import InstagramReader
from transforms.imports import instagram_items


def _items(w: World) -> int:
    return w.q("select count(*) from stg_imported_items where channel = 'instagram' and consultation = $c",
               c=SLUG)[0][0]


def test_a_media_answering_does_not_exist_once_keeps_its_comments_and_twice_drops_them(world: World) -> None:  # noqa: F811
    world.run()
    stored = _items(world)
    assert stored == 18
    world.standin.instagram.store.delete_media(MEDIA)
    world.cli("ingest", "--config", str(world.config))
    assert _items(world) == stored  # one answer is not believed: a token may have lost access to the account
    world.cli("ingest", "--config", str(world.config))
    assert _items(world) == 0  # the second run in a row says so too: the media is gone


def test_a_comment_deleted_on_instagram_keeps_the_topic_models(world: World,  # noqa: F811
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVIC_IDEAS_REFIT_HOURS", "24")
    world.run()
    models = world.q("select count(*) from core_topic_models")[0][0]
    assert models >= 1
    world.standin.instagram.store.delete_comment("18000000000000001")
    world.cli("ingest", "--config", str(world.config))
    assert _items(world) == 15  # the comment and its two replies went
    assert world.q("select count(*) from core_topic_models")[0][0] == models  # not an erasure: models stay


class _Client:
    """A GraphClient's paging surface, where the replies edge of one comment answers 100/33 (deleted meanwhile)."""

    page_limit = 100

    def iter_pages(self, path: str, params: dict[str, str], progress: ScanProgress) -> Iterator[dict[str, Any]]:
        progress.requests += 1
        if path == "m1":
            yield {"id": "m1", "owner": {"id": "1"}}
        elif path == "m1/comments":
            reply = {"id": "r1", "text": "Enig", "timestamp": "2026-11-30T10:00:00+0000", "username": "b"}
            yield {"data": [
                {"id": "c1", "text": "Byg en scene", "timestamp": "2026-11-30T09:00:00+0000", "username": "a",
                 "replies": {"data": [reply], "paging": {"next": "https://graph/c1/replies?after=x"}}},
                {"id": "c2", "text": "Flere bænke", "timestamp": "2026-11-30T09:30:00+0000", "username": "c"},
            ]}
        elif path == "c1/replies":
            raise DeletedObject("(#100) does not exist", code=100, subcode=33)
        else:
            raise AssertionError(path)


def test_a_comment_deleted_while_its_replies_are_read_loses_its_replies_not_the_media() -> None:
    scan = InstagramReader(_Client()).fetch_media_comments("m1")  # type: ignore[arg-type]
    assert not scan.media_deleted and scan.complete
    assert {c["id"] for c in scan.comments} == {"c1", "r1", "c2"}


def test_a_mention_with_a_danish_letter_is_replaced_whole() -> None:
    items = instagram_items([{"id": "1", "text": "Spørg @Søren_h og @ærlig.åse om det", "username": "x",
                              "timestamp": "2026-11-30T09:00:00+0000"}], owner_id=None, owner_username=None,
                            salt=b"s" * 32)
    text = items["text"].iloc[0]
    assert text == "Spørg @[navn] og @[navn] om det"


def test_a_reply_written_after_its_comment_was_erased_stays_out(world: World) -> None:  # noqa: F811
    world.run()
    world.cli("forget", "--comment-id", "instagram:18000000000000001")
    world.standin.instagram.store.add_comment(MEDIA, "Helt enig, og lav også en bålplads", "ny_bruger",
                                              parent_id="18000000000000001")
    world.cli("ingest", "--config", str(world.config))
    assert world.q("select count(*) from stg_imported_items where parent_id = 'instagram:18000000000000001'"
                   " or item_id = '18000000000000001'")[0][0] == 0
    assert _items(world) == 15  # the erased comment, its two replies and the new reply stay out; the rest is there


def test_the_accounts_reply_is_its_own_by_username_when_its_id_differs() -> None:
    comments = [{"id": "9", "text": "Tak for idéen, vi tager den med /Anne", "username": "SilkeborgKommune",
                 "from": {"id": "555", "username": "SilkeborgKommune"}, "timestamp": "2026-11-30T09:00:00+0000",
                 "parent_id": "8"}]
    items = instagram_items(comments, owner_id="17841401234567890", owner_username="silkeborgkommune",
                            salt=b"s" * 32)
    assert bool(items["is_page_reply"].iloc[0])
