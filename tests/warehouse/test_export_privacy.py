"""No export contains a name, a Facebook user id, an e-mail address, a phone number or a CPR number.

The test data goes in with all of them (authors' names and ids, tagged friends, an e-mail, a phone number, a CPR
number, a staff signature), through the real pseudonymisation, loads and redaction; then every export file is read
back the way a person or a tool would read it, and scanned.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import exportkit
import pandas as pd
import pytest
from openpyxl import load_workbook

from transforms.redact import contains_pii
from warehouse import export

STAFF_NAMES = ["Anne"]


def _texts(path: Path) -> list[str]:
    """Everything a reader or a tool could get out of one export file, as text."""
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        return [frame.to_csv(index=False), str(frame.columns.tolist())]
    if path.suffix == ".xlsx":
        cells = [str(v) for ws in load_workbook(path).worksheets for row in ws.iter_rows(values_only=True)
                 for v in row if v is not None]
        with zipfile.ZipFile(path) as archive:  # the XML parts too: shared strings, document properties
            parts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        return ["\n".join(cells), *parts]
    return [path.read_text(encoding="utf-8")]


def findings(path: Path, forbidden: list[str]) -> list[str]:
    """What personal data one file holds: kinds found by the redaction patterns, and forbidden strings present."""
    found = []
    for text in _texts(path):
        found += [f"{path.name}: {kind}" for kind in contains_pii(text)]
        found += [f"{path.name}: {word!r}" for word in forbidden if re.search(rf"\b{re.escape(word)}\b", text)]
    return found


def _forbidden() -> list[str]:
    names = list(exportkit.PEOPLE.values())
    parts = {p for n in names for p in n.split() if len(p) > 4}  # surnames and longer first names on their own
    return [*names, *sorted(parts), *exportkit.USER_IDS, *STAFF_NAMES]


@pytest.fixture(scope="module")
def export_paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[str]]:
    root = tmp_path_factory.mktemp("privacy")
    con = exportkit.build(root / "wh.duckdb")
    paths = export.export_consultation(con, exportkit.SLUG, root / "exports", title=exportkit.TITLE,
                                       generated_at=exportkit.GENERATED_AT)
    keys = [r[0] for r in con.execute("select distinct author_key from stg_comments where author_key is not null")
            .fetchall()]
    con.close()
    return paths, keys


def test_the_test_data_really_contains_personal_data() -> None:
    messages = " ".join(c["message"] for c in exportkit.payloads())
    assert set(contains_pii(messages)) == {"email", "phone", "cpr"}
    assert "Mette Kirstine Hansen" in messages and "/Anne" in messages


def test_no_export_file_contains_personal_data(export_paths) -> None:
    paths, author_keys = export_paths
    folder = paths[0].parent
    assert sorted(p for p in folder.rglob("*") if p.is_file()) == sorted(paths)
    # pseudonyms are not personal data, but no export needs them either: Pol.is gets small integers
    forbidden = _forbidden() + author_keys
    problems = [f for path in paths for f in findings(path, forbidden)]
    assert problems == []


def test_the_scan_finds_personal_data_when_it_is_there(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.csv"
    leaky.write_text("text\r\nRing til Mette Kirstine Hansen på 23 45 67 89 eller skriv til a@example.com\r\n",
                     encoding="utf-8")
    found = findings(leaky, _forbidden())
    assert {"leaky.csv: email", "leaky.csv: phone", "leaky.csv: 'Mette Kirstine Hansen'", "leaky.csv: 'Hansen'"
            } <= set(found)
    assert findings(leaky, []) == ["leaky.csv: email", "leaky.csv: phone"]
