"""Prefect's home folder and its SQLite database, made private to their owner when civic-ideas makes them.

`civic-ideas run` and `demo` start Prefect in-process, and Prefect then creates `PREFECT_HOME` (default ~/.prefect)
and `prefect.db` with the user's umask (often world-readable). The database holds flow-run parameters, logs and
artifacts, so civic-ideas creates both first: the folder 0700 and an empty database file 0600 (SQLite takes an empty
file as an empty database and gives its -wal and -journal files the database file's mode). Existing ones are left as
they are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_DATABASE_URL_SETTINGS = ("PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL")


def prefect_home(environ: Mapping[str, str] = os.environ) -> Path:
    """Prefect's home folder: PREFECT_HOME, else ~/.prefect (Prefect's own default)."""
    return Path(environ.get("PREFECT_HOME") or Path("~") / ".prefect").expanduser()


def make_private_prefect_home(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Create Prefect's home (0700) and, unless another database is configured, an empty `prefect.db` (0600), when
    missing; returns the database's path (None when Prefect uses another database or talks to a server)."""
    home = prefect_home(environ)
    if not home.exists():
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if environ.get("PREFECT_API_URL") or any(environ.get(name) for name in _DATABASE_URL_SETTINGS):
        return None
    database = home / "prefect.db"
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    return database
