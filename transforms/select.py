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
from transforms.ideas import detect_ideas
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


def select_ideas(comments: pd.DataFrame, channel: str = "facebook") -> pd.DataFrame:
    """The comments judged to be ideas, hidden ones left out, with names, e-mails, phones and CPR redacted."""
    visible = comments[~comments["is_hidden"].astype(bool)]
    if visible.empty:
        return pd.DataFrame(columns=IDEA_COLUMNS)
    mask = detect_ideas(detection_frame(visible)).to_numpy(dtype=bool)
    chosen = visible[mask]
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
