"""Ad hoc SQL while the pipeline writes: `civic-ideas sql` waits a bounded time for a write step, then says so in one
line; the snapshot file is readable whatever a run is doing. (Queries during real scheduled runs, where neither may
fail: tests/flows/test_schedule.py::test_queries_while_the_runs_write_and_neither_fails.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from warehouse import db

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).parent / "civic-ideas")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_"))}
    env.pop("PREFECT_API_URL", None)
    env["CIVIC_IDEAS_SALT_FILE"] = str(tmp / "salt")
    return env


def _sql(tmp: Path, warehouse: Path, query: str, *options: str) -> subprocess.CompletedProcess[str]:
    command = [CLI, "--warehouse", str(warehouse), "sql", query, "--format", "json", *options]
    return subprocess.run(command, capture_output=True, text=True, env=_env(tmp), timeout=60, check=False)


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    """A migrated warehouse with its snapshot, as a finished run leaves them."""
    path = tmp_path / "wh.duckdb"
    db.connect(path).close()
    db.write_snapshot(path)
    return path


@pytest.fixture()
def writing(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse held open for writing, as a flow's write step holds it."""
    con = duckdb.connect(str(warehouse))
    con.execute("begin transaction")
    try:
        yield con
    finally:
        con.close()


def test_sql_waits_for_a_write_to_finish_then_answers(tmp_path: Path, warehouse: Path,
                                                      writing: duckdb.DuckDBPyConnection) -> None:
    command = [CLI, "--warehouse", str(warehouse), "sql", "select count(*) as n from comments", "--format", "json",
               "--wait", "20"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
    try:
        time.sleep(3)
        assert proc.poll() is None, "sql did not wait for the writer"
        writing.execute("rollback")
        writing.close()
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait(timeout=5)
    assert proc.returncode == 0, err
    assert json.loads(out) == [{"n": 0}]


def test_sql_gives_up_after_its_wait_in_one_line(tmp_path: Path, warehouse: Path,
                                                  writing: duckdb.DuckDBPyConnection) -> None:
    started = time.monotonic()
    result = _sql(tmp_path, warehouse, "select 1", "--wait", "1")
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "running flow" in lines[0] and "try again" in lines[0]
    assert elapsed < 30, f"sql took {elapsed:.1f} s to give up after --wait 1"


def test_the_snapshot_answers_while_a_run_writes(tmp_path: Path, warehouse: Path,
                                                 writing: duckdb.DuckDBPyConnection) -> None:
    snapshot = warehouse.with_name("wh-snapshot.duckdb")
    con = duckdb.connect(str(snapshot), read_only=True)  # what `duckdb -readonly` or a SQL client does
    try:
        assert con.execute("select count(*) from comments").fetchone() == (0,)
    finally:
        con.close()
    result = _sql(tmp_path, snapshot, "select count(*) as n from runs", "--wait", "0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": 0}]
