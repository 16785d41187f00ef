"""Excel workbooks for planners: a frozen, filterable header row, set column widths and wrapped text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MAX_CELL_CHARS = 32_767  # Excel's limit; longer text would make the file unreadable
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
_DATE_FORMAT = "dd-mm-yyyy hh:mm"


@dataclass
class Sheet:
    """One worksheet: its name, its rows, a width per column (characters; text wraps within it), and notes shown on
    column headers (a cell comment: how to use the column), and the columns whose https:// cells are links."""

    name: str
    frame: pd.DataFrame
    widths: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)


def _cell(value: Any) -> Any:
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return value[: MAX_CELL_CHARS - 1] + "…"
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _fill(ws: Any, sheet: Sheet) -> None:
    columns = list(sheet.frame.columns)
    ws.append(columns)
    for row in sheet.frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, name in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = sheet.widths.get(name, max(10, len(name) + 4))
        for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            cell.alignment = wrap
            if cell.data_type == "f":  # a comment that starts with "=" is text, never a live formula
                cell.data_type = "s"
            if isinstance(cell.value, dt.datetime):
                cell.number_format = _DATE_FORMAT
            if name in sheet.links and isinstance(cell.value, str) and cell.value.startswith("https://"):
                cell.hyperlink = cell.value
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if cell.value in sheet.notes:
            cell.comment = Comment(sheet.notes[cell.value], "civic-ideas", width=320, height=110)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"


def write_workbook(path: Path, sheets: list[Sheet]) -> Path:
    """Write the sheets, in order, into one .xlsx file; returns its path."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        _fill(wb.create_sheet(sheet.name), sheet)
    wb.save(path)
    return path
