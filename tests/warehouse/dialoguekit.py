"""A consultation thread the Graph API stand-in serves, ingested through the real HTTP extractor and read by the
real idea detection, for the dialogue tests: questions and complaints, answered by the Page or not."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
import ingestkit  # noqa: E402
from graphkit import PAGE, PAGE_ID, POST_ID, POST_OBJ  # noqa: E402

from flows.pipeline import find_ideas  # noqa: E402

SLUG = ingestkit.CONSULTATION
START = dt.datetime(2014, 5, 2, 9, 0, tzinfo=dt.UTC)
CITIZEN = {"id": "500001", "name": "Mette Kirstine Hansen"}
NEIGHBOUR = {"id": "500002", "name": "Jens Peter Sørensen"}
STAFF = {"id": "500003", "name": "Anne Kommunesen"}  # an employee on her own account, signing as the municipality
PAGE_AUTHOR = dict(PAGE)

# key -> (minutes after START, author, parent key, message, hidden)
THREAD: dict[str, tuple[int, dict[str, str], str | None, str, bool]] = {
    # a question the Page answers 3 h later, with a reply to it
    "question": (60, CITIZEN, None, "Hvornår starter byggeriet? Ring til mig på 23 45 67 89", False),
    "page_answer": (240, PAGE_AUTHOR, "question", "Byggeriet starter i august, vi skriver mere her på siden.", False),
    # a complaint nobody from the municipality answers (a neighbour does)
    "complaint": (120, NEIGHBOUR, None, "Jeg synes bare det er spild af penge, skriv til jens.hansen@example.com",
                  False),
    "neighbour": (150, CITIZEN, "complaint", "Hvornår kommer der svar på det her?", False),
    # an idea whose thread holds a staff reply before and after a citizen's question: only the later one answers it
    "idea": (0, CITIZEN, None, "Lav en cykelsti langs åen", False),
    "staff_early": (20, STAFF, "idea", "Tak for idéen, vi tager den med. /Anne, Silkeborg Kommune", False),
    "follow_up": (30, NEIGHBOUR, "idea", "Hvornår kommer der svar på det her?", False),
    "staff_late": (60, STAFF, "idea", "Vi svarer i næste uge. /Anne, Silkeborg Kommune", False),
    # a question the Page has hidden: dealt with, not listed
    "hidden": (90, NEIGHBOUR, None, "Hvornår starter byggeriet?", True),
}


def comment_id(key: str) -> str:
    """The Facebook id of a comment of THREAD."""
    return f"{POST_OBJ}_{10**15 + list(THREAD).index(key)}"


def _time(minutes: int) -> str:
    return (START + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def dataset() -> dict[str, Any]:
    """The stand-in's data: one post, the THREAD comments."""
    base = ingestkit.make_dataset(0)
    base["comments"] = [
        {"id": comment_id(key), "post_id": POST_ID, "parent_id": comment_id(parent) if parent else None,
         "created_time": _time(minutes), "like_count": 2, "is_hidden": hidden, "message": message, "from": author}
        for key, (minutes, author, parent, message, hidden) in THREAD.items()
    ]
    return base


def build(warehouse: Path) -> Path:
    """Serve THREAD, ingest it over HTTP and give every comment its kind; returns the warehouse's path."""
    with ingestkit.serving(dataset()) as standin:
        ingestkit.ingest(standin, warehouse)
    find_ideas.fn(str(warehouse), SLUG)
    return warehouse


__all__ = ["CITIZEN", "NEIGHBOUR", "PAGE_ID", "SLUG", "STAFF", "THREAD", "build", "comment_id", "dataset"]
