"""Issue 18 #2: the dialogue's counts reach Prefect as a markdown artifact when Prefect runs the export, and hold
no comment text (Prefect's database is outside the reach of `forget`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from prefect import flow
from prefect.artifacts import Artifact
from prefect.testing.utilities import prefect_test_harness

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "warehouse"))
import dialoguekit as kit  # noqa: E402

from flows import artifacts  # noqa: E402
from warehouse import db, export  # noqa: E402


@pytest.fixture(scope="module")
def export_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("dialogue-flow")
    warehouse = kit.build(root / "wh.duckdb")
    with db.session(str(warehouse), read_only=True) as con:
        return export.export_consultation(con, kit.SLUG, root / "exports", title="Dialog")


def test_the_dialogue_markdown_has_the_counts_and_no_text(export_paths: list[Path]) -> None:
    markdown = artifacts.dialogue_markdown(kit.SLUG, export_paths)
    assert markdown is not None
    assert "| Ikke besvaret | 2 |" in markdown and "| Besvaret af kommunen i tråden | 2 |" in markdown
    assert "| Timer til første svar, 90. percentil | 2.8 |" in markdown
    for _minutes, _author, _parent, message, _hidden in kit.THREAD.values():
        assert message not in markdown
    assert artifacts.dialogue_markdown(kit.SLUG, [p for p in export_paths if p.name != "dialog.csv"]) is None


@pytest.mark.slow
def test_a_flow_run_gets_the_dialogue_artifact(export_paths: list[Path]) -> None:
    @flow
    def publish() -> bool:
        return artifacts.publish_export(kit.SLUG, [str(p) for p in export_paths])

    with prefect_test_harness(server_startup_timeout=120):
        assert publish() is True
        dialog = Artifact.get(artifacts.artifact_key("dialog", kit.SLUG))
    assert dialog is not None and dialog.type == "markdown"
    assert "| Spørgsmål i alt | 3 |" in dialog.data and "| Klager i alt | 1 |" in dialog.data
    assert "spild af penge" not in dialog.data
