"""Planners' exports per consultation: CSV (RFC 4180, UTF-8), Parquet, XLSX, the HTML report, Pol.is CSV, README."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import channels, columns, dialogue, places, queries
from warehouse.csvsafe import write_csv
from warehouse.non_ideas import NOTES, SHEET_NAME, WIDTHS, non_ideas_sheet
from warehouse.polis import polis_frame
from warehouse.presentation import EXAMPLES_PER_TOPIC, IDEA_NOTES, danish_datetime, ideas_sheet, topics_sheet
from warehouse.report import ReportData, imported_sources, render_report
from warehouse.xlsx import Sheet, write_workbook

log = logging.getLogger(__name__)

MIN_EXAMPLES = 3


def topic_examples(topics: pd.DataFrame, ideas: pd.DataFrame) -> list[list[tuple[str, int, str]]]:
    """Per topic, 3–5 example ideas (text, likes, idea_id): its representative ideas, topped up with its most liked
    ones."""
    by_id = {i: (t, int(n), str(i))
             for i, t, n in zip(ideas["idea_id"], ideas["text"], ideas["like_count"], strict=True)}
    out = []
    for topic_id, raw in zip(topics["topic_id"], topics["representative_ids"], strict=True):
        ids = [i for i in (json.loads(raw) if isinstance(raw, str) else list(raw or [])) if i in by_id]
        if len(ids) < MIN_EXAMPLES:  # ideas is sorted by topic, then likes
            ids += [i for i in ideas.loc[ideas["topic_id"] == topic_id, "idea_id"] if i not in ids]
        out.append([by_id[i] for i in ids[:EXAMPLES_PER_TOPIC]])
    return out


def _utc(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Timestamps in UTC, so the files do not depend on the time zone of the machine that wrote them."""
    frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temporary file, so a planner never opens a half-written export."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)
    return path


def _frames(con: duckdb.DuckDBPyConnection, consultation: str) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    topics = queries.topics_export(con, consultation)
    ideas = _utc(queries.ideas_export(con, consultation), "created_at")
    named = places.places_by_idea(con, consultation)
    ideas["places"] = [named.get(str(i), "") for i in ideas["idea_id"]]
    examples = topic_examples(topics, ideas)
    topics["examples"] = [" | ".join(t for t, *_ in ex) for ex in examples]
    for column in ("n_ideas_previous", "n_ideas_change"):
        topics[column] = topics[column].astype("Int64")
    return topics[columns.names(columns.TOPICS)], ideas[columns.names(columns.IDEAS)], examples


def planner_frames(con: duckdb.DuckDBPyConnection, consultation: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The topics and ideas tables of the CSV/Parquet contract, with example ideas in the topics table."""
    topics, ideas, _ = _frames(con, consultation)
    return topics, ideas


def _write_text(path: Path, text: str) -> Path:
    return _atomic(path, lambda p: p.write_text(text, encoding="utf-8", newline="\n"))


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return _atomic(path, lambda p: write_csv(frame, p))  # text that would start a formula gets a leading '


def write_table(frame: pd.DataFrame, folder: Path, name: str) -> list[Path]:
    """Write one table as CSV (RFC 4180: CRLF, quoted where needed, UTF-8; `warehouse.csvsafe`) and Parquet (the
    text as it is); returns the paths."""
    return [
        _write_csv(frame, folder / f"{name}.csv"),
        _atomic(folder / f"{name}.parquet", lambda p: frame.to_parquet(p, index=False)),
    ]


def write_workbook_file(path: Path, topics: pd.DataFrame, ideas: pd.DataFrame, examples: list,
                        non_ideas: pd.DataFrame | None = None, links: dict[str, str] | None = None,
                        places_summary: pd.DataFrame | None = None,
                        channels_sheet: pd.DataFrame | None = None) -> Path:
    """The planners' workbook: sheet Emner (one row per topic), sheet Idéer (one row per idea) and, given
    ``non_ideas`` (`warehouse.non_ideas.non_ideas_sheet`), sheet Ikke idéer (one row per comment that is not an
    idea, with how to make it one)."""
    sheets = [
        Sheet("Emner", topics_sheet(topics, [[t for t, *_ in ex] for ex in examples]),
              {"Emne nr.": 8, "Emne": 28, "Nøgleord": 30, "Idéer": 8, "Borgere": 9, "Likes": 8,
               "Ændring siden sidste kørsel": 26, "Eksempler": 90}),
        Sheet("Idéer", ideas_sheet(ideas, links),
              {"Idé-id": 20, "Emne nr.": 8, "Emne": 28, "Idé": 90, "Likes": 8, "Svar": 7, "Dato": 17, "Kanal": 12,
               "Link": 30}, IDEA_NOTES, links={"Link"}),
    ]
    if non_ideas is not None:
        sheets.append(Sheet(SHEET_NAME, non_ideas, WIDTHS, NOTES))
    if "places" in ideas:  # the places an idea names, beside it (ideas.csv: `places`)
        sheets[1].frame.insert(sheets[1].frame.columns.get_loc("Idé") + 1, "Steder", ideas["places"].to_numpy())
        sheets[1].widths["Steder"] = 24
    if places_summary is not None and not places_summary.empty:  # sheet Steder: one row per place named
        sheets.append(Sheet("Steder", places_summary, places.SHEET_WIDTHS))
    if channels_sheet is not None:  # sheet Kanaler: ideas and citizens per topic and channel (`channels`)
        sheets.append(Sheet("Kanaler", channels_sheet, {"Emne nr.": 8, "Emne": 28}))
    return _atomic(path, lambda p: write_workbook(p, sheets))


def export_consultation(
    con: duckdb.DuckDBPyConnection,
    consultation: str,
    export_dir: str | Path,
    *,
    title: str | None = None,
    generated_at: dt.datetime | None = None,
) -> list[Path]:
    """Write every export file of one consultation into `export_dir/<slug>/`; returns the paths written.

    `title` is the consultation's title from consultations.toml (the slug when not given); `generated_at` is the time
    the report says it was made (now by default).
    """
    folder = Path(export_dir) / consultation
    (folder / "polis").mkdir(parents=True, exist_ok=True)
    title = title or consultation
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    topics, ideas, examples = _frames(con, consultation)
    place_rows = places.place_summary(con, consultation)
    channel_rows = channels.topic_channels(con, consultation)
    links = queries.idea_links(con, consultation)
    report = ReportData(
        slug=consultation, title=title, generated_at=generated_at,
        overview=queries.consultation_overview(con, consultation), posts=queries.consultation_posts(con, consultation),
        topics=topics, examples=examples, ideas=ideas, gone=queries.topics_gone(con, consultation),
        places=place_rows, topic_places=places.topic_places(con, consultation),
        single_channel=channels.single_channel_topics(channel_rows),
        links=links, replies=queries.reply_parents(con, consultation),
        sources=imported_sources(con, consultation),
    )
    dialog = dialogue.dialogue_export(con, consultation)
    paths = [
        *write_table(topics, folder, "topics"),
        *write_table(ideas, folder, "ideas"),
        write_workbook_file(folder / f"{consultation}.xlsx", topics, ideas, examples,
                            non_ideas_sheet(queries.non_ideas_export(con, consultation), consultation),
                            links,
                            places_summary=places.places_sheet(place_rows),
                            channels_sheet=channels.channels_sheet(channel_rows, topics)),
        _write_text(folder / "report.html", render_report(report)),
        _write_csv(polis_frame(queries.polis_comments(con, consultation)), folder / "polis" / "comments.csv"),
        _write_csv(dialog, folder / "dialog.csv"),
        _atomic(folder / "dialog.xlsx", lambda p: write_workbook(p, dialogue.dialog_sheets(dialog))),
        _write_csv(channel_rows, folder / "topic_channels.csv"),
        _write_text(folder / "README.md", columns.export_readme(
            consultation, title, danish_datetime(generated_at),
            dialog_summary=dialogue.summary_markdown(dialogue.summarise(dialog)))),
    ]
    log.info("exported %s: %d topics, %d ideas to %s", consultation, len(topics), len(ideas), folder)
    return paths
