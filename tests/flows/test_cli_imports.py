"""`civic-ideas --help` and `sql` start light: no Prefect, pandas or scikit-learn in the process (checked through
sys.modules in a fresh interpreter, not timed), and errors still reach the user as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from warehouse.db import connect

HEAVY = ("prefect", "pandas", "sklearn", "scipy", "openpyxl", "models.embeddings", "pydantic_settings")
PROBE = """
import json, sys
from flows.cli import main
try:
    main({args!r}, standalone_mode=False)
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))))
"""


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    connect(path).close()
    return path


def _loaded(args: list[str], cwd: Path) -> list[str]:
    """The heavy modules a fresh interpreter holds after running the CLI with `args`."""
    code = PROBE.format(args=args, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
                            check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    assert _loaded(["--help"], tmp_path) == []


def test_sql_imports_nothing_heavy(warehouse: Path) -> None:
    assert _loaded(["--warehouse", str(warehouse), "sql", "select 1 as n", "--format", "csv"], warehouse.parent) == []


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check can fail: a command that needs pandas (cluster-file's --help loads nothing, its body does) shows it."""
    items = tmp_path / "in.csv"
    items.write_text("text\nLav en cykelsti langs åen\n", encoding="utf-8")
    loaded = _loaded(["cluster-file", str(items), "--text-column", "text", "--out", str(tmp_path / "out.csv")],
                     tmp_path)
    assert "pandas" in loaded and "sklearn" in loaded


def _sql(warehouse: Path, query: str, fmt: str) -> str:
    result = CliRunner().invoke(main, ["--warehouse", str(warehouse), "sql", query, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_sql_formats_without_pandas(warehouse: Path) -> None:
    query = ("select 1 as n, '=HYPERLINK(\"http://x\")' as f, '\tx' as t, '-5' as neg, 'a,b' as c, "
             "timestamptz '2014-05-12 10:00:00+00' as at, null as z")
    csv_lines = _sql(warehouse, query, "csv").splitlines()
    assert csv_lines[0] == "n,f,t,neg,c,at,z"
    assert csv_lines[1] == "1,\"'=HYPERLINK(\"\"http://x\"\")\",'\tx,-5,\"a,b\",2014-05-12 10:00:00+00:00,"
    rows = json.loads(_sql(warehouse, query, "json"))
    assert rows == [{"n": 1, "f": '=HYPERLINK("http://x")', "t": "\tx", "neg": "-5", "c": "a,b",
                     "at": "2014-05-12T10:00:00+00:00", "z": None}]
    table = _sql(warehouse, "select 1 as n, 'kort' as label", "table").splitlines()
    assert [line.split() for line in table] == [["n", "label"], ["1", "kort"]]


def test_sql_says_when_there_are_no_rows(warehouse: Path) -> None:
    assert _sql(warehouse, "select comment_id, message from comments", "table").splitlines() == [
        "comment_id  message", "(0 rows)"]
    assert _sql(warehouse, "select comment_id from comments", "json").strip() == "[]"
    assert _sql(warehouse, "select comment_id from comments", "csv") == "comment_id\n"


@pytest.mark.parametrize(("args", "expected"), [
    (["--warehouse", "{tmp}/missing.duckdb", "sql", "select 1"], "no warehouse at"),
    (["ingest", "--config", "{tmp}/missing.toml"], "missing.toml"),
    (["cluster-file", "{tmp}/missing.csv", "--text-column", "t", "--out", "{tmp}/o.csv"], "missing.csv"),
])
def test_known_errors_stay_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    """Errors from modules the CLI now imports late are still recognised: one line, no 'unexpected error'."""
    result = CliRunner().invoke(main, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("civic-ideas: error: "), lines
    assert expected in lines[0] and "unexpected error" not in lines[0]
