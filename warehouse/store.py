"""The warehouse as one small value: where it is, and everything that opens, locks, copies or compacts it.

Flows and the CLI hold a `Warehouse` instead of a path and never build sessions from a path themselves; the load,
erase and query functions keep taking a connection. Today the location is a local DuckDB file and the methods are
`warehouse.db`'s functions; a shared warehouse (docs/warehouse.md) would change this class, not its callers.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

# `warehouse.db` (and DuckDB) is imported by the methods that open something: the CLI builds a Warehouse for every
# command, and `--help` or `cluster-file` open none.

# Locations of shared warehouses (docs/warehouse.md): named here so they are refused in one line, not made into files.
_SHARED = re.compile(r"(ducklake|md|motherduck):", re.IGNORECASE)


@dataclass(frozen=True)
class Warehouse:
    """Where the warehouse is. A frozen, picklable value: Prefect hashes task inputs, so a task may take one; an open
    connection never is one. Build it with `Warehouse.at` from a location string, a path or a `Warehouse`."""

    location: str

    def __post_init__(self) -> None:
        if not self.location.strip():
            from warehouse.db import WarehouseError  # only here: a valid location loads no DuckDB (cluster-file)

            raise WarehouseError("the warehouse location is empty: pass --warehouse PATH (a DuckDB file)")
        if _SHARED.match(self.location):
            from warehouse.db import WarehouseError

            raise WarehouseError(f"the warehouse {self.location.split(':', 1)[0]}:... is a shared warehouse, which "
                                 "this version cannot open yet: pass --warehouse PATH (a DuckDB file)")

    @classmethod
    def at(cls, location: str | Path | Warehouse) -> Warehouse:
        """The warehouse at `location` (a DuckDB file's path); a `Warehouse` is returned as it is."""
        return location if isinstance(location, Warehouse) else cls(str(location))

    def __str__(self) -> str:
        """The location, for messages ("no warehouse at ..."): a file path, which holds no secret."""
        return self.location

    def __fspath__(self) -> str:
        """The DuckDB file, for functions that take a path (`os.fspath`, `Path(...)`)."""
        return self.location

    @property
    def path(self) -> Path:
        """The DuckDB file."""
        return Path(self.location)

    def exists(self) -> bool:
        """Whether the warehouse has been created (a run, an import or the demo makes it)."""
        return self.path.is_file()

    def session(self, *, read_only: bool = False,
                wait_seconds: float = 60.0) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A connection closed on exit (`db.session`); a writer creates and migrates the warehouse first. Waits up to
        `wait_seconds` while another process holds it; a read-only one of a missing warehouse is a `WarehouseError`."""
        from warehouse import db

        return db.session(self.path, read_only=read_only, wait_seconds=wait_seconds)

    def create(self) -> None:
        """Create the warehouse if it is missing and apply pending migrations."""
        with self.session():
            pass

    def analyst_query(self, query: str, *,
                      wait_seconds: float = 10.0) -> tuple[list[str], list[tuple[object, ...]]]:
        """Column names and rows of one read-only SELECT on a locked-down connection (`db.analyst_query`)."""
        from warehouse import db

        return db.analyst_query(self.path, query, wait_seconds=wait_seconds)

    def writer_lock(self, *, timeout_seconds: float = 3600.0) -> AbstractContextManager[None]:
        """The run lock: flow runs, imports, erasures and corrections queue on it instead of interleaving."""
        from warehouse import db

        return db.writer_lock(self.path, timeout_seconds=timeout_seconds)

    @staticmethod
    def transaction(con: duckdb.DuckDBPyConnection) -> AbstractContextManager[None]:
        """One transaction around the block, part of an outer one when nested (`db.transaction`)."""
        from warehouse import db

        return db.transaction(con)

    def snapshot(self) -> Path:
        """Rewrite the analysts' copy (`<name>-snapshot.duckdb`), which never blocks a run; returns its path."""
        from warehouse import db

        return db.write_snapshot(self.path)

    def purge_erased(self) -> None:
        """Leave no erased bytes in the warehouse: rewrite it into a fresh file (`db.compact`). The caller holds the
        writer lock; the snapshot is rewritten separately (`snapshot`)."""
        from warehouse import db

        db.compact(self.path)

