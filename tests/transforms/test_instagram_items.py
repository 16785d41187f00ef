"""Instagram comments to channel items (pure): usernames keyed, mentions taken out, replies keep their parent, the
account's own comments marked; and as comments for idea detection (likes, replies, mentions as tags, hidden)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from transforms.imports import (
    ImportDataError,
    as_comments,
    check_channel,
    instagram_author_key,
    instagram_items,
    mention_spans,
)
from transforms.pseudonym import author_key
from transforms.select import comment_kinds, select_ideas

SALT = b"instagram-items-test-salt"
OWNER = "17841401234567890"
COMMENTS = [
    {"id": "1801", "text": "Byg en stor legeplads ved @Aarhusvej_skolen og @mette.h 🌳", "timestamp":
     "2014-05-03T08:00:00+0000", "username": "Jens.P", "from": {"id": "9001", "username": "Jens.P"},
     "like_count": 14, "hidden": False},
    {"id": "1802", "text": "Tak! /Anne, Silkeborg Kommune", "timestamp": "2014-05-03T09:00:00+0000",
     "username": "silkeborgkommune", "from": {"id": OWNER, "username": "silkeborgkommune"}, "like_count": 2,
     "parent_id": "1801", "hidden": False},
    {"id": "1803", "text": "@jens.p @ulla_b se her!", "timestamp": "2014-05-03T10:00:00+0000",
     "username": "anette.k", "like_count": 0, "parent_id": "1801"},
    {"id": "1804", "text": "Lav flere cykelstier i byen", "timestamp": "bad", "username": "", "hidden": True},
]


def _items() -> pd.DataFrame:
    return instagram_items(COMMENTS, owner_id=OWNER, owner_username=None, salt=SALT)


def test_usernames_become_keys_and_mentions_leave_the_text() -> None:
    items = _items()
    text = json.dumps(items.astype(str).to_dict("records"), ensure_ascii=False)
    for name in ("Jens.P", "jens.p", "mette.h", "ulla_b", "anette.k", "Aarhusvej_skolen", "9001"):
        assert name not in text
    assert items["text"].tolist()[0] == "Byg en stor legeplads ved @[navn] og @[navn] 🌳"
    assert items["author_key"].tolist()[0] == instagram_author_key("jens.p", SALT) == instagram_author_key(
        " @JENS.P", SALT)
    assert instagram_author_key("jens.p", SALT) != author_key("jens.p", SALT)  # not a Facebook id's key
    assert items["author_key"].tolist()[3] is None and pd.isna(items["created_at"].tolist()[3])


def test_replies_keep_their_parent_and_the_accounts_own_comments_are_marked() -> None:
    items = _items()
    assert items["parent_id"].tolist() == [None, "instagram:1801", "instagram:1801", None]
    assert items["is_page_reply"].tolist() == [False, True, False, False]
    assert items["like_count"].tolist() == [14, 2, 0, 0] and items["is_hidden"].tolist() == [False, False, False,
                                                                                              True]
    by_name = instagram_items(COMMENTS[1:2], owner_id=None, owner_username="SilkeborgKommune", salt=SALT)
    assert by_name["is_page_reply"].tolist() == [True]


def test_as_comments_carries_likes_replies_mentions_and_hidden_into_detection() -> None:
    items = _items().assign(consultation="motorvejsoverdaekning")
    comments = as_comments(items, "instagram")
    assert comments["comment_id"].tolist() == ["instagram:1801", "instagram:1802", "instagram:1803",
                                               "instagram:1804"]
    assert comments["reply_count"].tolist() == [2, 0, 0, 0] and comments["like_count"].tolist() == [14, 2, 0, 0]
    assert mention_spans("@[navn] @[navn] se her!") == "[[0, 7], [8, 7]]"
    kinds = comment_kinds(comments)
    assert kinds["kind"].tolist() == ["idea", "staff", "tag", "off_topic"]  # the last an idea, but hidden
    assert kinds["kind_reason"].iloc[3].startswith("hidden on the Page")
    ideas = select_ideas(comments, "instagram", kinds=kinds)
    assert ideas["idea_id"].tolist() == ["instagram:1801"] and ideas["like_count"].tolist() == [14]
    assert "@[navn]" not in ideas["text"].iloc[0] and "[navn]" in ideas["text"].iloc[0]


def test_a_file_import_keeps_its_shape_and_cannot_take_the_instagram_channel() -> None:
    items = pd.DataFrame({"consultation": ["k"], "item_id": ["1"], "text": ["Flere træer"],
                          "created_at": [pd.Timestamp("2014-05-12", tz="UTC")], "author_key": [None]})
    comments = as_comments(items, "borgermoede")
    assert comments[["parent_id", "like_count", "reply_count", "is_hidden", "is_page_reply",
                     "tag_spans"]].iloc[0].tolist() == [None, 0, 0, False, False, None]
    with pytest.raises(ImportDataError, match="the channel instagram is the Graph API's"):
        check_channel("instagram")
    with pytest.raises(ImportDataError, match="an Instagram username is needed"):
        instagram_author_key(" @ ", SALT)
