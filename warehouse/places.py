"""The places ideas name (table core_idea_places, views idea_places and ideas.places): read texts, store tags."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from warehouse.load import transaction

# (idea_id, place, latitude, longitude), in order of mention within an idea
PlaceRow = tuple[str, str, float | None, float | None]


def idea_texts(con: duckdb.DuckDBPyConnection, consultation: str) -> list[tuple[str, str]]:
    """(idea_id, redacted text) of a consultation's current ideas."""
    return con.execute(
        "select idea_id, coalesce(text, '') from core_ideas where consultation = $c order by idea_id",
        {"c": consultation},
    ).fetchall()


def replace_idea_places(con: duckdb.DuckDBPyConnection, consultation: str, rows: Iterable[PlaceRow]) -> int:
    """Replace a consultation's place tags in one transaction; returns how many rows were written."""
    positions: dict[str, int] = {}
    records = []
    for idea_id, place, lat, lon in rows:
        positions[idea_id] = positions.get(idea_id, -1) + 1
        records.append((idea_id, consultation, place, positions[idea_id], lat, lon))
    with transaction(con):
        con.execute("delete from core_idea_places where consultation = $c", {"c": consultation})
        if records:
            con.executemany("insert into core_idea_places values (?, ?, ?, ?, ?, ?)", records)
    return len(records)


def places_by_idea(con: duckdb.DuckDBPyConnection, consultation: str) -> dict[str, str]:
    """idea_id -> the places it names, "; "-separated in order of mention (the `places` column of ideas.csv)."""
    return dict(con.execute(
        "select idea_id, array_to_string(places, '; ') from ideas where consultation = $c and len(places) > 0",
        {"c": consultation},
    ).fetchall())


def place_summary(con: duckdb.DuckDBPyConnection, consultation: str, top: int = 3) -> pd.DataFrame:
    """One row per place the consultation's ideas name, most ideas first: place, latitude, longitude, n_ideas,
    n_authors (an idea without a known author counts as one citizen), likes, top_topics (its `top` topics by ideas,
    "; "-separated)."""
    frame = con.execute(
        """
        with tagged as (
            select p.place, p.latitude, p.longitude, i.idea_id, coalesce(i.author_key, i.idea_id) as author,
                   i.like_count, i.topic_label
            from idea_places as p
            inner join ideas as i using (idea_id, consultation)
            where p.consultation = $c
        ),
        topic_counts as (
            select place, topic_label, count(*) as n,
                   row_number() over (partition by place order by count(*) desc, topic_label) as k
            from tagged where topic_label is not null group by place, topic_label
        )
        select t.place, any_value(t.latitude) as latitude, any_value(t.longitude) as longitude,
               count(distinct t.idea_id) as n_ideas, count(distinct t.author) as n_authors,
               sum(t.like_count)::bigint as likes,
               coalesce((select string_agg(c.topic_label, '; ' order by c.k) from topic_counts as c
                         where c.place = t.place and c.k <= $top), '') as top_topics
        from tagged as t
        group by t.place
        order by n_ideas desc, t.place
        """,
        {"c": consultation, "top": top},
    ).df()
    return frame


def topic_places(con: duckdb.DuckDBPyConnection, consultation: str) -> dict[int, list[str]]:
    """topic_id -> the places its ideas name, most ideas first."""
    rows = con.execute(
        """
        select i.topic_id, p.place, count(*) as n
        from idea_places as p
        inner join ideas as i using (idea_id, consultation)
        where p.consultation = $c and i.topic_id is not null
        group by i.topic_id, p.place
        order by i.topic_id, n desc, p.place
        """,
        {"c": consultation},
    ).fetchall()
    out: dict[int, list[str]] = {}
    for topic_id, place, _ in rows:
        out.setdefault(int(topic_id), []).append(place)
    return out


SHEET_WIDTHS = {"Sted": 20, "Idéer": 8, "Borgere": 9, "Likes": 8, "Største emner": 60}


def places_sheet(summary: pd.DataFrame) -> pd.DataFrame:
    """The workbook's Steder sheet: place, ideas, citizens, likes, top topics (Danish headers)."""
    return pd.DataFrame({
        "Sted": summary["place"].astype(str).to_numpy(),
        "Idéer": summary["n_ideas"].astype(int).to_numpy(),
        "Borgere": summary["n_authors"].astype(int).to_numpy(),
        "Likes": summary["likes"].fillna(0).astype(int).to_numpy(),
        "Største emner": summary["top_topics"].astype(str).to_numpy(),
    }, columns=["Sted", "Idéer", "Borgere", "Likes", "Største emner"])
