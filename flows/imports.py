"""`civic-ideas import`: items from another channel (meeting notes, e-mails) into a consultation's staging."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flows.settings import SLUG_PATTERN, Settings, load_consultations, salt
from sources.files import ImportColumns, read_import_table
from transforms.imports import ImportDataError, check_channel, import_items
from warehouse import load, queries
from warehouse.store import Warehouse

_SLUG = re.compile(SLUG_PATTERN)  # as a consultation's slug in consultations.toml


def _check_consultation(slug: str) -> str:
    if not _SLUG.match(slug):
        raise ImportDataError(f"bad consultation {slug!r}: give its slug as in consultations.toml, e.g. "
                              "--consultation motorvejsoverdaekning")
    return slug


def _check_known(slug: str, known: list[str], config: str | Path | None) -> None:
    """A typo in --consultation would file the items under a consultation no run analyses."""
    if slug in known:
        return
    where = f"{Path(config).name} has" if config else "the warehouse knows"
    listed = ", ".join(known) if known else "none"
    hint = "" if config else "; give --config consultations.toml to import into one that has no data yet"
    raise ImportDataError(f"unknown consultation {slug}: {where} these consultations: {listed}{hint}")


def import_file(warehouse: Warehouse | str | Path, path: str | Path, *, consultation: str, channel: str,
                columns: ImportColumns, sheet: str | None = None, config: str | Path | None = None,
                now: dt.datetime | None = None) -> dict[str, int]:
    """Read a CSV/XLSX file's items and upsert them into `stg_imported_items`; returns the counts of
    `load.save_imported_items` and `skipped` (rows without text).

    The consultation must be one of `config`'s (`consultations.toml`) or, without it, one the warehouse knows.
    Every row is read and checked before the warehouse is opened, and the items are stored in one transaction, so a
    bad row or a clash stores nothing and changes nothing already stored. The salt is needed only for an author
    column. Holds the warehouse's run lock, like every writer.
    """
    _check_consultation(consultation)
    check_channel(channel)
    if config is not None:
        _check_known(consultation, [c.slug for c in load_consultations(config).consultations], config)
    path = Path(path)
    cells = read_import_table(path, columns, sheet)
    key = salt(Settings()) if columns.author else None
    items, skipped = import_items(cells, consultation=consultation, text_column=columns.text,
                                  id_column=columns.item_id, date_column=columns.date, author_column=columns.author,
                                  salt=key, source=path.name)
    if items.empty:
        raise ImportDataError(f"no row of {path.name} has text in column {columns.text!r}: check --text-column and "
                              "the delimiter")
    warehouse = Warehouse.at(warehouse)
    with warehouse.writer_lock(timeout_seconds=600), warehouse.session(wait_seconds=60) as con:
        if config is None:
            _check_known(consultation, queries.known_consultations(con), None)
        counts = load.save_imported_items(con, items, consultation=consultation, channel=channel,
                                          source_file=path.name, now=now or dt.datetime.now(dt.UTC))
    return {**counts, "skipped": skipped}
