"""Test kit for the ingestion tests: run `ingest_one_post` against the stand-in and read what the warehouse holds.

Also a child-process entry point (`python tests/flows/ingestkit.py …`) for the crash tests, which kill it mid-load.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from graphkit import PAGE_ID, POST_ID, make_dataset  # noqa: E402

from flows import ingest as ingest_module  # noqa: E402
from flows.ingest import ingest_one_post  # noqa: E402
from sources.graph import GraphClient  # noqa: E402
from sources.standin import DEFAULT_TOKEN, GraphStandIn  # noqa: E402
from sources.standin.faults import Scenario  # noqa: E402
from transforms.pseudonym import author_key  # noqa: E402
from warehouse import db  # noqa: E402
from warehouse.load import comments  # noqa: E402

SALT = b"ingest-test-salt-0123456789abcdef"
CONSULTATION = "test"
TABLES = ("raw_posts", "stg_posts", "raw_comments", "stg_comments", "stg_comment_history", "stg_post_scans")

__all__ = ["CONSULTATION", "PAGE_ID", "POST_ID", "SALT", "Inspection", "assert_exact", "base_dataset", "change",
           "from_template", "ingest", "inspect", "make_dataset", "serving", "snapshot", "view_rows"]


def base_dataset(depth: int = 1) -> dict[str, Any]:
    """11 comments and replies: one without `from` (#3), one with a tag (#4), one sticker-only (#10) and one
    written by the Page itself (#5)."""
    data = make_dataset([2, 0, 3, 2], depth=depth)
    data["comments"][5]["from"] = {"id": PAGE_ID, "name": data["page"]["name"]}
    return data


@contextmanager
def serving(data: dict[str, Any] | None = None, *, scenario: Scenario | None = None,
            tokens: dict[str, str] | None = None) -> Iterator[GraphStandIn]:
    """A started stand-in, stopped on exit."""
    with GraphStandIn(data or base_dataset(), scenario=scenario, tokens=tokens) as standin:
        yield standin


def ingest(standin: GraphStandIn, warehouse: Path, run_id: str = "r1", *, token: str = DEFAULT_TOKEN,
           **client_kwargs: Any) -> dict[str, int]:
    """One `ingest_one_post` of the test post; the client's waits move the stand-in's virtual clock."""
    kwargs = {"timeout": 3.0, "max_retries": 8, "page_limit": 3, **client_kwargs}
    with GraphClient(standin.url, "v25.0", token, sleep=standin.clock.advance, **kwargs) as client:
        return ingest_one_post(client, str(warehouse), PAGE_ID, CONSULTATION, POST_ID, run_id, SALT)


def view_rows(warehouse: Path) -> dict[str, tuple[Any, ...]]:
    """comment_id -> (parent_id, is_page_reply, author_key, message, deleted_at) from the `comments` view."""
    return inspect(warehouse).rows


@dataclass
class Inspection:
    """What one read-only look at the warehouse found."""

    rows: dict[str, tuple[Any, ...]]
    scans: list[tuple[str, bool]]
    problems: dict[str, int]
    tables: dict[str, tuple[int, str | None]]
    posts: list[tuple[str, bool]]


_PROBLEMS = {
    "raw_without_comment": "select count(*) from raw_comments r anti join stg_comments c using (comment_id)",
    "raw_of_tombstone": "select count(*) from raw_comments r join stg_comments c using (comment_id) "
                        "where c.deleted_at is not null",
    "history_of_tombstone": "select count(*) from stg_comment_history h join stg_comments c using (comment_id) "
                            "where c.deleted_at is not null",
    "live_without_raw": "select count(*) from stg_comments c anti join raw_comments r using (comment_id) "
                        "where c.deleted_at is null",
    "duplicate_ids": "select count(*) - count(distinct comment_id) from stg_comments",
}


def inspect(warehouse: Path) -> Inspection:
    """Comments view rows, the scan log, counts of dangling state (all should be 0) and a hash of every table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select comment_id, parent_id, is_page_reply, author_key, message, deleted_at "
                           "from comments").fetchall()
        scans = con.execute("select run_id, is_complete from stg_post_scans order by scanned_at").fetchall()
        problems = {name: con.execute(sql).fetchone()[0] for name, sql in _PROBLEMS.items()}
        tables = {t: con.execute(f"select count(*), md5(string_agg(r::varchar, '|' order by r::varchar)) "
                                 f"from {t} as r").fetchone() for t in TABLES}
        posts = con.execute("select post_id, deleted_at is not null from stg_posts order by post_id").fetchall()
    finally:
        con.close()
    by_id = {r[0]: r[1:] for r in rows}
    assert len(by_id) == len(rows), "a comment_id occurs twice in the comments view"
    return Inspection(by_id, scans, problems, tables, posts)


def snapshot(warehouse: Path) -> dict[str, tuple[int, str | None]]:
    """Row count and an order-independent hash of every row of each table."""
    return inspect(warehouse).tables


def expected_rows(standin: GraphStandIn, *, authors_visible: bool = True) -> dict[str, tuple[Any, ...]]:
    """What the comments view must hold for the stand-in's live comments: (parent_id, is_page_reply,
    author_key, message). `authors_visible=False`: a token that sees no `from` (a user token)."""
    out = {}
    for c in standin.store.post_comments(POST_ID):
        author = (c.get("from") or {}).get("id")
        is_page = author == PAGE_ID
        if not authors_visible and not is_page:
            author = None
        out[c["id"]] = (c.get("parent_id"), is_page, author_key(author, SALT) if author else None, c.get("message"))
    return out


def assert_exact(warehouse: Path, standin: GraphStandIn, *, tombstoned: set[str] = frozenset(),
                 authors_visible: bool = True) -> Inspection:
    """The live rows of the comments view are exactly the stand-in's comments (each once, right parent,
    author and message); `tombstoned` ids are kept as tombstones with no text and no author; nothing dangles."""
    seen = inspect(warehouse)
    live = {k: v[:4] for k, v in seen.rows.items() if v[4] is None}
    gone = {k: v for k, v in seen.rows.items() if v[4] is not None}
    assert live == expected_rows(standin, authors_visible=authors_visible)
    assert set(gone) == set(tombstoned)
    assert all(v[2] is None and v[3] is None for v in gone.values()), "a tombstone kept its text or author"
    assert set(seen.problems.values()) == {0}, seen.problems
    return seen


_TEMPLATES: dict[str, Path] = {}


def from_template(dest: Path, kind: str = "primed") -> Path:
    """Copy a warehouse made once per session: `empty` (migrated) or `primed` (a clean run r1 of `base_dataset`),
    which saves every test the migrations and the first run."""
    if kind not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="civic-ideas-ingest-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / f"{kind}.duckdb"
        if kind == "primed":
            with serving() as standin:
                ingest(standin, path, "r1")
        else:
            db.connect(path).close()
        _TEMPLATES[kind] = path
    shutil.copyfile(_TEMPLATES[kind], dest)
    return dest


def change(standin: GraphStandIn) -> dict[str, Any]:
    """Between runs: edit one comment, delete a thread (a comment and its replies), add a comment and a reply."""
    comments = standin.store.post_comments(POST_ID)
    threads = [c for c in comments if not c.get("parent_id") and standin.store.replies(c["id"])]
    edited = next(c["id"] for c in comments if c.get("message") and c["id"] != threads[0]["id"]
                  and c.get("parent_id") != threads[0]["id"])
    old = next(c["message"] for c in comments if c["id"] == edited)
    standin.edit_comment(edited, "Ændret: en skaterbane 🛹")
    deleted = standin.delete_comment(threads[0]["id"])
    added = standin.add_comment(POST_ID, "Ny idé: bålplads", author={"id": "600001", "name": "Ny Borger"})
    reply = standin.add_comment(POST_ID, "Svar uden afsender", parent_id=threads[-1]["id"])
    return {"edited": edited, "old_message": old, "deleted": set(deleted), "added": {added, reply}}


# -- child process for the crash tests ---------------------------------------------------------------------------
def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def crash_child(url: str, warehouse: str, run_id: str, kill_at: str, marker: str) -> None:
    """Ingest the test post (20k comments or so), touching `<marker>.open` when the warehouse is opened and
    `<marker>.load` when the scan's load starts. `kill_at` makes the process SIGKILL itself: `before_commit`
    (every write of the scan done, inside its transaction), `after_commit` (committed, but before the connection
    is closed and checkpointed); anything else leaves the killing to the test."""
    # the names the ingest and the scan's load look up when they run (flows.ingest, warehouse.load.comments)
    session, save_scans, tombstone = db.session, ingest_module.save_scans, comments.tombstone
    transaction = ingest_module.transaction

    @contextmanager
    def marked_session(*args: Any, **kwargs: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        with session(*args, **kwargs) as con:
            Path(f"{marker}.open").touch()
            yield con

    def marked_save_scans(*args: Any, **kwargs: Any) -> dict[str, dict[str, int]]:
        Path(f"{marker}.load").touch()
        return save_scans(*args, **kwargs)

    @contextmanager
    def transaction_then_die(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        outermost = id(con) not in db._IN_TRANSACTION
        with transaction(con):
            yield
        if outermost and kill_at == "after_commit":  # committed; the connection is not closed nor checkpointed
            _die()

    def tombstone_then_die(*args: Any, **kwargs: Any) -> int:
        tombstone(*args, **kwargs)
        _die()
        return 0

    db.session, ingest_module.save_scans = marked_session, marked_save_scans
    ingest_module.transaction = transaction_then_die
    if kill_at == "before_commit":
        comments.tombstone = tombstone_then_die
    with GraphClient(url, "v25.0", DEFAULT_TOKEN, timeout=30.0, page_limit=100) as client:
        ingest_one_post(client, warehouse, PAGE_ID, CONSULTATION, POST_ID, run_id, SALT)


if __name__ == "__main__":
    crash_child(*sys.argv[1:6])
