"""Planners' exports per consultation: CSV (RFC 4180, UTF-8) and Parquet."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import queries

log = logging.getLogger(__name__)


def _examples(topics: pd.DataFrame, ideas: pd.DataFrame) -> list[str]:
    text_by_id = dict(zip(ideas["idea_id"], ideas["text"], strict=True))
    out = []
    for raw in topics["representative_ids"]:
        ids = json.loads(raw) if isinstance(raw, str) else list(raw or [])
        out.append(" | ".join(text_by_id[i] for i in ids if i in text_by_id))
    return out


def write_table(frame: pd.DataFrame, folder: Path, name: str) -> list[Path]:
    """Write one table as CSV (RFC 4180: CRLF, quoted where needed, UTF-8) and Parquet; returns the paths."""
    csv_path, parquet_path = folder / f"{name}.csv", folder / f"{name}.parquet"
    frame.to_csv(csv_path, index=False, lineterminator="\r\n", encoding="utf-8")
    frame.to_parquet(parquet_path, index=False)
    return [csv_path, parquet_path]


def planner_frames(con: duckdb.DuckDBPyConnection, consultation: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The topics and ideas tables planners get, with example ideas in the topics table."""
    topics = queries.topics_export(con, consultation)
    ideas = queries.ideas_export(con, consultation)
    topics["examples"] = _examples(topics, ideas)
    topics = topics.drop(columns=["representative_ids"])
    return topics, ideas


def export_consultation(con: duckdb.DuckDBPyConnection, consultation: str, export_dir: str | Path) -> list[Path]:
    """Write every export file of one consultation into `export_dir/<slug>/`; returns the paths written."""
    folder = Path(export_dir) / consultation
    folder.mkdir(parents=True, exist_ok=True)
    topics, ideas = planner_frames(con, consultation)
    paths = write_table(topics, folder, "topics") + write_table(ideas, folder, "ideas")
    log.info("exported %s: %d topics, %d ideas to %s", consultation, len(topics), len(ideas), folder)
    return paths
