"""The functions the CLI now calls instead of holding SQL and erasure steps itself."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse import erase, queries
from warehouse.db import connect

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    connect(path).close()
    return path


def test_summary_of_an_empty_warehouse(warehouse: Path) -> None:
    con = connect(warehouse, read_only=True)
    try:
        assert queries.warehouse_totals(con) == (0, 0, 0)
        assert queries.summary_topics(con) is None
        assert queries.consultations_with_topics(con) == []
    finally:
        con.close()


def test_the_summary_of_an_empty_warehouse_loads_no_pandas(warehouse: Path) -> None:
    code = ("import sys, json; from warehouse import queries; from warehouse.db import connect\n"
            f"con = connect({str(warehouse)!r}, read_only=True); queries.warehouse_totals(con); "
            "queries.summary_topics(con); con.close()\n"
            "print(json.dumps('pandas' in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                            cwd=warehouse.parent, env={"PATH": "/usr/bin:/bin",
                                                       "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) is False


def test_forget_a_person_needs_the_salt(warehouse: Path) -> None:
    with pytest.raises(ValueError, match="needs the pseudonym salt"):
        erase.forget(warehouse, "instagram_user", "someone", None, NOW)


def test_forget_an_unknown_comment_erases_nothing(warehouse: Path) -> None:
    assert erase.forget(warehouse, "comment", "123_456", None, NOW) == 0
    assert set(erase.FORGET_KINDS) == {"facebook_user", "imported_author", "instagram_user", "comment"}
