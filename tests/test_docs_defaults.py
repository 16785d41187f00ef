"""The default warehouse path is one constant (`flows.DEFAULT_WAREHOUSE`): the CLI, the flows' parameters, the
deployments in prefect.yaml and the README all name the same file. CIVIC_IDEAS_WAREHOUSE is the CLI's (click reads
it); `Settings` has no warehouse field and ignores it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from flows import DEFAULT_WAREHOUSE
from flows.cli import main
from flows.demo import demo_flow
from flows.pipeline import run_flow
from flows.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def test_flows_default_to_the_constant() -> None:
    for flow in (run_flow, demo_flow):
        assert inspect.signature(flow.fn).parameters["warehouse"].default == DEFAULT_WAREHOUSE


def test_cli_help_shows_the_constant(monkeypatch) -> None:
    monkeypatch.delenv("CIVIC_IDEAS_WAREHOUSE", raising=False)
    result = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert f"[default: {DEFAULT_WAREHOUSE}]" in " ".join(result.output.split())


def test_the_pipeline_deployments_and_the_readme_name_the_same_file() -> None:
    deployments = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    pipeline = [d for d in deployments if d["entrypoint"].endswith(":run_flow")]
    assert pipeline and {d["parameters"]["warehouse"] for d in pipeline} == {DEFAULT_WAREHOUSE}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"`--warehouse PATH` \(env `CIVIC_IDEAS_WAREHOUSE`, default `([^`]+)`\)", readme)[1] \
        == DEFAULT_WAREHOUSE


def test_the_warehouse_variable_reaches_the_cli_and_settings_ignore_it(monkeypatch, tmp_path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    monkeypatch.setenv("CIVIC_IDEAS_WAREHOUSE", str(missing))
    monkeypatch.setenv("CIVIC_IDEAS_EXPORT_DIR", str(tmp_path / "exports"))
    assert not {"civic_ideas_warehouse", "civic_ideas_export_dir"} & set(Settings().model_dump())
    result = CliRunner().invoke(main, ["sql", "select 1"])
    assert result.exit_code == 1 and f"no warehouse at {missing}" in result.output
    assert not missing.exists()
