"""`civic-ideas sql` output as table, CSV or JSON, from DuckDB's plain Python rows (no pandas: the command starts fast).

CSV cells go through the spreadsheet rule of `warehouse.csvsafe` (a text cell that would start a formula gets a
leading `'`), as every CSV the project writes for people does.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import uuid
from collections.abc import Sequence

from warehouse.csvsafe import neutralise

Row = Sequence[object]
MAX_COLWIDTH = 80
EMPTY = "(0 rows)"


def _text(value: object) -> str:
    """One cell as text: NULL as empty, timestamps as DuckDB writes them, bytes as hex."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID | dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def format_json(columns: Sequence[str], rows: Sequence[Row]) -> str:
    """Rows as a JSON array of objects, one per row, keys in column order; timestamps in ISO 8601."""
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    return json.dumps(records, ensure_ascii=False, default=_json_value)


def format_csv(columns: Sequence[str], rows: Sequence[Row]) -> str:
    """Rows as CSV with a header line; a text cell that a spreadsheet would run as a formula gets a leading `'`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else _text(v) for v in row])
    return out.getvalue()


def _cell(value: object) -> str:
    text = _text(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ")
    return text if len(text) <= MAX_COLWIDTH else text[: MAX_COLWIDTH - 3] + "..."


def _numeric(values: list[object]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, int | float | decimal.Decimal) for v in present)


def format_table(columns: Sequence[str], rows: Sequence[Row]) -> str:
    """Rows as an aligned text table (numbers right-aligned, long cells cut at 80 characters); `(0 rows)` under the
    header when there are none."""
    if not columns:
        return ""
    cells = [[_cell(v) for v in row] for row in rows]
    header = [_cell(c) for c in columns]
    widths = [max([len(header[i])] + [len(r[i]) for r in cells]) for i in range(len(columns))]
    right = [_numeric([row[i] for row in rows]) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True))

    lines = [line(header).rstrip()] + [line(r).rstrip() for r in cells]
    if not rows:
        lines.append(EMPTY)
    return "\n".join(lines)
