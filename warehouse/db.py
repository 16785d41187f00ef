"""DuckDB connection, numbered migrations and public views."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VIEWS_DIR = Path(__file__).parent / "views"


class WarehouseError(Exception):
    """A problem with the warehouse file that the user can fix."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse's write lock."""


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise WarehouseBusy(
                f"the warehouse {path} is in use by a running flow; wait for it to finish and try again"
            ) from exc
        raise WarehouseError(f"cannot open the warehouse {path}: {exc}") from exc


def _create(path: Path) -> None:
    """Create a migrated warehouse beside `path`, then link it into place (a crash leaves no half-made file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        migrate(con)
    finally:
        con.close()
    try:
        os.link(tmp, path)  # fails if another process created the warehouse first; theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def connect(path: str | Path, *, read_only: bool = False, wait_seconds: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer migrates it first. Retries for `wait_seconds` while another process holds it."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `civic-ideas demo` or `civic-ideas run` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not read_only and not path.exists():
        _create(path)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = _open(path, read_only)
            break
        except WarehouseBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    if not read_only:
        migrate(con)
    return con


@contextmanager
def session(
    path: str | Path, *, read_only: bool = False, wait_seconds: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is closed on exit, so a flow holds the file only for one short step."""
    con = connect(path, read_only=read_only, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


def applied_migrations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the migrations already applied."""
    con.execute(
        "create table if not exists schema_migrations (name varchar primary key, applied_at timestamptz not null)"
    )
    return {row[0] for row in con.execute("select name from schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending numbered migrations in order, each with its record in one transaction; create the views when
    they are missing or a migration ran. Every flow run also recreates them (`create_views`), so a changed view file
    takes effect at the next run while each short task session stays cheap."""
    done = applied_migrations(con)
    applied = []
    for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        if path.name in done:
            continue
        con.execute("begin transaction")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_migrations values (?, now())", [path.name])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        log.info("applied migration %s", path.name)
        applied.append(path.name)
    if applied or not _views_exist(con):
        create_views(con)
    return applied


def _views_exist(con: duckdb.DuckDBPyConnection) -> bool:
    names = {p.stem.split("_", 1)[1] for p in VIEWS_DIR.glob("*.sql")}
    found = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    return names <= found


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the public views in dependency order (file name order)."""
    for path in sorted(VIEWS_DIR.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


@contextmanager
def writer_lock(path: str | Path, *, timeout_seconds: float = 3600.0) -> Iterator[None]:
    """Hold the warehouse's run lock (`<file>.lock`), so that two flow runs queue instead of interleaving.

    Between its short write steps a run closes the database, so read-only queries still get in.
    """
    lock_path = Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_seconds
    with open(lock_path, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another run has held {path} for {timeout_seconds:.0f} s; check for a stuck flow run"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_snapshot(path: str | Path) -> Path:
    """Copy the warehouse to `<name>-snapshot.duckdb` atomically, for analysts' tools that must never block a run."""
    path = Path(path)
    snapshot = path.with_name(f"{path.stem}-snapshot{path.suffix}")
    con = connect(path, wait_seconds=60.0)  # a reader may hold the file for a moment
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    tmp = snapshot.with_suffix(".tmp")
    shutil.copyfile(path, tmp)
    os.replace(tmp, snapshot)
    return snapshot


def compact(path: str | Path) -> None:
    """Rewrite the warehouse into a fresh file and swap it in, so erased data is not left in freed blocks.

    DuckDB reuses freed blocks but does not wipe them; after an erasure the old bytes must go. The caller holds the
    run lock (`writer_lock`).
    """
    path = Path(path)
    fresh = path.with_name(f".{path.name}.{os.getpid()}.compact")
    fresh.unlink(missing_ok=True)
    con = connect(path, wait_seconds=60.0)
    try:
        source = con.execute("select current_database()").fetchone()[0]
        con.execute(f"attach '{fresh}' as compacted")
        con.execute(f'copy from database "{source}" to compacted')
        con.execute("detach compacted")
    finally:
        con.close()
    os.replace(fresh, path)
