"""DuckDB connection, numbered migrations and public views."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb

from transforms.errors import UserError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VIEWS_DIR = Path(__file__).parent / "views"


class WarehouseError(UserError):
    """A problem with the warehouse file that the user can fix."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse's write lock."""


class QueryRefused(WarehouseError):
    """`civic-ideas sql` was given something other than one read-only query."""


# `civic-ideas sql`: no file, network or extension access, and settings locked, so a query cannot turn them back on
# (DuckDB applies these at start-up, after it has opened the warehouse file itself).
ANALYST_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_extension_repositories": "forbidden",
    "lock_configuration": True,
}
PRIVATE_UMASK = 0o077  # files the warehouse makes are the owner's only: 0600 files, 0700 folders
_umask_lock = threading.Lock()
_umask_depth = 0
_umask_saved = 0
_EXPLAIN = re.compile(r"\s*explain\s+(?:analyze\s+)?(.*)", re.IGNORECASE | re.DOTALL)


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def _open(path: Path, read_only: bool, config: dict[str, str | bool] | None = None) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise WarehouseBusy(
                f"the warehouse {path} is in use by a running flow; wait for it to finish and try again"
            ) from exc
        raise WarehouseError(f"cannot open the warehouse {path}: {exc}") from exc


@contextmanager
def private_files() -> Iterator[None]:
    """Files and folders created meanwhile (by DuckDB too: its .wal, spill folder, a compacted copy) are private to
    their owner. The umask is process-wide, so nested and concurrent uses share one change; nothing else should write
    files meanwhile (planners' exports follow the user's umask: they are written from a read-only session)."""
    global _umask_depth, _umask_saved
    with _umask_lock:
        if _umask_depth == 0:
            _umask_saved = os.umask(PRIVATE_UMASK)
        _umask_depth += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_depth -= 1
            if _umask_depth == 0:
                os.umask(_umask_saved)


def _make_private(path: Path) -> None:
    """Take group and other access away from a warehouse file we own (one made before files were private)."""
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o077:
            os.chmod(path, info.st_mode & 0o700)
    except FileNotFoundError:
        pass


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


def connect(path: str | Path, *, read_only: bool = False, wait_seconds: float = 0.0,
            config: dict[str, str | bool] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer migrates it first. Retries for `wait_seconds` while another process holds it.

    `config` is DuckDB's start-up configuration (e.g. `ANALYST_CONFIG`). A writer's file (and folder) are made
    private; write through `session`, which keeps DuckDB's .wal private too."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `civic-ideas demo` or `civic-ideas run` first")
    if read_only:
        return _open_waiting(path, read_only, config, wait_seconds)
    with private_files():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _create(path)
        _make_private(path)
        con = _open_waiting(path, read_only, config, wait_seconds)
        migrate(con)
    return con


def _open_waiting(path: Path, read_only: bool, config: dict[str, str | bool] | None,
                  wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = _open(path, read_only, config)
            break
        except WarehouseBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    return con


def read_only_statement(query: str) -> duckdb.Statement:
    """The one SELECT (or EXPLAIN of one) in `query`, parsed by DuckDB itself; anything else raises QueryRefused."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise WarehouseError(f"SQL error: {str(exc).splitlines()[0]}") from exc
    if len(statements) != 1:
        raise QueryRefused(f"civic-ideas sql runs exactly one statement and got {len(statements)}: "
                           "send one SELECT per call")
    statement = statements[0]
    kind = statement.type
    if kind == duckdb.StatementType.EXPLAIN:  # EXPLAIN ANALYZE runs what it explains: only a SELECT may follow
        inner = _EXPLAIN.fullmatch(statement.query)
        kind = read_only_statement(inner.group(1)).type if inner else kind
    if kind != duckdb.StatementType.SELECT:
        raise QueryRefused(f"civic-ideas sql is read-only and runs only SELECT queries, not {kind.name}: it cannot "
                           "write, touch files, attach databases or change settings")
    return statement


def analyst_query(path: str | Path, query: str, *,
                  wait_seconds: float = 10.0) -> tuple[list[str], list[tuple[object, ...]]]:
    """The column names and rows of one read-only SELECT, run for an analyst on a locked-down connection
    (`ANALYST_CONFIG`). Plain Python values, no DataFrame: `civic-ideas sql` starts without pandas."""
    statement = read_only_statement(query)  # before the file is opened: a refused query never touches it
    con = connect(path, read_only=True, wait_seconds=wait_seconds, config=ANALYST_CONFIG)
    try:
        result = con.execute(statement)
        return [column[0] for column in result.description or []], result.fetchall()
    except duckdb.Error as exc:
        raise _analyst_error(exc) from exc
    finally:
        con.close()


def _analyst_error(exc: duckdb.Error) -> WarehouseError:
    text = str(exc).splitlines()[0]
    if isinstance(exc, duckdb.PermissionException):
        return QueryRefused("civic-ideas sql cannot read or write files or load extensions: query the warehouse's "
                            f"tables and views only ({text})")
    if "read-only" in text.lower() or "configuration has been locked" in text:
        return QueryRefused(f"civic-ideas sql is read-only: use SELECT (or the CLI commands) instead ({text})")
    return WarehouseError(f"SQL error: {text}")


@contextmanager
def session(
    path: str | Path, *, read_only: bool = False, wait_seconds: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is closed on exit, so a flow holds the file only for one short step. A writer's session
    runs in `private_files`: DuckDB makes its .wal (and spill files) during the writes."""
    with private_files() if not read_only else nullcontext():
        con = connect(path, read_only=read_only, wait_seconds=wait_seconds)
        try:
            yield con
        finally:
            con.close()


_IN_TRANSACTION: set[int] = set()  # connections inside a `transaction` block


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction around the block; inside another `transaction` block, part of that one.

    The one way the warehouse's code opens a transaction (loads, erasures, migrations): the ingest wraps a batch of
    posts in an outer one around each post's own, so a batch costs one commit (one WAL sync) and a crash leaves the
    warehouse as it was before the batch. Any exception, interrupts included, rolls the outermost one back.
    """
    if id(con) in _IN_TRANSACTION:
        yield
        return
    con.execute("begin transaction")
    _IN_TRANSACTION.add(id(con))
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    else:
        con.execute("commit")
    finally:
        _IN_TRANSACTION.discard(id(con))


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
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_migrations values (?, now())", [path.name])
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
    with private_files():
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 - closed by the with below
    deadline = time.monotonic() + timeout_seconds
    with handle:
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
    with private_files():
        con = connect(path, wait_seconds=60.0)  # a reader may hold the file for a moment
        try:
            con.execute("checkpoint")
        finally:
            con.close()
        tmp = snapshot.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)  # a left-over copy keeps its old mode; a new one is private
        shutil.copyfile(path, tmp)
        os.replace(tmp, snapshot)
    return snapshot


def _identifier(name: str) -> str:
    """`name` as a quoted SQL identifier (the database name comes from the file name, which may hold quotes)."""
    return '"' + name.replace('"', '""') + '"'


def compact(path: str | Path) -> None:
    """Rewrite the warehouse into a fresh file and swap it in, so erased data is not left in freed blocks.

    DuckDB reuses freed blocks but does not wipe them; after an erasure the old bytes must go. The caller holds the
    run lock (`writer_lock`).
    """
    path = Path(path)
    fresh = path.with_name(f".{path.name}.{os.getpid()}.compact")
    fresh.unlink(missing_ok=True)
    with private_files():
        _compact_into(path, fresh)
    os.replace(fresh, path)


def _compact_into(path: Path, fresh: Path) -> None:
    con = connect(path, wait_seconds=60.0)
    try:
        source = con.execute("select current_database()").fetchone()[0]
        con.execute("attach $path as compacted", {"path": str(fresh)})  # a parameter: any path, quotes included
        con.execute(f"copy from database {_identifier(source)} to compacted")
        con.execute("checkpoint compacted")  # all in the fresh file itself: its .wal would not follow the rename
        con.execute("detach compacted")
    finally:
        con.close()
