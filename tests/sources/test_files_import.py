"""Reading import files (`sources.files.read_import_table`): real CSV and XLSX files written by the test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sources.files import ImportColumns, InputFileError, read_import_table

COLUMNS = ImportColumns(text="Note", item_id="Nr", date="Dato", author="Navn")


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_csv_delimiter_is_read_from_the_header_and_quoted_newlines_stay(tmp_path: Path, delimiter: str,
                                                                       bom: str) -> None:
    d = delimiter
    text = (f"{bom}Nr{d}Dato{d}Navn{d}Note\r\n"
            f'1{d}12-05-2014{d}Mette Hansen{d}"Lav en park; med træer, og bænke"\r\n'
            f'2{d}{d}{d}"Første linje\r\nanden linje med ""citat"""\r\n')
    frame = read_import_table(_write(tmp_path / "notes.csv", text), COLUMNS)
    assert frame["row"].tolist() == [2, 3]
    assert frame["Note"].tolist() == ["Lav en park; med træer, og bænke", 'Første linje\r\nanden linje med "citat"']
    assert frame["Nr"].tolist() == ["1", "2"] and frame["Navn"].tolist() == ["Mette Hansen", ""]


def test_csv_blank_rows_are_left_out_and_row_numbers_kept(tmp_path: Path) -> None:
    text = "Nr;Dato;Navn;Note\n1;;;Første\n;;;\n\n3;;;Tredje\n"
    frame = read_import_table(_write(tmp_path / "n.csv", text), COLUMNS)
    assert frame["row"].tolist() == [2, 5] and frame["Note"].tolist() == ["Første", "Tredje"]


def test_xlsx_first_sheet_by_default_and_cells_keep_their_type(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "n.xlsx", {
        "Noter": [["Nr", "Dato", "Navn", "Note"], [17, dt.datetime(2014, 5, 12, 18, 30), "Mette", "Mere lys"]],
        "Andet": [["Nr", "Dato", "Navn", "Note"], [1, None, None, "Fra det andet ark"]],
    })
    first = read_import_table(path, COLUMNS)
    assert first.loc[0, "Nr"] == 17 and first.loc[0, "Dato"] == dt.datetime(2014, 5, 12, 18, 30)
    assert first["Note"].tolist() == ["Mere lys"]
    assert read_import_table(path, COLUMNS, sheet="Andet")["Note"].tolist() == ["Fra det andet ark"]


def _error(path: Path, columns: ImportColumns = COLUMNS, sheet: str | None = None) -> str:
    with pytest.raises(InputFileError) as info:
        read_import_table(path, columns, sheet)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_errors_name_the_problem_and_the_fix(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path / "missing.csv")
    latin = _write(tmp_path / "latin.csv", "Nr;Dato;Navn;Note\n1;;;Grøn park\n", encoding="latin-1")
    assert "not UTF-8" in _error(latin) and "CSV UTF-8" in _error(latin)
    unclosed = _write(tmp_path / "bad.csv", 'Nr;Dato;Navn;Note\n1;;;"åben citat\n2;;;x\n')
    assert "not a valid CSV" in _error(unclosed)
    extra = _write(tmp_path / "extra.csv", "Nr;Dato;Navn;Note\n1;;;a;b\n")
    assert "row 2 has 5 fields" in _error(extra)
    assert "is empty" in _error(_write(tmp_path / "empty.csv", "\ufeff \n"))
    assert "no rows" in _error(_write(tmp_path / "header.csv", "Nr;Dato;Navn;Note\n"))
    missing = _error(_write(tmp_path / "cols.csv", "Nr;Tekst\n1;a\n"))
    assert "no column 'Note', 'Dato', 'Navn'" in missing and "the columns are 'Nr', 'Tekst'" in missing
    assert "cannot be read as an .xlsx" in _error(_write(tmp_path / "broken.xlsx", "not a zip file"))
    sheets = _xlsx(tmp_path / "s.xlsx", {"Noter": [["Note"], ["a"]], "Mails": [["Note"], ["b"]]})
    assert "no sheet 'Ark1': the sheets are 'Noter', 'Mails'" in _error(sheets, ImportColumns("Note"), "Ark1")
    assert "save it as .xlsx" in _error(_write(tmp_path / "old.xls", "x"))
    twice = _write(tmp_path / "twice.csv", "Note;Note\na;b\n")
    assert "appears twice" in _error(twice, ImportColumns("Note"))


def _patch_dimension(path: Path, ref: str) -> Path:
    """Rewrite the first sheet's recorded <dimension> as other tools sometimes write it: wrong."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet], n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), parts[sheet])
    assert n == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return path


def test_xlsx_rows_and_columns_beyond_a_wrong_dimension_are_read(tmp_path: Path) -> None:
    rows = [["Nr", "Dato", "Navn", "Note"], *[[n, None, None, f"Idé nummer {n}"] for n in range(1, 6)]]
    path = _patch_dimension(_xlsx(tmp_path / "n.xlsx", {"Noter": rows}), "A1:D2")
    assert read_import_table(path, COLUMNS)["Note"].tolist() == [f"Idé nummer {n}" for n in range(1, 6)]
    wide = _patch_dimension(_xlsx(tmp_path / "w.xlsx", {"Noter": [*rows, [6, None, None, "Lys", "løs celle"]]}),
                            "A1:D2")
    with pytest.raises(InputFileError, match="row 7 has 5 fields but the header names 4"):
        read_import_table(wide, COLUMNS)


def test_a_one_column_csv_from_danish_excel_keeps_its_commas(tmp_path: Path) -> None:
    text = ("Note\r\nLav en park, med træer og bænke\r\nMere lys, især ved stien, om vinteren\r\n"
            '"En, to og ""tre"""\r\nBare en linje\r\n')
    frame = read_import_table(_write(tmp_path / "noter.csv", text), ImportColumns(text="Note"))
    assert frame["Note"].tolist() == ["Lav en park, med træer og bænke", "Mere lys, især ved stien, om vinteren",
                                      'En, to og "tre"', "Bare en linje"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_the_delimiter_is_read_from_the_header_and_the_first_lines(tmp_path: Path, delimiter: str) -> None:
    # the header alone looks comma-delimited (a comma in a column's name); the lines say otherwise
    text = f"Nr{delimiter}Note, fri tekst\n1{delimiter}Lav en park, med træer\n2{delimiter}Mere lys\n"
    frame = read_import_table(_write(tmp_path / "n.csv", text), ImportColumns(text="Note, fri tekst", item_id="Nr"))
    assert frame["Note, fri tekst"].tolist() == ["Lav en park, med træer", "Mere lys"]


# Limits (issue 17, finding 7): a small .xlsx with a cell in column XFD on every row took `import` to 2.75 GB.

def _sheet_with_rows(path: Path, header: list[str], rows_xml: str) -> Path:
    """An .xlsx written by openpyxl (write_only) whose sheet then gets `rows_xml` after its header row: openpyxl can
    put a cell in column XFD only by appending 16,383 empty cells before it, which takes half a minute per file."""
    import io
    import zipfile

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Noter")
    ws.append(header)
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</row></sheetData>", f"</row>{rows_xml}</sheetData>".encode())
            out.writestr(item, data)
    return path


def _cells_in(column: str, rows: range, value: str | None = "x") -> str:
    cell = '<c r="{c}{n}" t="inlineStr"><is><t>{v}</t></is></c>' if value is not None else '<c r="{c}{n}" s="0"/>'
    return "".join(f'<row r="{n}">' + cell.format(c=column, n=n, v=value) + "</row>" for n in rows)


_MEASURE = """
import json, sys
from sources.files import ImportColumns, InputFileError, read_import_table
try:
    read_import_table(sys.argv[1], ImportColumns(text="Note"))
    message = None
except InputFileError as exc:
    message = str(exc)
# VmHWM is this process image's own peak: ru_maxrss would also carry the forking test runner's peak across exec
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"message": message, "peak_mb": peak_kb / 1024}))
"""


def test_an_xlsx_with_a_cell_in_column_xfd_on_20000_rows_is_refused_early_with_little_memory(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    path = _sheet_with_rows(tmp_path / "xfd.xlsx", ["Note"], _cells_in("XFD", range(2, 20_002)))
    assert path.stat().st_size < 400_000  # the attack: a small file
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=300)
    result = json.loads(done.stdout)
    assert result["peak_mb"] < 300, f"peak memory {result['peak_mb']:.0f} MB"  # was 2,600 MB
    assert result["message"] == ("xfd.xlsx: row 2 has a value in column XFD, beyond the 200 columns an import reads: "
                                 "keep the columns to import in the first 200 (A–GR) and import again")


def test_a_header_wider_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = _sheet_with_rows(tmp_path / "h.xlsx", [*[f"K{i}" for i in range(1, 201)], "Note"], "")
    assert "row 1 has a value in column GS, beyond the 200 columns" in _error(path, ImportColumns("Note"))
    csv_wide = _write(tmp_path / "h.csv", ";".join(f"K{i}" for i in range(1, 202)) + "\n" + ";" * 200 + "x\n")
    assert "row 1 has a value in column GS" in _error(csv_wide, ImportColumns("K1"))


def test_a_value_right_of_the_limit_in_a_data_row_is_refused(tmp_path: Path) -> None:
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>Mere lys</t></is></c></row>' + _cells_in("GS", range(3, 4))
    message = _error(_sheet_with_rows(tmp_path / "gs.xlsx", ["Note"], rows), ImportColumns("Note"))
    assert message.startswith("gs.xlsx: row 3 has a value in column GS, beyond the 200 columns an import reads")


def test_empty_formatted_cells_far_right_do_not_refuse_the_file(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Idé {n}</t></is></c><c r="XFD{n}" s="0"/></row>'
                   for n in range(2, 5))
    frame = read_import_table(_sheet_with_rows(tmp_path / "f.xlsx", ["Note"], rows), ImportColumns("Note"))
    assert frame["Note"].tolist() == ["Idé 2", "Idé 3", "Idé 4"] and frame["row"].tolist() == [2, 3, 4]


def test_rows_beyond_the_row_limit_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sources.files

    monkeypatch.setattr(sources.files, "MAX_ROWS", 3)  # the real limit is a million rows; the rule is the same
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Idé {n}</t></is></c></row>' for n in range(2, 7))
    path = _sheet_with_rows(tmp_path / "r.xlsx", ["Note"], rows)
    assert "has more than 3 rows below its header (row 5), the most an import reads: split it" in _error(
        path, ImportColumns("Note"))
    assert read_import_table(_sheet_with_rows(tmp_path / "ok.xlsx", ["Note"], rows.split('<row r="5">')[0]),
                             ImportColumns("Note"))["row"].tolist() == [2, 3, 4]
    csv_rows = _write(tmp_path / "r.csv", "Note\n" + "".join(f"Idé {n}\n" for n in range(2, 7)))
    assert "more than 3 rows below its header (row 5)" in _error(csv_rows, ImportColumns("Note"))


def test_a_row_number_beyond_the_last_a_sheet_can_have_is_refused(tmp_path: Path) -> None:
    rows = _cells_in("A", range(2, 3)) + _cells_in("A", range(2_000_000, 2_000_001))
    assert "rows beyond row 1,048,576" in _error(_sheet_with_rows(tmp_path / "far.xlsx", ["Note"], rows),
                                                 ImportColumns("Note"))
