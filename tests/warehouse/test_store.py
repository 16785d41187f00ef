"""The `Warehouse` value on real DuckDB files: a small picklable value that opens, locks, copies and compacts."""

from __future__ import annotations

import pickle
from pathlib import Path

import duckdb
import pytest

from warehouse import db, erase, load
from warehouse.db import WarehouseBusy, WarehouseError
from warehouse.store import Warehouse

MARKER = "Zyxwvutsrqp-stiforbindelse-idé"


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from core_suppressions").fetchone()[0]


def test_a_small_frozen_value_that_prefect_can_hash(tmp_path: Path) -> None:
    from prefect.utilities.hashing import hash_objects

    wh = Warehouse.at(tmp_path / "wh.duckdb")
    assert Warehouse.at(wh) is wh and Warehouse.at(str(wh)) == wh
    assert pickle.loads(pickle.dumps(wh)) == wh and hash(wh) == hash(Warehouse(str(tmp_path / "wh.duckdb")))
    assert hash_objects(wh) == hash_objects(Warehouse.at(str(wh))) != hash_objects(Warehouse.at(tmp_path / "x"))
    assert str(wh) == str(tmp_path / "wh.duckdb") and wh.path == tmp_path / "wh.duckdb"
    with pytest.raises(AttributeError):
        wh.location = "elsewhere"  # type: ignore[misc]


@pytest.mark.parametrize("location", ["", "  ", "md:civic_ideas", "ducklake:postgres:dbname=x password=hemmelig"])
def test_an_empty_or_shared_location_is_refused_in_one_line(location: str) -> None:
    with pytest.raises(WarehouseError) as info:
        Warehouse.at(location)
    message = str(info.value)
    assert "\n" not in message and "--warehouse PATH" in message
    assert "hemmelig" not in message, "a catalog's connection string never reaches a message"


def test_create_makes_a_migrated_private_file_once(tmp_path: Path) -> None:
    wh = Warehouse.at(tmp_path / "sub" / "wh.duckdb")
    assert not wh.exists()
    with pytest.raises(WarehouseError, match=r"^no warehouse at .*wh\.duckdb"):
        with wh.session(read_only=True):
            pass
    assert not wh.exists(), "a reader creates nothing"
    wh.create()
    assert wh.exists() and wh.path.stat().st_mode & 0o077 == 0
    with wh.session(read_only=True) as con:
        applied = con.execute("select count(*) from schema_migrations").fetchone()[0]
    assert applied == len(list(db.MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")))
    wh.create()  # nothing left to apply
    with wh.session(read_only=True) as con:
        assert con.execute("select count(*) from schema_migrations").fetchone()[0] == applied


def test_one_nestable_transaction_for_loads_erasures_and_migrations(tmp_path: Path) -> None:
    assert load.transaction is db.transaction and erase.transaction is db.transaction
    wh = Warehouse.at(tmp_path / "wh.duckdb")
    with wh.session() as con:
        with pytest.raises(RuntimeError), wh.transaction(con):
            con.execute("insert into core_suppressions values ('comment', 'outer')")
            with load.transaction(con):  # joins the outer one: no commit of its own
                con.execute("insert into core_suppressions values ('comment', 'inner')")
            raise RuntimeError("after the inner block")
        assert _count(con) == 0, "the inner block's row went with the outer rollback"
        with wh.transaction(con):
            with db.transaction(con):
                con.execute("insert into core_suppressions values ('comment', 'inner')")
            assert _count(con) == 1
    with wh.session(read_only=True) as con:
        assert _count(con) == 1, "committed once, at the outer end"


def test_a_failing_migration_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse.at(tmp_path / "wh.duckdb")
    wh.create()
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for path in db.MIGRATIONS_DIR.glob("*.sql"):
        (migrations / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (migrations / "9999_broken.sql").write_text("create table half_made (x int);\nselect * from no_such_table;",
                                                encoding="utf-8")
    monkeypatch.setattr(db, "MIGRATIONS_DIR", migrations)
    with pytest.raises(duckdb.CatalogException):
        wh.create()
    monkeypatch.undo()
    with wh.session(read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        names = {r[0] for r in con.execute("select name from schema_migrations").fetchall()}
    assert "half_made" not in tables and "9999_broken.sql" not in names


def test_the_writer_lock_makes_a_second_writer_wait(tmp_path: Path) -> None:
    wh = Warehouse.at(tmp_path / "wh.duckdb")
    with wh.writer_lock():
        with pytest.raises(WarehouseBusy, match="another run has held"):
            with Warehouse.at(str(wh)).writer_lock(timeout_seconds=0):
                pass
    with wh.writer_lock(timeout_seconds=0):  # released on exit
        pass


def test_snapshot_purge_and_analyst_query(tmp_path: Path) -> None:
    wh = Warehouse.at(tmp_path / "wh.duckdb")
    with wh.session() as con:
        con.execute("create table notes as select $m || repeat('x', 2000) || i as note from range(60) t(i)",
                    {"m": MARKER})
        con.execute("checkpoint")
    snapshot = wh.snapshot()
    assert snapshot == tmp_path / "wh-snapshot.duckdb" and MARKER.encode() in snapshot.read_bytes()
    with wh.session() as con:
        con.execute("delete from notes where note like $m || '%'", {"m": MARKER})
        con.execute("insert into notes values ('kept')")
        con.execute("checkpoint")
    with wh.writer_lock():
        wh.purge_erased()
        wh.snapshot()
    assert MARKER.encode() not in wh.path.read_bytes() and MARKER.encode() not in snapshot.read_bytes()
    assert wh.analyst_query("select note from notes") == (["note"], [("kept",)])
    with pytest.raises(db.QueryRefused):
        wh.analyst_query("delete from notes")


def test_building_a_warehouse_value_loads_no_duckdb():
    """The CLI builds a Warehouse for every command, cluster-file included (which opens none): only opening one, or
    refusing a location, may import DuckDB."""
    import subprocess
    import sys

    code = ("import sys; from warehouse.store import Warehouse; Warehouse.at('data/x.duckdb'); "
            "print('duckdb' in sys.modules, 'pyarrow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
