"""From staged comments to redacted ideas (pure)."""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from functools import cache
from importlib import metadata

import pandas as pd

from transforms import ideas as _ideas
from transforms import redact as _redact
from transforms import text as _text
from transforms.ideas import detect_kinds
from transforms.redact import redact

IDEA_COLUMNS = ["idea_id", "consultation", "channel", "text", "created_at", "like_count", "reply_count", "author_key"]


@cache
def rules_version() -> str:
    """A hash of the source of everything that decides what an idea is and how it is redacted: when it changes, a
    warehouse's stored ideas were made by other rules and are detected again from every comment."""
    digest = hashlib.sha256()
    for module in (_ideas, _redact, _text, sys.modules[__name__]):
        try:
            digest.update(inspect.getsource(module).encode("utf-8"))
        except (OSError, TypeError):  # installed without sources: the package version stands in
            digest.update(module.__name__.encode("utf-8"))
    for names in _redact._lists():  # the name and place lists decide what is redacted as much as the code does
        digest.update("\n".join(sorted(names)).encode("utf-8"))
    for package in ("stop-words", "snowballstemmer"):  # stop words and stems feed the rules too
        try:
            digest.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()[:16]


def _spans(value: object) -> list[tuple[int, int]]:
    if not value or not isinstance(value, str):
        return []
    return [(int(o), int(n)) for o, n in json.loads(value)]


def detection_frame(comments: pd.DataFrame) -> pd.DataFrame:
    """The columns idea detection reads, derived from staged comments."""
    return pd.DataFrame(
        {
            "message": comments["message"].fillna("").astype(str),
            "is_page_reply": comments["is_page_reply"].astype(bool),
            "is_reply": comments["parent_id"].notna(),
            "tag_count": [len(_spans(v)) for v in comments["tag_spans"]],
        },
        index=comments.index,
    )


KIND_COLUMNS = ["comment_id", "kind", "kind_reason"]


def comment_kinds(comments: pd.DataFrame) -> pd.DataFrame:
    """Every comment's kind and reason (`transforms.ideas.detect_kinds`), same index: comment_id, kind, kind_reason.

    A comment the Page hid is never an idea: when the rules take it for one, it is off topic, and the reason says so.
    """
    if comments.empty:
        return pd.DataFrame(columns=KIND_COLUMNS)
    kinds = detect_kinds(detection_frame(comments))
    hidden = comments["is_hidden"].astype(bool).to_numpy() & kinds["kind"].eq("idea").to_numpy()
    kinds.loc[hidden, "kind_reason"] = "hidden on the Page; the rules said idea: " + kinds.loc[hidden, "kind_reason"]
    kinds.loc[hidden, "kind"] = "off_topic"
    kinds.insert(0, "comment_id", comments["comment_id"].astype(str).to_numpy())
    return kinds


def select_ideas(comments: pd.DataFrame, channel: str = "facebook", kinds: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comments judged to be ideas, hidden ones left out, with names, e-mails, phones and CPR redacted.

    ``kinds``: the comments' kinds (`comment_kinds`, same rows, perhaps with planners' corrections on top); detected
    here when not given."""
    if kinds is None:
        kinds = comment_kinds(comments)
    if comments.empty:
        return pd.DataFrame(columns=IDEA_COLUMNS)
    chosen = comments[kinds["kind"].eq("idea").to_numpy(dtype=bool)]
    texts = [redact(str(m or ""), _spans(s)) for m, s in zip(chosen["message"], chosen["tag_spans"], strict=True)]
    return pd.DataFrame(
        {
            "idea_id": chosen["comment_id"].astype(str).to_numpy(),
            "consultation": chosen["consultation"].to_numpy(),
            "channel": channel,
            "text": texts,
            "created_at": chosen["created_at"].to_numpy(),
            "like_count": chosen["like_count"].astype(int).to_numpy(),
            "reply_count": chosen["reply_count"].astype(int).to_numpy(),
            "author_key": chosen["author_key"].to_numpy(),
        },
        columns=IDEA_COLUMNS,
    )


def redacted_text(message: object, tag_spans: object) -> str:
    """A comment's text as its idea would carry it: tagged names, e-mails, phones, CPR numbers and the rest redacted
    (`transforms.redact.redact`), for every place that shows a comment's text to planners."""
    return redact(str(message or ""), _spans(tag_spans))
