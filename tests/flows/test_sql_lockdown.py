"""Issue 17 #1: `civic-ideas sql` reads the warehouse's tables and views and nothing else.

Each attack of the red-team pass is replayed through the CLI: it must be refused with one line on stderr, exit non-zero,
print no secret and leave no file behind. The analysts' views still answer, on the warehouse and on its snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from transforms.records import comments_table
from warehouse import db, load

CLI = str(Path(sys.executable).parent / "civic-ideas")
SECRET = "5a1t-d0-not-print-" + "7f3e" * 8
VIEWS = sorted(p.stem.split("_", 1)[1] for p in db.VIEWS_DIR.glob("*.sql"))


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse with one comment and its snapshot, a salt file, and a secret in the environment."""
    path = tmp_path / "wh.duckdb"
    con = db.connect(path)
    comment = {"id": "222_1", "message": "Lav en cykelsti langs åen", "created_time": "2014-05-02T09:01:00+0000",
               "from": {"author_key": "aaaa", "is_page": False}, "like_count": 3}
    load.save_scan(con, comments_table([comment], "111_222", "demo"), post_id="111_222", run_id="r1",
                   complete=True, n_requests=1, now=dt.datetime.now(dt.UTC))
    con.close()
    db.write_snapshot(path)
    (tmp_path / "salt").write_text(SECRET)
    monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN", SECRET)
    return tmp_path


def _sql(tmp: Path, query: str, warehouse: str = "wh.duckdb") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--warehouse", str(tmp / warehouse), "sql", query, "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


ATTACKS = {
    "read the salt file": "select content from read_text('{tmp}/salt')",
    "read the environment": "select content from read_text('/proc/self/environ')",
    "read a file as a table": "select * from read_csv('{tmp}/salt', header = false)",
    "list files": "select * from glob('{tmp}/*')",
    "write a .pth file": "copy (select 'import os') to '{tmp}/x.pth'",
    "write through a subquery": "copy (select content from read_text('{tmp}/salt')) to '{tmp}/x.pth'",
    "export the database": "export database '{tmp}/d'",
    "attach a writable database": "attach '{tmp}/other.duckdb' as other (read_only false)",
    "turn external access back on": "set enable_external_access = true",
    "reset external access": "reset enable_external_access",
    "set a setting": "set threads = 1",
    "delete rows": "delete from stg_comments",
    "create a temp table": "create temp table t as select 1 as x",
    "explain analyze runs its statement": "explain analyze create temp table t as select 1 as x",
    "install an extension": "install httpfs",
    "load an extension": "load httpfs",
    "two statements": "select 1; select 2",
    "a write after a select": "select 1; copy (select 1) to '{tmp}/x.pth'",
    "a pragma": "pragma enable_profiling",
    "a checkpoint": "checkpoint",
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_refused_in_one_line(world: Path, attack: str) -> None:
    code, out, err = _sql(world, ATTACKS[attack].format(tmp=world))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("civic-ideas: error: "), err
    assert "Traceback" not in err and SECRET not in out + err
    assert sorted(p.name for p in world.iterdir()) == ["salt", "wh-snapshot.duckdb", "wh.duckdb"], "nothing written"


@pytest.mark.parametrize("query", ["select 1; select 2", "create temp table t as select 1", "set threads = 1",
                                   "delete from stg_comments"])
def test_refusal_names_the_rule(world: Path, query: str) -> None:
    _, _, err = _sql(world, query)
    assert "one statement" in err or ("read-only" in err and "only SELECT" in err), err


def test_file_access_is_refused_even_inside_a_select(world: Path) -> None:
    _, _, err = _sql(world, f"select content from read_text('{world}/salt')")
    assert "cannot read or write files" in err, err


@pytest.mark.parametrize("warehouse", ["wh.duckdb", "wh-snapshot.duckdb"])
@pytest.mark.parametrize("view", VIEWS)
def test_the_analysts_views_still_answer(world: Path, view: str, warehouse: str) -> None:
    code, out, err = _sql(world, f"select * from {view}", warehouse)
    assert code == 0, err
    rows = json.loads(out)
    if view in ("comments",):
        assert [r["message"] for r in rows] == ["Lav en cykelsti langs åen"]


@pytest.mark.parametrize("query", [
    "from comments", "describe comments", "show tables", "summarize comments", "explain select * from ideas",
    "with c as (select * from comments) select count(*) as n from c", "select 1 as n -- a comment",
])
def test_select_like_statements_still_run(world: Path, query: str) -> None:
    code, out, err = _sql(world, query)
    assert code == 0, err
    assert json.loads(out)


def test_the_installed_cli_refuses_and_answers(world: Path) -> None:
    """The real process: a refused file read is one line and exit 1; a view query still works."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVIC_IDEAS_", "PREFECT_API"))}
    env["FACEBOOK_ACCESS_TOKEN"] = SECRET

    def run(query: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, "--warehouse", str(world / "wh.duckdb"), "sql", query, "--format", "csv"],
                              capture_output=True, text=True, env=env, timeout=120, check=False)

    attack = run("select content from read_text('/proc/self/environ')")
    assert attack.returncode == 1 and attack.stderr.count("\n") == 1, attack.stderr
    assert SECRET not in attack.stdout + attack.stderr
    ok = run("select comment_id, like_count from comments")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == ["comment_id,like_count", "222_1,3"]
