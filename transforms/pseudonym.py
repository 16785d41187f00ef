"""Author pseudonyms: a keyed hash (HMAC-SHA256) replaces Facebook user ids and names before anything is written."""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any


def new_salt() -> bytes:
    """A fresh random salt."""
    return secrets.token_bytes(32)


def author_key(user_id: str, salt: bytes) -> str:
    """The pseudonym of a Facebook user id: HMAC-SHA256 with the secret salt, hex, first 16 characters."""
    if not salt:
        raise ValueError("the pseudonym salt must not be empty")
    return hmac.new(salt, str(user_id).encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _author(author: dict[str, Any], salt: bytes, page_id: str) -> dict[str, Any]:
    user_id = author.get("id")
    return {
        "author_key": author_key(user_id, salt) if user_id else None,
        "is_page": bool(user_id) and str(user_id) == str(page_id),
    }


def pseudonymise_comment(comment: dict[str, Any], salt: bytes, page_id: str) -> dict[str, Any]:
    """A copy of a Graph API comment with its author, tagged people and parent reduced to pseudonyms and ids."""
    out = copy.deepcopy(comment)
    if "from" in out:
        out["from"] = _author(out["from"] or {}, salt, page_id)
    if isinstance(out.get("parent"), dict):
        out["parent"] = {"id": out["parent"].get("id")}
    tags = []
    for tag in out.get("message_tags") or []:
        kept = {k: v for k, v in tag.items() if k not in ("name", "id")}
        if tag.get("id"):
            kept["id"] = author_key(tag["id"], salt)
        tags.append(kept)
    if "message_tags" in out:
        out["message_tags"] = tags
    return out


def pseudonymise_comments(comments: Iterable[dict[str, Any]], salt: bytes, page_id: str) -> list[dict[str, Any]]:
    """Pseudonymise every comment of a scan."""
    return [pseudonymise_comment(c, salt, page_id) for c in comments]
