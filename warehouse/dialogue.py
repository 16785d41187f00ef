"""The dialogue overview for the people who answer on the Page and the Instagram account: questions and complaints,
answered or not, and how fast the municipality answered (view `dialogue`); files `dialog.csv` and `dialog.xlsx`, text
redacted, no author, a `channel` column."""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from transforms.imports import mention_spans
from transforms.select import redacted_text
from warehouse import columns
from warehouse.channels import channel_label
from warehouse.presentation import local_time
from warehouse.xlsx import Sheet

KINDS_DA = {"question": "Spørgsmål", "complaint": "Klage"}
LIST_HEADERS = ["Besvaret", "Slags", "Kanal", "Skrevet", "Første svar", "Timer til svar", "Tekst", "Likes", "Link",
                "Id"]
WIDTHS = {"Besvaret": 10, "Slags": 11, "Kanal": 11, "Skrevet": 17, "Første svar": 17, "Timer til svar": 9, "Tekst": 80,
          "Likes": 7, "Link": 40, "Id": 24, "Hvad": 44, "Antal": 12}


@dataclass(frozen=True)
class Summary:
    """Counts of a consultation's questions and complaints and the hours to the first staff reply."""

    n_questions: int
    n_complaints: int
    n_answered: int
    n_unanswered: int
    median_hours: float | None
    p90_hours: float | None


def dialogue_export(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The consultation's rows of view `dialogue` as `dialog.csv` has them (`columns.DIALOG`): the text redacted
    (`transforms.select.redacted_text`; a social channel's tags are its `@[navn]` mentions), no author; unanswered
    first, oldest first, every channel together."""
    frame = con.execute(
        """
        select d.comment_id, d.channel, d.kind, d.answered, d.created_at, d.first_staff_reply_at,
               d.hours_to_first_reply, d.message, s.tag_spans::varchar as tag_spans, d.like_count, d.permalink_url
        from dialogue as d
        left join stg_comments as s on d.channel = 'facebook' and s.comment_id = d.comment_id
        where d.consultation = $c
        order by d.answered, d.created_at, d.comment_id
        """,
        {"c": consultation},
    ).df()
    spans = [s if ch == "facebook" else mention_spans(str(m or ""))
             for ch, m, s in zip(frame["channel"], frame["message"], frame["tag_spans"], strict=True)]
    frame["text"] = [redacted_text(m, s) for m, s in zip(frame["message"], spans, strict=True)]
    frame["permalink_url"] = frame["permalink_url"].astype(object).where(frame["permalink_url"].notna(), None)
    for column in ("created_at", "first_staff_reply_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["answered"] = frame["answered"].astype(bool)
    return frame[columns.names(columns.DIALOG)].reset_index(drop=True)


def _hours(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 1)


def summarise(dialog: pd.DataFrame) -> Summary:
    """Counts and the median and 90th percentile (linear interpolation) of the hours to the first staff reply."""
    hours = dialog.loc[dialog["answered"], "hours_to_first_reply"].dropna().astype(float)
    return Summary(
        n_questions=int((dialog["kind"] == "question").sum()),
        n_complaints=int((dialog["kind"] == "complaint").sum()),
        n_answered=int(dialog["answered"].sum()),
        n_unanswered=int((~dialog["answered"]).sum()),
        median_hours=_hours(hours.quantile(0.5)) if len(hours) else None,
        p90_hours=_hours(hours.quantile(0.9)) if len(hours) else None,
    )


def summary_rows(summary: Summary) -> list[tuple[str, object]]:
    """The summary as (what, number) rows in Danish: the sheet Overblik, the README and the Prefect artifact."""
    return [
        ("Spørgsmål i alt", summary.n_questions),
        ("Klager i alt", summary.n_complaints),
        ("Besvaret af kommunen i tråden", summary.n_answered),
        ("Ikke besvaret", summary.n_unanswered),
        ("Timer til første svar, median", summary.median_hours),
        ("Timer til første svar, 90. percentil", summary.p90_hours),
    ]


def summary_markdown(summary: Summary) -> str:
    """The summary as a markdown table (an empty cell: no answer yet to measure)."""
    lines = ["| | antal / timer |", "|---|---|"]
    lines += [f"| {what} | {'' if value is None else value} |" for what, value in summary_rows(summary)]
    return "\n".join(lines) + "\n"


def dialog_sheets(dialog: pd.DataFrame) -> list[Sheet]:
    """The workbook `dialog.xlsx`: sheet Overblik (the summary) and sheet Spørgsmål og klager (the list, in the
    CSV's order, dates in Danish time, the channel, a clickable link to each comment on Facebook; none for
    Instagram, whose comments have no link)."""
    overview = pd.DataFrame(summary_rows(summarise(dialog)), columns=["Hvad", "Antal"])
    listing = pd.DataFrame(
        {
            "Besvaret": ["ja" if a else "nej" for a in dialog["answered"]],
            "Slags": [KINDS_DA.get(k, k) for k in dialog["kind"]],
            "Kanal": [channel_label(c) for c in dialog["channel"]],
            "Skrevet": [local_time(v) for v in dialog["created_at"]],
            "Første svar": [local_time(v) for v in dialog["first_staff_reply_at"]],
            "Timer til svar": dialog["hours_to_first_reply"].to_numpy(),
            "Tekst": dialog["text"].to_numpy(),
            "Likes": dialog["like_count"].fillna(0).astype(int).to_numpy(),
            "Link": dialog["permalink_url"].to_numpy(),
            "Id": dialog["comment_id"].astype(str).to_numpy(),
        },
        columns=LIST_HEADERS,
    )
    return [Sheet("Overblik", overview, WIDTHS),
            Sheet("Spørgsmål og klager", listing, WIDTHS, links={"Link"})]
