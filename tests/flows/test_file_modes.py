"""Issue 17 #5: the files civic-ideas creates are private to their owner (0600 files, 0700 folders): the warehouse
and its .wal, the analysts' snapshot, the salt file, Prefect's home and database. Exports follow the umask.

Every test runs with umask 022, under which the old code made all of these world-readable (0644/0755).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.prefect_home import make_private_prefect_home
from flows.settings import ensure_salt_file
from transforms.records import comments_table
from warehouse import db, erase, load

CLI = str(Path(sys.executable).parent / "civic-ideas")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _comments(n: int) -> list[dict]:
    return [{"id": f"222_{i}", "message": f"Lav en cykelsti nr. {i} langs åen", "like_count": i,
             "created_time": "2014-05-02T09:01:00+0000", "from": {"author_key": "aaaa", "is_page": False}}
            for i in range(1, n + 1)]


def _save(con, n: int = 3) -> None:
    load.save_scan(con, comments_table(_comments(n), "111_222", "demo"), post_id="111_222", run_id=f"r{n}",
                   complete=True, n_requests=1, now=dt.datetime.now(dt.UTC))


def test_a_new_warehouse_its_folder_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "data" / "wh.duckdb"
    wal = Path(f"{path}.wal")
    with db.session(path) as con:
        _save(con)
        assert wal.exists(), "a write leaves a .wal until the checkpoint"
        assert mode(wal) == 0o600
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    assert os.umask(0o022) == 0o022, "the process umask is back as it was"


def test_snapshot_lock_file_and_compacted_warehouse_are_private(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    with db.writer_lock(path, timeout_seconds=5), db.session(path) as con:
        _save(con)
        erase.forget_author(con, "aaaa", dt.datetime.now(dt.UTC))
    db.compact(path)
    snapshot = db.write_snapshot(path)
    assert mode(path) == 0o600, "compact() swaps in a fresh file"
    assert mode(snapshot) == 0o600
    assert mode(Path(f"{path}.lock")) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wh-snapshot.duckdb", "wh.duckdb", "wh.duckdb.lock"]


def test_a_world_readable_warehouse_of_an_older_version_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    db.connect(path).close()
    path.chmod(0o644)
    snapshot = db.write_snapshot(path)
    assert mode(path) == 0o600
    snapshot.chmod(0o644)
    db.write_snapshot(path)
    assert mode(snapshot) == 0o600, "the snapshot is a new file each time"


def test_the_salt_file_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "config" / "civic-ideas" / "salt"
    assert len(ensure_salt_file(path)) == 64
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_prefects_home_and_database_are_made_private_when_missing(tmp_path: Path) -> None:
    env = {"PREFECT_HOME": str(tmp_path / "prefect-home")}
    database = make_private_prefect_home(env)
    assert database == tmp_path / "prefect-home" / "prefect.db"
    assert mode(database.parent) == 0o700 and mode(database) == 0o600
    database.write_bytes(b"kept")
    assert make_private_prefect_home(env) == database and database.read_bytes() == b"kept", "an existing one stays"
    assert make_private_prefect_home({**env, "PREFECT_API_URL": "http://127.0.0.1:4200/api"}) is None


@pytest.mark.slow
def test_the_demo_makes_private_files_and_exports_that_follow_the_umask(tmp_path: Path) -> None:
    """The whole demo, as a user with umask 022 runs it: a real Prefect (in-process, fresh home) writes prefect.db."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_", "PREFECT_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), CIVIC_IDEAS_SALT_FILE=str(tmp_path / "cfg" / "salt"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
               CIVIC_IDEAS_PREFECT="on")  # through Prefect, as with a configured API: it writes prefect.db
    warehouse = tmp_path / "data" / "wh.duckdb"
    result = subprocess.run(
        [CLI, "--warehouse", str(warehouse), "--export-dir", str(tmp_path / "exports"), "demo"],
        capture_output=True, text=True, env=env, timeout=600, check=False, umask=0o022,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    private = [warehouse, warehouse.with_name("wh-snapshot.duckdb"), tmp_path / "cfg" / "salt",
               tmp_path / "prefect-home" / "prefect.db"]
    private += list((tmp_path / "prefect-home").glob("prefect.db-*"))  # SQLite's -wal and -shm, if still there
    modes = {str(p): oct(mode(p)) for p in private if p.exists()}
    assert modes == dict.fromkeys(modes, "0o600") and len(modes) >= 4, modes
    for folder in (warehouse.parent, tmp_path / "cfg", tmp_path / "prefect-home"):
        assert mode(folder) == 0o700, folder
    exports = [p for p in (tmp_path / "exports").rglob("*")]
    assert any(p.name == "ideas.csv" for p in exports)
    assert {oct(mode(p)) for p in exports if p.is_file()} == {"0o644"}, "exports follow the umask"
    assert {oct(mode(p)) for p in exports if p.is_dir()} == {"0o755"}
