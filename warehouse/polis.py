"""Ideas in the Pol.is open-data `comments.csv` layout, so Pol.is tools (Talk to the City, Sensemaker) can read them.

The layout follows compdemocracy/openData: `timestamp` (ms since the epoch), `datetime` (the same moment as text),
`comment-id`, `author-id` (small integers), `agrees`, `disagrees`, `moderated` (1 accepted), `comment-body`.
"""

from __future__ import annotations

import pandas as pd

from warehouse.columns import POLIS, names

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _datetime_text(stamp: pd.Timestamp) -> str:
    # Pol.is writes JavaScript's Date.toString() style; spelled out here so the machine's locale cannot change it.
    return f"{_DAYS[stamp.weekday()]} {_MONTHS[stamp.month - 1]} {stamp.day:02d} {stamp:%H:%M:%S} UTC {stamp.year}"


def author_numbers(author_keys: list[str | None]) -> list[int]:
    """Map author keys to 0..n-1 by first appearance; a missing key (imported item) counts as its own author."""
    numbers: dict[str, int] = {}
    next_number = 0
    out = []
    for key in author_keys:
        if key is None or key != key or key not in numbers:  # None/NaN (nobody to link it to) or a new author
            if key is not None and key == key:
                numbers[key] = next_number
            out.append(next_number)
            next_number += 1
        else:
            out.append(numbers[key])
    return out


def polis_frame(ideas: pd.DataFrame) -> pd.DataFrame:
    """The Pol.is comments table from ideas (idea_id, author_key, created_at, like_count, text) in submission order."""
    stamps = pd.to_datetime(ideas["created_at"], utc=True)
    millis = [int(s.value // 1_000_000) if s is not pd.NaT else None for s in stamps]
    frame = pd.DataFrame(
        {
            "timestamp": pd.array(millis, dtype="Int64"),
            "datetime": [_datetime_text(s) if s is not pd.NaT else "" for s in stamps],
            "comment-id": range(len(ideas)),
            "author-id": author_numbers(ideas["author_key"].tolist()),
            "agrees": ideas["like_count"].astype(int).to_numpy(),
            "disagrees": 0,
            "moderated": 1,
            "comment-body": ideas["text"].astype(str).to_numpy(),
        }
    )
    return frame[names(POLIS)]
