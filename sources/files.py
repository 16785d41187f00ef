"""Reading items from files (CSV) for `cluster-file` and for channels other than Facebook."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd


class InputFileError(Exception):
    """An input file that cannot be read as asked; the message says how to fix it."""


def read_csv_items(path: str | Path, text_column: str, id_column: str | None = None) -> pd.DataFrame:
    """Read a UTF-8 CSV into `item_id, text`; the id column defaults to the row number (1-based)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path} not found: give the path to a CSV file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path} is not a UTF-8 text CSV: save it as CSV (UTF-8) and try again") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(f"{path} is not a valid CSV ({reason}): check the quoting and delimiters") from exc
    missing = [c for c in (text_column, id_column) if c and c not in frame.columns]
    if missing:
        raise InputFileError(
            f"{path} has no column {', '.join(repr(m) for m in missing)}: "
            f"the columns are {', '.join(repr(c) for c in frame.columns)}"
        )
    ids = frame[id_column] if id_column else pd.Series(range(1, len(frame) + 1), dtype=str).astype(str)
    if id_column and ids.duplicated().any():
        raise InputFileError(f"{path}: the id column {id_column!r} has duplicate values: choose a unique column")
    return pd.DataFrame({"item_id": ids.to_numpy(), "text": frame[text_column].to_numpy()})
