"""Reading items from files (CSV, XLSX) for `cluster-file` and for channels other than Facebook (`import`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.errors import UserError


class InputFileError(UserError):
    """An input file that cannot be read as asked; the message says how to fix it."""


# Import of other channels (`civic-ideas import`): a CSV or XLSX table of items, read as cells and spreadsheet rows.

_CSV_SUFFIXES = {".csv", ".txt"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
MAX_COLUMNS = 200  # columns an import reads; a value further right refuses the file
MAX_ROWS = 1_000_000  # rows below the header an import reads; text further down refuses the file
_SHEET_ROWS = 1_048_576  # the most rows a spreadsheet (Excel, the XLSX format) can have


@dataclass(frozen=True)
class ImportColumns:
    """Which columns of an import file hold what; only `text` is required."""

    text: str
    item_id: str | None = None
    date: str | None = None
    author: str | None = None

    def named(self) -> list[str]:
        """The column names given, in argument order."""
        return [c for c in (self.text, self.item_id, self.date, self.author) if c]


_SAMPLE_LINES = 20


def _dialect(text: str) -> str | None:
    """The delimiter of a CSV, from its header and first lines (Danish Excel writes `;`, most other tools `,`), or
    None when each whole line is one field: a one-column sheet (a header, say `Note`, and texts that may hold
    commas, which Danish Excel writes without quotes) has no `;` nor tab anywhere in its first lines."""
    lines = text.splitlines()[:_SAMPLE_LINES]
    sample = "\n".join(lines)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:  # nothing consistent to tell by: the header's delimiter, if any, else comma (RFC 4180)
        delimiter = next((d for d in ";\t," if d in lines[0]), ",")
    one_column = not any(d in lines[0] for d in ";,\t")
    if one_column and not any(";" in ln or "\t" in ln for ln in lines):
        return None
    return delimiter


def _csv_text(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path.name} is not UTF-8 (byte {exc.start}): in Excel save it as \"CSV UTF-8\" and import again"
        ) from exc
    if not text.strip():
        raise InputFileError(f"{path.name} is empty: export the sheet with a header row and its rows")
    return text


def _csv_rows(path: Path) -> Iterator[Sequence[Any]]:
    text = _csv_text(path)
    # one column: a delimiter no text holds, so each line is one field, while quoted fields still lose their quotes
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text) or "\0", strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise InputFileError(
            f"{path.name} is not a valid CSV (record {reader.line_num}: {exc}): check its quotes and delimiters"
        ) from exc


@contextmanager
def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[Iterator[Sequence[Any]]]:
    """The sheet's rows, one at a time (read-only mode streams the sheet's XML); the workbook is closed on exit."""
    import openpyxl  # here: a CSV input does not need it (about 0.3 s of a cluster-file's start)

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises zip, XML and key errors for a damaged file
        raise InputFileError(
            f"{path.name} cannot be read as an .xlsx workbook ({type(exc).__name__}): open it in Excel and save it "
            "as .xlsx (Excel Workbook) or CSV UTF-8"
        ) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputFileError(
                f"{path.name} has no sheet {sheet!r}: the sheets are {', '.join(repr(s) for s in workbook.sheetnames)}"
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        # read-only mode trusts the sheet's recorded <dimension>, which other tools write wrong (rows beyond it
        # would be dropped silently): read every row and column the sheet holds, each row as wide as its last cell
        worksheet.reset_dimensions()
        yield worksheet.iter_rows(values_only=True)
    finally:
        workbook.close()  # read-only mode keeps the file open until closed


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _all_empty(cells: Sequence[Any]) -> bool:
    """No cell holds a value; at C speed, since a row of a sheet can be 16,384 cells wide (None compares by
    identity, and so does the empty string a CSV field gives)."""
    empty = cells.count(None)
    return empty == len(cells) or empty + cells.count("") == len(cells)


def _blank_row(row: Sequence[Any]) -> bool:
    return _all_empty(row) or all(_blank(v) for v in row)


def _within_limits(path: Path, rows: Iterator[Sequence[Any]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """Number the rows (the header is row 1) and refuse, before anything more is read, a value beyond column
    MAX_COLUMNS or a row with text beyond row MAX_ROWS; each row is cut to MAX_COLUMNS cells."""
    for number, row in enumerate(rows, start=1):
        if number > _SHEET_ROWS:
            raise InputFileError(f"{path.name} has rows beyond row {_SHEET_ROWS:,}, the last a spreadsheet can have: "
                                 "open it in Excel, save it again and import again")
        if len(row) > MAX_COLUMNS and _all_empty(row):
            row = ()
        elif len(row) > MAX_COLUMNS:
            tail = row[MAX_COLUMNS:]
            if not _all_empty(tail):
                from openpyxl.utils import get_column_letter

                column = MAX_COLUMNS + next(i for i, v in enumerate(tail) if v not in (None, "")) + 1
                raise InputFileError(
                    f"{path.name}: row {number} has a value in column {get_column_letter(column)}, beyond the "
                    f"{MAX_COLUMNS} columns an import reads: keep the columns to import in the first {MAX_COLUMNS} "
                    f"(A–{get_column_letter(MAX_COLUMNS)}) and import again")
            row = row[:MAX_COLUMNS]
        if number > MAX_ROWS + 1 and not _blank_row(row):
            raise InputFileError(f"{path.name} has more than {MAX_ROWS:,} rows below its header (row {number}), "
                                 f"the most an import reads: split it into files of at most {MAX_ROWS:,} rows")
        yield number, row


def _header(path: Path, first: tuple[int, Sequence[Any]] | None) -> list[str]:
    if first is None or _blank_row(first[1]):
        raise InputFileError(f"{path.name} is empty: the first row must name the columns")
    names = ["" if v is None else str(v).strip() for v in first[1]]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise InputFileError(f"{path.name}: the column {repeated[0]!r} appears twice: give each column its own name")
    return names


@contextmanager
def _rows(path: Path, sheet: str | None) -> Iterator[Iterator[Sequence[Any]]]:
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        if sheet is not None:
            raise InputFileError(f"{path.name} is a CSV file, which has no sheets: leave out --sheet")
        yield _csv_rows(path)
    elif suffix in _XLSX_SUFFIXES:
        with _xlsx_rows(path, sheet) as rows:
            yield rows
    else:
        raise InputFileError(f"{path.name}: cannot import {suffix or 'a file without extension'} files: "
                             "save it as .xlsx or as CSV UTF-8 (.csv)")


def read_import_table(path: str | Path, columns: ImportColumns, sheet: str | None = None) -> pd.DataFrame:
    """Read an import file's cells: `row` (the spreadsheet row number, the header being row 1) and the named columns.

    CSV: UTF-8 with or without BOM, `,` `;` or tab delimited (read from the header and the first lines), quoted line
    breaks kept; a one-column file without `;` or tab reads each line whole, commas and all.
    XLSX: the first sheet unless `sheet`; cells keep their type (an Excel date stays a datetime). Rows whose cells are
    all empty are left out. Values are not interpreted here (`transforms.imports` does that).
    Rows are read one at a time, and a file is refused as soon as a row has a value beyond column MAX_COLUMNS (200)
    or text below row MAX_ROWS + 1 (a million rows under the header), so a small crafted file cannot fill memory.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path} not found: give the path to a .csv or .xlsx file")
    with _rows(path, sheet) as raw:
        rows = _within_limits(path, raw)
        names = _header(path, next(rows, None))
        missing = [c for c in columns.named() if c not in names]
        if missing:
            raise InputFileError(
                f"{path.name} has no column {', '.join(repr(m) for m in missing)}: "
                f"the columns are {', '.join(repr(n) for n in names if n)}"
            )
        records = _records(path, rows, names, columns)
    if not records["row"]:
        raise InputFileError(f"{path.name} has a header but no rows: add the rows under the header and try again")
    return pd.DataFrame(records, dtype=object)


def _records(path: Path, rows: Iterator[tuple[int, Sequence[Any]]], names: list[str],
             columns: ImportColumns) -> dict[str, list[Any]]:
    width = len(names)
    wanted = [(names.index(c), c) for c in dict.fromkeys(columns.named())]
    records: dict[str, list[Any]] = {"row": []} | {c: [] for _, c in wanted}
    for number, row in rows:
        if _blank_row(row):
            continue
        if any(not _blank(v) for v in row[width:]):
            raise InputFileError(f"{path.name}: row {number} has {len(row)} fields but the header names {width}: "
                                 "check that the row's text is quoted")
        records["row"].append(number)
        for index, name in wanted:
            records[name].append(row[index] if index < len(row) else None)
    return records
