"""`civic-ideas import`: items from another channel (meeting notes, e-mails) into a consultation's staging."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flows.settings import Settings, salt
from sources.files import ImportColumns, read_import_table
from transforms.imports import ImportDataError, check_channel, import_items
from warehouse import db, load

# the same pattern as a consultation's slug in consultations.toml
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _check_consultation(slug: str) -> str:
    if not _SLUG.match(slug):
        raise ImportDataError(f"bad consultation {slug!r}: give its slug as in consultations.toml, e.g. "
                              "--consultation motorvejsoverdaekning")
    return slug


def import_file(warehouse: str | Path, path: str | Path, *, consultation: str, channel: str,
                columns: ImportColumns, sheet: str | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Read a CSV/XLSX file's items and upsert them into `stg_imported_items`; returns the counts of
    `load.save_imported_items` and `skipped` (rows without text).

    Every row is read and checked before the warehouse is opened, and the items are stored in one transaction, so a
    bad row or a clash stores nothing and changes nothing already stored. The salt is needed only for an author
    column. Holds the warehouse's run lock, like every writer.
    """
    _check_consultation(consultation)
    check_channel(channel)
    cells = read_import_table(path, columns, sheet)
    key = salt(Settings()) if columns.author else None
    items, skipped = import_items(cells, consultation=consultation, text_column=columns.text,
                                  id_column=columns.item_id, date_column=columns.date, author_column=columns.author,
                                  salt=key)
    with db.writer_lock(warehouse, timeout_seconds=600), db.session(warehouse, wait_seconds=60) as con:
        counts = load.save_imported_items(con, items, consultation=consultation, channel=channel,
                                          source_file=Path(path).name, now=now or dt.datetime.now(dt.UTC))
    return {**counts, "skipped": skipped}
