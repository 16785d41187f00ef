"""Author pseudonyms: a keyed hash (HMAC-SHA256) replaces Facebook user ids and names before anything is written.

The salt is the key. Without it a pseudonym cannot be recomputed from a user id, so the stored keys stay pseudonymous
even to someone who knows every commenter's id; with it, `civic-ideas forget --facebook-user-id` can find a person.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

KEY_LENGTH = 16
"""Hex characters kept of the HMAC: 64 bits, ample against collisions among one municipality's commenters."""

_TAG_FIELDS = ("type", "offset", "length")
# Keys that hold a person wherever they occur below the top level of a comment: dropped whole, id included.
_PERSON_KEYS = frozenset({"from", "admin_creator"})
_ATOMIC = frozenset({str, int, float, bool, type(None)})
_TOP_LEVEL = frozenset({"from", "message_tags", "parent", "name", *_PERSON_KEYS})  # keys a comment treats apart
_SPECIAL = frozenset({"name", "message_tags", "id", *_PERSON_KEYS})  # keys `_scrub` treats apart


def new_salt() -> bytes:
    """A fresh random 32-byte salt."""
    return secrets.token_bytes(32)


def author_key(user_id: str, salt: bytes) -> str:
    """The pseudonym of a Facebook user id: HMAC-SHA256 keyed with the salt, hex, first 16 characters.

    Raises ValueError for an empty salt: an unkeyed hash of a user id can be reversed by hashing candidate ids.
    """
    if not salt:
        raise ValueError("the pseudonym salt must not be empty")
    return _keyed(str(user_id), salt)


@functools.lru_cache(maxsize=1 << 16)  # a commenter's comments come together; a cache hit is ten times cheaper
def _keyed(user_id: str, salt: bytes) -> str:
    inner, outer = _pads(salt)
    h = inner.copy()
    h.update(user_id.encode("utf-8"))
    o = outer.copy()
    o.update(h.digest())
    return o.hexdigest()[:KEY_LENGTH]


@functools.lru_cache(maxsize=8)
def _pads(salt: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer blocks hashed once per salt.

    The same value as `hmac.digest(salt, msg, "sha256")`, faster, and it keeps the interpreter lock: the one-shot
    `hmac.digest` releases and retakes it on every call, and with fetch threads running each retake can wait a whole
    switch interval (`sys.getswitchinterval()`, 5 ms), which made pseudonymising a large ingest ten times slower.
    """
    key = hashlib.sha256(salt).digest() if len(salt) > 64 else salt
    key = key.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _author(author: Any, salt: bytes, page_id: str) -> dict[str, Any]:
    user_id = author.get("id") if isinstance(author, dict) else None
    if not user_id:
        return {"author_key": None, "is_page": False}
    user_id = str(user_id)
    return {"author_key": _keyed(user_id, salt), "is_page": user_id == page_id}  # salt checked by the caller


def _tag(tag: Any, salt: bytes) -> dict[str, Any]:
    if not isinstance(tag, dict):
        return {}
    kept = {k: tag[k] for k in _TAG_FIELDS if k in tag}
    if tag.get("id"):
        kept["id"] = author_key(tag["id"], salt)
    return kept


def _tags(tags: Any, salt: bytes) -> Any:
    # Comments carry a list; the old Post API keyed the list by offset ({"0": [tag, ...]}), so take that too.
    if isinstance(tags, dict):
        return {k: _tags(v, salt) for k, v in tags.items()}
    if isinstance(tags, list):
        return [_tag(t, salt) for t in tags]
    return None


def _parent(parent: Any) -> dict[str, Any]:
    # `parent` expands to the whole parent comment (message, author) unless asked for `parent{id}`.
    return {"id": parent.get("id") if isinstance(parent, dict) else parent}


def _scrub(value: Any, salt: bytes) -> Any:
    """Drop every `name` and every person-valued key (`from`, `admin_creator`) at any depth.

    Below the top level, a `{"id", "name"}` object is a reference to a person or a Page (a reaction, a tag in an
    expanded reply), so its id is keyed too; nested `message_tags` are treated like the comment's own.
    """
    # Atomic values are taken as they are without a call (deepcopy would return them unchanged): a comment's
    # `reactions` and `attachment` are mostly atomic values, and each call saved is a tenth of the comment's cost.
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _SPECIAL:
                if k == "message_tags":
                    out[k] = _tags(v, salt)
                elif k == "id":
                    out[k] = (author_key(v, salt) if v and "name" in value
                              else v if type(v) in _ATOMIC else _scrub(v, salt))
                # `name`, `from`, `admin_creator`: dropped
            elif type(v) in _ATOMIC:
                out[k] = v
            else:
                out[k] = _scrub(v, salt)
        return out
    if isinstance(value, list):
        return [v if type(v) in _ATOMIC else _scrub(v, salt) for v in value]
    if type(value) in _ATOMIC:
        return value
    return copy.deepcopy(value)


def pseudonymise_comment(comment: dict[str, Any], salt: bytes, page_id: str) -> dict[str, Any]:
    """A copy of a Graph API comment with no name and no user id left in it.

    - `from` becomes `{"author_key": ..., "is_page": from.id == page_id}`; absent `from` stays absent, and one without
      an id gives `{"author_key": None, "is_page": False}`;
    - `message_tags[*]` keeps `type`, `offset`, `length`, and `id` replaced by its key;
    - `parent` is reduced to `{"id": ...}`;
    - every other `name`, `from` or `admin_creator`, at any depth, is dropped, and below the top level the `id` of
      an object that had a `name` (a person or Page reference) and of a nested `message_tags` entry is keyed.

    The input is not modified.
    """
    if not salt:
        raise ValueError("the pseudonym salt must not be empty")
    out: dict[str, Any] = {}
    for key, value in comment.items():
        if key not in _TOP_LEVEL:  # the common case first: id, message, created_time, counts
            out[key] = value if type(value) in _ATOMIC else _scrub(value, salt)
        elif key == "from":
            out[key] = _author(value, salt, str(page_id))
        elif key == "message_tags":
            out[key] = _tags(value, salt)
        elif key == "parent":
            out[key] = _parent(value)
    return out


def pseudonymise_comments(comments: Iterable[dict[str, Any]], salt: bytes, page_id: str) -> list[dict[str, Any]]:
    """`pseudonymise_comment` over every comment of a scan, in order."""
    return [pseudonymise_comment(c, salt, page_id) for c in comments]
