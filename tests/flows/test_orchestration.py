"""Flows run through Prefect only when an API is configured (flows/orchestration.py): the decision, the plain
functions' retries, and a real `civic-ideas ingest` without Prefect that still records its run in the warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows import orchestration
from sources.standin import GraphStandIn

REPO = Path(__file__).resolve().parents[2]
PAGE = "100000000000009"
POST = f"{PAGE}_1"
EMPTY = {"page": {"id": PAGE, "name": "Tom Kommune"},
         "posts": [{"id": POST, "created_time": "2024-01-01T08:00:00+0000", "message": "Idéer?",
                    "permalink_url": f"https://www.facebook.com/{PAGE}/posts/1", "consultation": "tom"}],
         "comments": []}


@pytest.mark.parametrize(("environ", "files", "modules", "expected"), [
    ({}, {}, {}, False),
    ({"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, {}, {}, True),
    ({}, {}, {"prefect": object()}, True),  # loaded already: a worker's flow run, `prefect deploy`
    ({"CIVIC_IDEAS_PREFECT": "on"}, {}, {}, True),
    ({"CIVIC_IDEAS_PREFECT": "off", "PREFECT_API_URL": "http://127.0.0.1:4200/api"}, {}, {"prefect": 1}, False),
    ({}, {"profiles.toml": 'active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n'},
     {}, True),
    ({}, {"profiles.toml": 'active = "ephemeral"\n[profiles.ephemeral]\nPREFECT_SERVER_EPHEMERAL_ENABLED = "true"\n'
                           '[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n'}, {}, False),
    ({"PREFECT_PROFILE": "local"},
     {"profiles.toml": 'active = "ephemeral"\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n'},
     {}, True),
])
def test_prefect_is_used_when_an_api_is_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   environ: dict[str, str], files: dict[str, str],
                                                   modules: dict[str, object], expected: bool) -> None:
    monkeypatch.chdir(tmp_path)  # no prefect.toml here
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {"PREFECT_HOME": str(tmp_path), **environ}
    assert orchestration.wants_prefect(env, modules) is expected


def test_a_prefect_toml_in_the_working_directory_counts(tmp_path: Path) -> None:
    (tmp_path / "prefect.toml").write_text('[api]\nurl = "http://127.0.0.1:4200/api"\n', encoding="utf-8")
    assert orchestration.api_configured({"PREFECT_HOME": str(tmp_path / "home")}, cwd=tmp_path)
    assert not orchestration.api_configured({"PREFECT_HOME": str(tmp_path / "home")}, cwd=tmp_path / "home")


def test_a_plain_task_keeps_its_retries_and_retry_condition() -> None:
    calls: list[str] = []

    def only_oserror(task: object, task_run: object, state: object) -> bool:
        try:
            state.result()  # type: ignore[attr-defined]
        except OSError:
            return True
        except Exception:
            return False
        return False

    def flaky(kind: str) -> str:
        calls.append(kind)
        if len(calls) == 1:
            raise OSError("network") if kind == "net" else ValueError("config")
        return "ok"

    task = orchestration._plain_task(flaky, retries=1, retry_delay_seconds=0, retry_condition_fn=only_oserror)
    assert task("net") == "ok" and calls == ["net", "net"]
    calls.clear()
    with pytest.raises(ValueError, match="config"):
        task("config")
    assert calls == ["config"], "an error the condition refuses is not retried"
    assert task.fn is flaky


def test_ingest_without_a_prefect_api_records_its_run_and_loads_no_prefect(tmp_path: Path) -> None:
    """A real `civic-ideas ingest` (the CLI's main in a fresh interpreter) against the stand-in, no Prefect API:
    no Prefect, no scikit-learn in the process, and the warehouse's `runs` view has its row."""
    config = tmp_path / "c.toml"
    config.write_text(f'[facebook]\npage_id = "{PAGE}"\n[[consultations]]\nslug = "tom"\ntitle = "Tom"\n'
                      f'post_ids = ["{POST}"]\nlanguage = "da"\n', encoding="utf-8")
    warehouse = tmp_path / "wh.duckdb"
    probe = ("import json, sys\nfrom flows.cli import main\n"
             f"main(['--warehouse', {str(warehouse)!r}, 'ingest', '--config', {str(config)!r}], "
             "standalone_mode=False)\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'sklearn', 'scipy'})))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CIVIC_IDEAS_", "FACEBOOK_"))}
    with GraphStandIn(EMPTY) as standin:
        env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), CIVIC_IDEAS_SALT="test-salt-0123456789abcdef",
                   FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN="standin-page-token",
                   PYTHONPATH=str(REPO))
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path,
                              timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        runs = con.execute("select flow_name, status, parameters from runs").fetchall()
    finally:
        con.close()
    assert [(name, status) for name, status, _ in runs] == [("civic-ideas-run", "COMPLETED")]
    assert json.loads(runs[0][2])["stages"] == ["ingest"]
