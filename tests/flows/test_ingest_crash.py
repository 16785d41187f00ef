"""Crash safety: ingestion killed with SIGKILL at any point loses nothing and duplicates nothing.

The ingestion runs in a child process (`tests/flows/ingestkit.py`) against a 10,000-comment post served by the
stand-in in this process. It is killed while fetching, while migrating a new warehouse, inside the load's
transaction, right after its commit, and at a moment during the load; each time the warehouse must open again
(DuckDB replays or discards its WAL), hold either the state before the run or the state after it, and the next
run must finish the job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from ingestkit import POST_ID, assert_exact, ingest, inspect, make_dataset, serving, snapshot

from sources.standin import GraphStandIn
from warehouse import db

pytestmark = pytest.mark.slow

KIT = Path(__file__).with_name("ingestkit.py")
REPO = Path(__file__).resolve().parents[2]
THREADS = 1000  # 1,000 comments with 9 replies each: 10,000 rows, 100 pages of 100


def _child(standin: GraphStandIn, warehouse: Path, run_id: str, kill_at: str = "",
           kill_when: Callable[[], bool] | None = None, delay: float = 0.0) -> int:
    """Run one ingestion in a child process; SIGKILL it once `kill_when()` holds (after `delay` s)."""
    marker = warehouse.with_name(f"marker-{run_id}")
    proc = subprocess.Popen([sys.executable, str(KIT), standin.url, str(warehouse), run_id, kill_at, str(marker)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if kill_when is not None:
            while proc.poll() is None and not kill_when():
                time.sleep(0.001)
            time.sleep(delay)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, err.decode(errors="replace")[-2000:]
    return proc.returncode


def _reopen(warehouse: Path) -> None:
    """What the next run does first: open the file for writing (WAL recovery) and migrate."""
    db.connect(warehouse).close()


def _changes(standin: GraphStandIn, round_: int) -> set[str]:
    """Edit 50 comments, delete 30 threads and add 40 comments; return the deleted ids."""
    comments = standin.store.post_comments(POST_ID)
    for c in comments[round_ * 500:round_ * 500 + 50]:
        if c.get("message"):
            standin.edit_comment(c["id"], f"{c['message']} (rettet {round_})")
    tops = [c["id"] for c in comments if not c.get("parent_id")][round_ * 100 + 50:round_ * 100 + 80]
    gone = {g for top in tops for g in standin.delete_comment(top)}
    for n in range(40):
        standin.add_comment(POST_ID, f"Ny idé {round_}.{n}")
    return gone


def test_killed_runs_lose_nothing_and_the_next_run_finishes_the_job(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with serving(make_dataset([9] * THREADS)) as standin:
        # killed while fetching: nothing is written before everything is fetched
        _child(standin, warehouse, "fetch", kill_when=lambda: len(standin.requests) >= 30)
        assert not warehouse.exists()
        # killed as soon as the warehouse file appears (migrations, first load): all or nothing
        _child(standin, warehouse, "create", kill_when=warehouse.exists)
        _reopen(warehouse)
        assert len(inspect(warehouse).rows) in (0, 10 * THREADS)
        ingest(standin, warehouse, "r1", page_limit=100)
        assert_exact(warehouse, standin)

        # killed inside the load's transaction, after every write: no trace
        gone = _changes(standin, 0)
        before = snapshot(warehouse)
        _child(standin, warehouse, "in-tx", "before_commit")
        _reopen(warehouse)
        assert snapshot(warehouse) == before

        # killed after the commit, before the close and checkpoint: DuckDB replays its WAL
        _child(standin, warehouse, "committed", "after_commit")
        _reopen(warehouse)
        seen = assert_exact(warehouse, standin, tombstoned=gone)
        assert seen.scans[-1] == ("committed", True)

        # killed from outside during the load: the old state or the new one, nothing in between
        gone |= _changes(standin, 1)
        before = snapshot(warehouse)
        _child(standin, warehouse, "timed", kill_when=warehouse.with_name("marker-timed.load").exists, delay=0.05)
        _reopen(warehouse)
        if inspect(warehouse).scans[-1] == ("timed", True):
            assert_exact(warehouse, standin, tombstoned=gone)
        else:
            assert snapshot(warehouse) == before

        ingest(standin, warehouse, "finish", page_limit=100)
        seen = assert_exact(warehouse, standin, tombstoned=gone)
    assert seen.scans[-1] == ("finish", True)
