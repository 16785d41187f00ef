"""The planners' corrections (`civic-ideas topics ...`, `civic-ideas corrections ...`): each command's steps as one
function over a `Warehouse`. The CLI keeps only its options, what it prints and the one-line errors.

A correction is written under the warehouse's writer lock, so it never lands between a run's read and its write;
`apply_now` takes the lock again to show it in the exports at once. The checks and the SQL are
`warehouse.corrections`'; nothing here imports Prefect.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.db import WarehouseError
from warehouse.store import Warehouse

if TYPE_CHECKING:
    import pandas as pd

# Corrections that idea detection reads (the next `analyse` applies them), not the topic run: `--apply` has nothing
# to show for them.
AT_NEXT_ANALYSIS = ("include", "exclude")
LOCK_SECONDS = 600  # how long a correction waits for a run that holds the warehouse


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def existing(warehouse: Warehouse | str | Path) -> Warehouse:
    """The warehouse of a run, which must exist: a wrong --warehouse must not create an empty one."""
    warehouse = Warehouse.at(warehouse)
    if not warehouse.exists():
        raise WarehouseError(f"no warehouse at {warehouse}: pass --warehouse with the file your runs write "
                             "(or set CIVIC_IDEAS_WAREHOUSE)")
    return warehouse


def correct(warehouse: Warehouse | str | Path, consultation: str | None, action: str, *, by: str,
            now: dt.datetime | None = None, **fields: object) -> tuple[str, int]:
    """Check and store one correction (`rename`, `merge`, `move`, `exclude`, `include`; `fields` as
    `warehouse.load.add_correction` takes them); returns (the consultation's slug, the rule's id)."""
    from warehouse import load
    from warehouse.corrections import check_correction

    warehouse = existing(warehouse)
    with warehouse.writer_lock(timeout_seconds=LOCK_SECONDS), warehouse.session(wait_seconds=60) as con:
        slug = check_correction(con, consultation, action, **fields)
        rule = load.add_correction(con, slug, action, created_by=by, now=now or _now(), **fields)
    return slug, rule


def new_topic(warehouse: Warehouse | str | Path, consultation: str | None, label: str, idea_ids: list[str], *,
              by: str, now: dt.datetime | None = None) -> tuple[str, int, int]:
    """A planner's own topic LABEL of `idea_ids`, kept across runs; returns (slug, topic number, first rule's id)."""
    from warehouse.corrections import add_new_topic

    warehouse = existing(warehouse)
    with warehouse.writer_lock(timeout_seconds=LOCK_SECONDS), warehouse.session(wait_seconds=60) as con:
        return add_new_topic(con, consultation, label, list(idea_ids), created_by=by, now=now or _now())


def undo(warehouse: Warehouse | str | Path, correction_id: int) -> tuple[str, str]:
    """Remove correction `correction_id` (a new topic as a whole); returns (slug, the correction in words)."""
    from warehouse.corrections import undo_correction

    warehouse = existing(warehouse)
    with warehouse.writer_lock(timeout_seconds=LOCK_SECONDS), warehouse.session(wait_seconds=60) as con:
        return undo_correction(con, correction_id)


def apply_now(warehouse: Warehouse | str | Path, consultation: str, export_dir: str | Path,
              config_path: str | Path | None = None) -> list[Path]:
    """Show the corrections at once: re-apply them to the consultation's latest topic run and write its exports
    (the report's title from `config_path` when that file is there); returns the files written."""
    from flows.settings import load_consultations
    from warehouse import export
    from warehouse.corrections import reapply

    title = None
    if config_path is not None and Path(config_path).is_file():
        title = next((c.title for c in load_consultations(config_path).consultations if c.slug == consultation), None)
    warehouse = existing(warehouse)
    with warehouse.writer_lock(timeout_seconds=LOCK_SECONDS):
        with warehouse.session(wait_seconds=60) as con:
            reapply(con, consultation)
        with warehouse.session(read_only=True) as con:  # exports follow the user's umask, not the warehouse's
            return export.export_consultation(con, consultation, export_dir, title=title)


def topic_lists(warehouse: Warehouse | str | Path, consultation: str | None) -> list[tuple[str, pd.DataFrame]]:
    """Per consultation with topics (or the one asked for), its latest topics with corrections: topic_id, label,
    n_ideas, n_authors, status, is_corrected (`warehouse.queries.topics_list`)."""
    from warehouse import queries
    from warehouse.corrections import topic_consultations

    warehouse = existing(warehouse)
    with warehouse.session(read_only=True, wait_seconds=10) as con:
        return [(slug, queries.topics_list(con, slug)) for slug in topic_consultations(con, consultation)]


def correction_list(warehouse: Warehouse | str | Path, consultation: str | None) -> pd.DataFrame:
    """Every correction, oldest first, with the id `undo` takes: id, consultation, correction (in words), by, at."""
    from warehouse.corrections import list_corrections

    warehouse = existing(warehouse)
    with warehouse.session(read_only=True, wait_seconds=10) as con:
        return list_corrections(con, consultation)
