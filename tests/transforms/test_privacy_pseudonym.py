"""Issue 6, pseudonyms: a keyed hash replaces every user id, no name is left at any depth, and the input is untouched.

The properties generate Graph API comments with people in every place the API can put them: the author, tagged
friends, the expanded parent, replies expanded under a comment, reactions.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.pseudonym import author_key, new_salt, pseudonymise_comment, pseudonymise_comments

PAGE_ID = "169211373112345"
SALT = b"issue-6-test-salt"

user_ids = st.text("0123456789", min_size=15, max_size=17).map(lambda d: "1000" + d)
names = st.builds(
    lambda first, last: f"{first} {last}",
    st.sampled_from(["Zacharias", "Åse", "Bjørn", "Mette-Marie", "Søren", "Ida 🌸"]),
    st.sampled_from(["Quistgaard-Ølholm", "Ærø", "Nørgaard", "Jensen", "Østergård"]),
)
people = st.builds(lambda i, n: {"id": i, "name": n}, user_ids, names)
salts = st.one_of(st.binary(min_size=1, max_size=64), st.just(b"x"), st.builds(new_salt))


def _tags(people_: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [{**p, "type": "user", "offset": 4 * i, "length": 3} for i, p in enumerate(people_)]


@st.composite
def graph_comments(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """A Graph API comment as it could come back, people wherever the API can put them."""
    comment: dict[str, Any] = {
        "id": f"10152287416912346_{draw(st.integers(1, 10**9))}",
        "created_time": "2014-05-02T09:00:00+0000",
        "message": draw(st.text(max_size=40)),
        "like_count": draw(st.integers(0, 50)),
    }
    if draw(st.booleans()):
        comment["from"] = draw(st.one_of(people, st.just({"id": PAGE_ID, "name": "Silkeborg Kommune"}),
                                         names.map(lambda n: {"name": n})))
    if draw(st.booleans()):
        comment["message_tags"] = _tags(draw(st.lists(people, min_size=1, max_size=3)))
    if draw(st.booleans()):
        comment["parent"] = {"id": "10152287416912346_1", "message": "forrige", "from": draw(people),
                             "created_time": "2014-05-02T08:00:00+0000"}
    if draw(st.booleans()):
        comment["reactions"] = {"data": [{**p, "type": "LIKE"} for p in draw(st.lists(people, max_size=3))]}
    if depth < 1 and draw(st.booleans()):
        comment["comments"] = {"data": draw(st.lists(graph_comments(depth + 1), max_size=2))}
    if draw(st.booleans()):
        comment["attachment"] = {"type": "sticker", "media": {"image": {"src": "https://example.com/s.png"}}}
    return comment


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


def people_in(comment: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The user ids (the Page's left out) and names anywhere in a comment."""
    refs = [v for _, v in walk(comment) if isinstance(v, dict) and "name" in v]
    return ({str(r["id"]) for r in refs if "id" in r and r["id"] != PAGE_ID},
            {r["name"] for r in refs} | {v for k, v in walk(comment) if k == "name"})


@given(user_ids, names, salts)
def test_author_key_is_16_hex_and_holds_neither_id_nor_name(user_id: str, name: str, salt: bytes) -> None:
    key = author_key(user_id, salt)
    assert re.fullmatch(r"[0-9a-f]{16}", key)
    assert key == author_key(user_id, salt)
    assert user_id not in key and name not in key
    assert key != author_key(user_id, salt + b"!")  # another salt, another key: the salt really is the key


@given(st.lists(user_ids, min_size=2, max_size=30, unique=True))
def test_author_keys_of_distinct_ids_differ(ids: list[str]) -> None:
    assert len({author_key(i, SALT) for i in ids}) == len(ids)


def test_an_empty_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        author_key("100001234567890", b"")
    with pytest.raises(ValueError, match="salt"):
        pseudonymise_comment({"id": "1", "from": {"id": "2", "name": "A"}}, b"", PAGE_ID)


@given(graph_comments(), salts)
def test_no_name_and_no_user_id_survive_at_any_depth(comment: dict[str, Any], salt: bytes) -> None:
    ids, names_ = people_in(comment)
    out = pseudonymise_comment(comment, salt, PAGE_ID)
    assert not [k for k, _ in walk(out) if k == "name"]
    dumped = json.dumps(out, ensure_ascii=False)
    for user_id in ids:
        assert user_id not in dumped
    for name in names_:
        # Names can only remain inside message text, which is the citizen's own and is redacted later by tag spans.
        assert name not in dumped.replace(json.dumps(comment.get("message", ""), ensure_ascii=False), "")


@given(graph_comments(), salts)
def test_the_input_is_never_mutated(comment: dict[str, Any], salt: bytes) -> None:
    before = copy.deepcopy(comment)
    out = pseudonymise_comment(comment, salt, PAGE_ID)
    assert comment == before
    out.setdefault("from", {})["author_key"] = "changed"  # nor does the output share structure with the input
    assert comment == before


@given(graph_comments(), salts)
def test_author_tags_and_text_are_kept_usable(comment: dict[str, Any], salt: bytes) -> None:
    out = pseudonymise_comment(comment, salt, PAGE_ID)
    assert out["id"] == comment["id"] and out.get("message") == comment.get("message")
    author = comment.get("from")
    if author is None:
        assert "from" not in out
    else:
        expected = author_key(author["id"], salt) if "id" in author else None
        assert out["from"] == {"author_key": expected, "is_page": author.get("id") == PAGE_ID}
    for tag, kept in zip(comment.get("message_tags", []), out.get("message_tags", []), strict=True):
        assert kept == {"id": author_key(tag["id"], salt), "type": "user", "offset": tag["offset"],
                        "length": tag["length"]}
    if "parent" in comment:
        assert out["parent"] == {"id": comment["parent"]["id"]}


@given(st.lists(graph_comments(), max_size=5), salts)
def test_pseudonymise_comments_is_the_same_one_by_one(comments: list[dict[str, Any]], salt: bytes) -> None:
    assert pseudonymise_comments(comments, salt, PAGE_ID) == [pseudonymise_comment(c, salt, PAGE_ID)
                                                              for c in comments]
