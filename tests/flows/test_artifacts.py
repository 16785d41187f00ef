"""Prefect artifacts of an export: created inside a flow run, skipped (never failing) outside one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from prefect import flow
from prefect.artifacts import Artifact
from prefect.testing.utilities import prefect_test_harness

from flows import artifacts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "warehouse"))
import exportkit  # noqa: E402

from warehouse import export  # noqa: E402


@pytest.fixture(scope="module")
def export_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("artifacts")
    con = exportkit.build(root / "wh.duckdb")
    paths = export.export_consultation(con, exportkit.SLUG, root / "exports", title=exportkit.TITLE)
    con.close()
    return paths


def test_outside_a_run_nothing_is_created_and_nothing_fails(export_paths: list[Path]) -> None:
    assert artifacts.publish_export(exportkit.SLUG, export_paths) is False


def test_topic_rows_are_danish_and_plain() -> None:
    topics = pd.DataFrame({"label": ["Park"], "keywords": ["park; træer"], "n_ideas": [7], "n_authors": [4],
                           "total_likes": [76], "status": ["growing"],
                           "n_ideas_previous": pd.array([4], dtype="Int64")})
    assert artifacts.topic_rows(topics) == [{"Emne": "Park", "Idéer": 7, "Borgere": 4, "Likes": 76,
                                             "Ændring siden sidste kørsel": "voksende: fra 4 til 7 idéer",
                                             "Nøgleord": "park; træer"}]
    assert artifacts.artifact_key("emner", "Motorvej_2014 ÆØÅ") == "emner-motorvej-2014"


def test_topic_rows_hold_no_personal_data() -> None:
    """Artifacts live in Prefect's database, where `forget` cannot reach: a label typed by a planner or stored by an
    older version with a name, an address or a phone number in it is redacted before it gets there."""
    topics = pd.DataFrame({"label": ["Hundeskov · Jens Hansen"], "keywords": ["jens (at) hansen.dk; 22 345 678; hegn"],
                           "n_ideas": [3], "n_authors": [3], "total_likes": [0], "status": ["new"],
                           "n_ideas_previous": pd.array([None], dtype="Int64")})
    row = artifacts.topic_rows(topics)[0]
    assert row["Emne"] == "Hundeskov · [navn]"
    assert row["Nøgleord"] == "[email]; [telefon]; hegn"


@pytest.mark.slow
def test_a_flow_run_gets_a_topic_table_and_the_export_paths(export_paths: list[Path]) -> None:
    @flow
    def publish() -> bool:
        return artifacts.publish_export(exportkit.SLUG, [str(p) for p in export_paths])

    with prefect_test_harness(server_startup_timeout=120):  # its own API server and database
        assert publish() is True
        table = Artifact.get(artifacts.artifact_key("emner", exportkit.SLUG))
        paths = Artifact.get(artifacts.artifact_key("eksport", exportkit.SLUG))
    assert table is not None and table.type == "table"
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert rows[0]["Emne"] == "Park og træer"
    assert rows[0]["Ændring siden sidste kørsel"] == "voksende: fra 4 til 7 idéer"
    assert paths is not None and paths.type == "markdown"
    assert all(str(p.resolve()) in paths.data for p in export_paths)
    shown = json.dumps(rows, ensure_ascii=False) + paths.data
    for name in exportkit.PEOPLE.values():  # the export's comments name these people; the artifacts must not
        assert all(part not in shown for part in name.split() if len(part) > 3), name
