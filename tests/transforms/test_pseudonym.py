"""Author pseudonyms: keyed, deterministic, and no name or user id left in a pseudonymised comment."""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.pseudonym import author_key, new_salt, pseudonymise_comment, pseudonymise_comments

SALT = b"civic-ideas-test-salt"
PAGE_ID = "123456789012345"


def walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair at any depth; list items come with key None."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v)
    elif isinstance(value, list):
        for item in value:
            yield None, item
            yield from walk(item)


def strings(value: Any) -> list[str]:
    """Every string value at any depth."""
    return [v for _, v in walk(value) if isinstance(v, str)]


def comment(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "987654321098765_1111",
        "message": "Søren Ærø: flere bænke ved søen!",
        "created_time": "2014-05-02T09:00:00+0000",
        "from": {"id": "100004567890123", "name": "Karen Blixen"},
        "like_count": 3,
        "message_tags": [{"id": "100009999999999", "name": "Søren Ærø", "type": "user", "offset": 0, "length": 9}],
        "parent": {
            "id": "987654321098765_1000",
            "message": "Hvad mangler I?",
            "from": {"id": PAGE_ID, "name": "Silkeborg Kommune"},
            "created_time": "2014-05-02T08:00:00+0000",
        },
        "attachment": {"type": "photo", "url": "https://www.facebook.com/photo.php?fbid=1"},
    }
    base.update(overrides)
    return base


def test_author_key_is_a_truncated_hmac() -> None:
    assert author_key("100004567890123", SALT) == "8aa838284b9d59e8"  # pinned: a change would re-key every author


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), st.binary(min_size=1, max_size=200))
def test_author_key_is_hmac_sha256_for_any_id_and_salt_length(user_id: str, salt: bytes) -> None:
    """The precomputed pads give RFC 2104's value, also for a salt longer than SHA-256's 64-byte block."""
    assert author_key(user_id, salt) == hmac.new(salt, user_id.encode(), hashlib.sha256).hexdigest()[:16]


def test_author_key_rejects_an_empty_salt() -> None:
    with pytest.raises(ValueError, match="salt"):
        author_key("1", b"")
    with pytest.raises(ValueError, match="salt"):
        pseudonymise_comment(comment(), b"", PAGE_ID)


def test_new_salt_is_random_and_32_bytes() -> None:
    a, b = new_salt(), new_salt()
    assert len(a) == 32 and a != b


def test_comment_is_pseudonymised() -> None:
    out = pseudonymise_comment(comment(), SALT, PAGE_ID)
    assert out == {
        "id": "987654321098765_1111",
        "message": "Søren Ærø: flere bænke ved søen!",  # the text is redacted later, by its tag spans
        "created_time": "2014-05-02T09:00:00+0000",
        "from": {"author_key": author_key("100004567890123", SALT), "is_page": False},
        "like_count": 3,
        "message_tags": [{"id": author_key("100009999999999", SALT), "type": "user", "offset": 0, "length": 9}],
        "parent": {"id": "987654321098765_1000"},
        "attachment": {"type": "photo", "url": "https://www.facebook.com/photo.php?fbid=1"},
    }


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ({"id": PAGE_ID, "name": "Silkeborg Kommune"}, {"author_key": author_key(PAGE_ID, SALT), "is_page": True}),
        ({"id": "42", "name": "Anne"}, {"author_key": author_key("42", SALT), "is_page": False}),
        ({"name": "Anne"}, {"author_key": None, "is_page": False}),
        ({}, {"author_key": None, "is_page": False}),
        (None, {"author_key": None, "is_page": False}),
    ],
)
def test_from(author: Any, expected: dict[str, Any]) -> None:
    assert pseudonymise_comment(comment(**{"from": author}), SALT, PAGE_ID)["from"] == expected


def test_absent_from_stays_absent() -> None:
    raw = comment()
    del raw["from"]
    assert "from" not in pseudonymise_comment(raw, SALT, PAGE_ID)


@pytest.mark.parametrize(
    ("parent", "expected"),
    [
        ({"id": "1_2"}, {"id": "1_2"}),
        ({"id": "1_2", "message": "hej", "from": {"id": "3", "name": "Bo"}}, {"id": "1_2"}),
        ("1_2", {"id": "1_2"}),
    ],
)
def test_parent_is_reduced_to_its_id(parent: Any, expected: dict[str, Any]) -> None:
    assert pseudonymise_comment(comment(parent=parent), SALT, PAGE_ID)["parent"] == expected


def test_top_level_comment_has_no_parent() -> None:
    raw = comment()
    del raw["parent"]
    assert "parent" not in pseudonymise_comment(raw, SALT, PAGE_ID)


def test_tags_without_id_and_in_the_old_keyed_form() -> None:
    tags = [{"name": "Bo", "type": "user", "offset": 0, "length": 2}]
    assert pseudonymise_comment(comment(message_tags=tags), SALT, PAGE_ID)["message_tags"] == [
        {"type": "user", "offset": 0, "length": 2}
    ]
    keyed = {"0": [{"id": "7", "name": "Bo", "type": "user", "offset": 0, "length": 2}]}
    assert pseudonymise_comment(comment(message_tags=keyed), SALT, PAGE_ID)["message_tags"] == {
        "0": [{"id": author_key("7", SALT), "type": "user", "offset": 0, "length": 2}]
    }


def test_other_people_anywhere_are_dropped() -> None:
    raw = comment(
        admin_creator={"id": "555", "name": "Anne fra kommunen"},
        comments={"data": [{"id": "1_3", "message": "enig", "from": {"id": "6", "name": "Ib"}}]},
        attachment={"type": "share", "target": {"id": "9", "name": "Nogen"}, "title": "Plan"},
    )
    out = pseudonymise_comment(raw, SALT, PAGE_ID)
    assert "admin_creator" not in out
    assert out["comments"] == {"data": [{"id": "1_3", "message": "enig"}]}
    # a nested {id, name} object is a person or Page reference: the name goes, the id is keyed
    assert out["attachment"] == {"type": "share", "target": {"id": author_key("9", SALT)}, "title": "Plan"}


def test_input_is_not_mutated_and_output_shares_nothing_with_it() -> None:
    raw = comment(comments={"data": [{"id": "1_3", "from": {"id": "6", "name": "Ib"}}]})
    before = copy.deepcopy(raw)
    out = pseudonymise_comment(raw, SALT, PAGE_ID)
    assert raw == before
    out["attachment"]["url"] = "changed"
    out["comments"]["data"].append({})
    assert raw == before


def test_pseudonymise_comments_keeps_order() -> None:
    raws = [comment(id="a"), comment(id="b", **{"from": {"id": PAGE_ID}})]
    out = pseudonymise_comments(iter(raws), SALT, PAGE_ID)
    assert [c["id"] for c in out] == ["a", "b"]
    assert [c["from"]["is_page"] for c in out] == [False, True]


# --- properties ------------------------------------------------------------------------------------------------------

user_ids = st.integers(10**14, 10**17).map(str)  # Graph API user ids: 15-17 digits, as strings
# Names start with a capital that occurs in no hex key, timestamp or fixed text below, so finding one is a leak.
names = st.builds(
    str.__add__,
    st.sampled_from("GHJKLMNOPRSUVYZÆØÅ"),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå -'", max_size=20),
)
salts = st.binary(min_size=1, max_size=64)


@given(user_ids, salts)
def test_author_key_is_deterministic_and_hides_the_id(user_id: str, salt: bytes) -> None:
    key = author_key(user_id, salt)
    assert key == author_key(user_id, salt)
    assert len(key) == 16 and set(key) <= set("0123456789abcdef")
    assert user_id not in key


@given(user_ids, salts, salts)
def test_author_key_differs_between_salts(user_id: str, salt_a: bytes, salt_b: bytes) -> None:
    if salt_a != salt_b:
        assert author_key(user_id, salt_a) != author_key(user_id, salt_b)


@given(
    author_id=user_ids,
    author_name=names,
    tagged=st.lists(st.tuples(user_ids, names), max_size=3),
    parent_author=st.tuples(user_ids, names),
    salt=salts,
    page_id=st.sampled_from([PAGE_ID, "100004567890123"]),
)
def test_no_name_or_user_id_survives(author_id: str, author_name: str, tagged: list[tuple[str, str]],
                                     parent_author: tuple[str, str], salt: bytes, page_id: str) -> None:
    raw = {
        "id": "987654321098765_1111",
        "message": "flere bænke 😀",
        "created_time": "2014-05-02T09:00:00+0000",
        "from": {"id": author_id, "name": author_name},
        "message_tags": [{"id": i, "name": n, "type": "user", "offset": 0, "length": 1} for i, n in tagged],
        "parent": {"id": "987654321098765_1000", "message": "?", "from": {"id": parent_author[0],
                                                                           "name": parent_author[1]}},
        "comments": {"data": [{"id": "987654321098765_1112", "from": {"id": author_id, "name": author_name}}]},
    }
    before = copy.deepcopy(raw)
    out = pseudonymise_comment(raw, salt, page_id)
    assert raw == before
    assert all(key != "name" for key, _ in walk(out))
    secrets_ = [author_id, author_name, parent_author[0], parent_author[1], *(x for pair in tagged for x in pair)]
    for value in strings(out):
        for secret in secrets_:
            assert secret not in value
    assert out["from"] == {"author_key": author_key(author_id, salt), "is_page": author_id == page_id}
    assert out == pseudonymise_comment(raw, salt, page_id)
