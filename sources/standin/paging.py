"""Cursor paging for the local Graph API stand-in: opaque `QVFI…` cursors, page windows and `next` URLs.

A cursor holds the sort key of an item (not an offset), so a page boundary survives items being added or
deleted between requests, as keyset paging does. A nonce can make two cursors for the same position differ.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sources.standin.faults import AFTER_CURSOR_LIMIT, graph_error

Key = tuple[str, ...]
_PREFIX = b"AQH"  # base64 of these bytes is "QVFI", the prefix real cursors carry
_nonces = itertools.count(1)


def encode_cursor(key: Key | None, *, fresh: bool = False) -> str:
    """An opaque base64url cursor for the position of `key` (None is the start).

    The same key gives the same cursor (so `before == after` on a one-item page) unless `fresh` asks for a
    new spelling of the same position.
    """
    nonce = next(_nonces) if fresh else 0
    payload = json.dumps([list(key) if key else None, nonce], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(_PREFIX + payload).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key | None:
    """The key inside a cursor; raise a 400/100 fault when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if not raw.startswith(_PREFIX):
            raise ValueError(cursor)
        key = json.loads(raw[len(_PREFIX):])[0]
    except (ValueError, TypeError, IndexError):
        raise graph_error(400, 100, "(#100) Invalid cursor parameter") from None
    return tuple(key) if key else None


@dataclass(frozen=True)
class Window:
    """The paging state of one request."""

    limit: int
    after: str | None = None
    before: str | None = None
    short: bool = False
    empty: bool = False
    repeat_next: bool = False
    overlap: bool = False
    after_cursor_limit: int | None = None
    stale_cursor_error: bool = False


@dataclass
class Slice:
    """One page of items and what its `paging` object must say."""

    items: list[Any]
    keys: list[Key]
    next_after: str | None
    is_first: bool
    past_end: bool


def _beyond(key: Key, mark: Key, descending: bool) -> bool:
    return key < mark if descending else key > mark


def _first(keys: Sequence[Key], test: Callable[[Key], bool]) -> int:
    """The first index whose key passes `test` (keys are in served order, so `test` flips only once)."""
    low, high = 0, len(keys)
    while low < high:
        middle = (low + high) // 2
        if test(keys[middle]):
            high = middle
        else:
            low = middle + 1
    return low


def take(items: Sequence[Any], keys: Sequence[Key], descending: bool, window: Window) -> Slice:
    """Cut the page `window` asks for out of `items` (in served order, `keys` being their sort keys)."""
    if window.before:
        return _take_before(items, keys, descending, window)
    start = 0
    mark = decode_cursor(window.after) if window.after else None
    if mark is not None:
        start = _first(keys, lambda k: _beyond(k, mark, descending))
        if window.stale_cursor_error and (start == 0 or keys[start - 1] != mark):
            raise graph_error(400, 100, "(#100) The after cursor is no longer valid: the item it points to is gone")
        if window.overlap:  # as if an item was inserted ahead under offset cursors: one item comes again
            start = max(0, start - 1)
    if window.after_cursor_limit is not None and window.after and start >= window.after_cursor_limit:
        raise graph_error(400, 100, AFTER_CURSOR_LIMIT)
    if window.empty and start < len(items):
        return Slice([], [], encode_cursor(mark, fresh=True), mark is None, False)
    size = max(1, window.limit // 2) if window.short else window.limit
    end = min(len(items), start + size)
    more = end < len(items) and window.limit > 0
    next_after = encode_cursor(keys[end - 1]) if more and end > start else None
    if more and window.repeat_next and window.after:
        next_after = window.after
    return Slice(list(items[start:end]), list(keys[start:end]), next_after, window.after is None,
                 window.after is not None and end == start)


def _take_before(items: Sequence[Any], keys: Sequence[Key], descending: bool, window: Window) -> Slice:
    mark = decode_cursor(window.before or "")
    end = len(keys) if mark is None else _first(keys, lambda k: not _beyond(mark, k, descending))
    start = max(0, end - window.limit)
    next_after = encode_cursor(keys[end - 1]) if end > start and end < len(items) else None
    return Slice(list(items[start:end]), list(keys[start:end]), next_after, start == 0, end == start)


def paging_object(page: Slice, next_url: Callable[[str, str], str]) -> dict[str, Any] | None:
    """The `paging` object: cursors on non-empty pages, `next` only when more exists, no `previous` on page 1."""
    if page.past_end:
        return None
    paging: dict[str, Any] = {}
    if page.keys:
        paging["cursors"] = {"before": encode_cursor(page.keys[0]), "after": encode_cursor(page.keys[-1])}
        if not page.is_first:
            paging["previous"] = next_url("before", paging["cursors"]["before"])
    if page.next_after:
        paging["next"] = next_url("after", page.next_after)
    return paging or None


def edge_url(base: str, version: str | None, path: str, query: list[tuple[str, str]],
             token: str | None, direction: str, cursor: str) -> str:
    """An absolute paging URL repeating the original query (token included), with `after`/`before` replaced."""
    pairs = [(k, v) for k, v in query if k not in ("after", "before")]
    if token and not any(k == "access_token" for k, _ in pairs):
        pairs.append(("access_token", token))
    pairs.append((direction, cursor))
    prefix = f"/{version}" if version else ""
    return f"{base}{prefix}/{path.strip('/')}?{urlencode(pairs)}"
