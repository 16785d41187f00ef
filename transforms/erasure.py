"""Erasure of a tagged person from other citizens' comments: their name becomes `[navn]`, pure logic.

A pseudonymised comment keeps each tag's key (`message_tags[*].id`) and the code-point span of the tagged name in
`message`. When a person is forgotten, those spans (and every other whole-word occurrence of the names they cover,
e.g. in an earlier version of the comment) are replaced by `[navn]`, the person's tags lose their key, and every other
tag's span is moved to where its name now stands. `warehouse.erase` applies this to raw payloads, staging rows and the
edit history alike; ingestion applies it to a later scan of the same comments (`transforms.records.drop_suppressed`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any

NAME = "[navn]"

Span = tuple[int, int]  # (offset, length) in code points, as the Graph API gives them


def _merged(ranges: Iterable[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted((max(0, a), min(size, b)) for a, b in ranges):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _moved(position: int, ranges: list[tuple[int, int]], *, is_end: bool) -> int:
    """Where `position` of the old text stands in the new one; inside a replaced range: its `[navn]`'s edge."""
    shift = 0
    for start, end in ranges:
        if position <= start if is_end else position < start:
            break
        if position < end or (is_end and position == end):
            return start + shift + (len(NAME) if is_end else 0)
        shift += len(NAME) - (end - start)
    return position + shift


def replace_ranges(text: str, ranges: Iterable[tuple[int, int]],
                   spans: Sequence[Span] = ()) -> tuple[str, list[Span]]:
    """`text` with each (start, end) range replaced by `[navn]` (clipped, overlapping ones merged), and `spans`
    ((offset, length) pairs) moved to where their text now stands; a span touching a replaced range covers its
    `[navn]`."""
    merged = _merged(ranges, len(text))
    pieces, done = [], 0
    for start, end in merged:
        pieces += [text[done:start], NAME]
        done = end
    moved = []
    for offset, length in spans:
        start = _moved(int(offset), merged, is_end=False)
        end = _moved(int(offset) + int(length), merged, is_end=True)
        moved.append((start, max(0, end - start)))
    return "".join(pieces) + text[done:], moved


def name_ranges(text: str, names: Collection[str]) -> list[tuple[int, int]]:
    """The (start, end) ranges of every whole-word occurrence of `names` in `text`, ignoring case."""
    words = sorted({n.strip() for n in names if n and n.strip() and n.strip() != NAME}, key=len, reverse=True)
    if not words or not text:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


def erase_names(text: str, names: Collection[str], spans: Sequence[Span] = ()) -> tuple[str, list[Span]]:
    """`text` with `names` replaced by `[navn]` wherever a span covers exactly one of them or one stands as a whole
    word; `spans` moved accordingly (see `replace_ranges`)."""
    wanted = {n.strip().casefold() for n in names if n and n.strip()}
    tagged = [(int(o), int(o) + int(n)) for o, n in spans
              if text[int(o):int(o) + int(n)].strip().casefold() in wanted]
    return replace_ranges(text, tagged + name_ranges(text, names), spans)


def _tag_span(tag: Any) -> Span | None:
    if isinstance(tag, dict) and "offset" in tag and "length" in tag:
        try:
            return int(tag["offset"]), int(tag["length"])
        except (TypeError, ValueError):
            return None
    return None


def _flat_tags(tags: Any) -> list[dict]:
    # a list of tags, or the old Post API's {"<offset>": [tag, ...]}
    if isinstance(tags, dict):
        return [t for v in tags.values() for t in _flat_tags(v)]
    return [t for t in tags if isinstance(t, dict)] if isinstance(tags, list) else []


def _own_names(payload: dict, keys: Collection[str]) -> set[str]:
    """The names tagged with these keys in this payload's own `message` (not in nested comments)."""
    message = payload.get("message")
    if not isinstance(message, str):
        return set()
    names = set()
    for tag in _flat_tags(payload.get("message_tags")):
        span = _tag_span(tag)
        if span and tag.get("id") in keys:
            names.add(message[span[0]:span[0] + span[1]].strip())
    return names - {"", NAME}


def tagged_names(payload: Any, keys: Collection[str]) -> set[str]:
    """The names the people with these keys are tagged with in a (pseudonymised) payload, at any depth."""
    if isinstance(payload, dict):
        return _own_names(payload, keys).union(*(tagged_names(v, keys) for v in payload.values()))
    if isinstance(payload, list):
        return set().union(*(tagged_names(v, keys) for v in payload))
    return set()


def erase_tagged(payload: Any, keys: Collection[str], names: Collection[str] = ()) -> Any:
    """A copy of a (pseudonymised) comment payload in which the people with these keys are no longer named: in each
    `message` (at any depth) their tagged names, and `names`, become `[navn]`; their tags keep type and span (over
    `[navn]`) but lose their key; the other tags' spans move with the text. The input is not modified."""
    if isinstance(payload, list):
        return [erase_tagged(v, keys, names) for v in payload]
    if not isinstance(payload, dict):
        return payload
    out = {k: erase_tagged(v, keys, names) for k, v in payload.items() if k not in ("message", "message_tags")}
    message, tags = payload.get("message"), payload.get("message_tags")
    if "message" in payload:
        out["message"] = message
    if "message_tags" in payload:
        out["message_tags"] = tags
    if not isinstance(message, str):
        return out
    gone = _own_names(payload, keys) | set(names)
    if not gone:
        return out
    flat = _flat_tags(tags)
    spans = [s for s in (_tag_span(t) for t in flat) if s is not None]
    text, moved = erase_names(message, gone, spans)
    out["message"] = text
    if flat:
        out["message_tags"] = _moved_tags(tags, dict(zip(map(id, [t for t in flat if _tag_span(t)]), moved,
                                                         strict=True)), keys)
    return out


def _moved_tags(tags: Any, spans: dict[int, Span], keys: Collection[str]) -> Any:
    if isinstance(tags, dict):
        return {k: _moved_tags(v, spans, keys) for k, v in tags.items()}
    if not isinstance(tags, list):
        return tags
    out = []
    for tag in tags:
        if not isinstance(tag, dict):
            out.append(tag)
            continue
        moved = {k: v for k, v in tag.items() if not (k == "id" and v in keys)}
        if id(tag) in spans:
            moved["offset"], moved["length"] = spans[id(tag)]
        out.append(moved)
    return out
