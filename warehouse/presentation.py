"""What planners read: Danish words for statuses and changes, Danish dates in local time, the sheets' columns."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

try:
    from zoneinfo import ZoneInfo

    LOCAL = ZoneInfo("Europe/Copenhagen")
except Exception:  # no time zone database on the machine: show UTC rather than fail
    LOCAL = dt.UTC

# *et emne* is neuter: "et nyt emne", "et stabilt emne"
STATUS_DA = {"new": "nyt", "growing": "voksende", "stable": "stabilt", "shrinking": "faldende"}
MONTHS_DA = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december"]
# channels' names as planners read them; an imported channel not listed shows its own name (`civic-ideas import`)
CHANNELS_DA = {"facebook": "Facebook", "borgermoede": "Borgermøde", "email": "E-mail", "e-mail": "E-mail"}
EXAMPLES_PER_TOPIC = 5

# The report's templates (warehouse/templates/*.j2, shipped in the wheel with the package). Autoescaping is on for
# every template, so a value is text unless the code wraps it in markupsafe.Markup; an undefined name is an error, not
# an empty string.
TEMPLATES = Environment(loader=PackageLoader("warehouse", "templates"), autoescape=True, undefined=StrictUndefined,
                        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)

TOPIC_HEADERS = ["Emne nr.", "Emne", "Nøgleord", "Idéer", "Borgere", "Likes", "Ændring siden sidste kørsel",
                 "Eksempler"]
IDEA_HEADERS = ["Idé-id", "Emne nr.", "Emne", "Idé", "Likes", "Svar", "Dato", "Kanal", "Link"]

IDEA_NOTES = {
    "Idé-id": "Idéens id. Flyt den: civic-ideas topics move ID EMNE_NR. Tag den ud: civic-ideas topics exclude ID. "
              "Nyt emne af flere: civic-ideas topics new \"NAVN\" --ideas ID --ideas ID.",
    "Emne nr.": "Emnets nummer, som civic-ideas topics rename|merge|move bruger (se også arket Emner).",
}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def ideas_word(n: int) -> str:
    """`1 idé`, `3 idéer`."""
    return f"{n} idé" if n == 1 else f"{n} idéer"


def likes_word(n: int) -> str:
    """`1 like`, `3 likes`."""
    return f"{n} like" if n == 1 else f"{n} likes"


def citizens_word(n: int) -> str:
    """`1 borger`, `3 borgere`."""
    return f"{n} borger" if n == 1 else f"{n} borgere"


def change_text(status: str, previous: Any, now: int) -> str:
    """The change since the last run in words: `nyt`, `voksende: fra 5 til 8 idéer`, `stabilt: 6 idéer som
    sidst`."""
    word = STATUS_DA.get(status, status)
    if _missing(previous):
        return word
    previous = int(previous)
    if previous == now:
        return f"{word}: {ideas_word(now)} som sidst"
    return f"{word}: fra {previous} til {ideas_word(now)}"


def local_time(value: Any) -> dt.datetime | None:
    """A timestamp in Danish local time without a zone (what Excel and readers expect), or None."""
    if _missing(value) or value is pd.NaT:
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(LOCAL).tz_localize(None).to_pydatetime()


def danish_date(value: Any) -> str:
    """`2. maj 2014`; an empty string for a missing date."""
    moment = value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else local_time(value)
    if moment is None:
        return ""
    return f"{moment.day}. {MONTHS_DA[moment.month - 1]} {moment.year}"


def danish_datetime(value: Any) -> str:
    """`2. maj 2014 kl. 11:05` in Danish local time."""
    moment = local_time(value)
    return f"{danish_date(moment)} kl. {moment:%H:%M}" if moment else ""


def topics_sheet(topics: pd.DataFrame, examples: list[list[str]]) -> pd.DataFrame:
    """The Emner sheet: one row per topic, Danish headers, examples one per line."""
    return pd.DataFrame(
        {
            "Emne nr.": topics["topic_id"].astype(int).to_numpy(),
            "Emne": topics["label"].astype(str).to_numpy(),
            "Nøgleord": topics["keywords"].astype(str).str.replace("; ", ", ").to_numpy(),
            "Idéer": topics["n_ideas"].astype(int).to_numpy(),
            "Borgere": topics["n_authors"].astype(int).to_numpy(),
            "Likes": topics["total_likes"].astype(int).to_numpy(),
            "Ændring siden sidste kørsel": [
                change_text(s, p, int(n))
                for s, p, n in zip(topics["status"], topics["n_ideas_previous"], topics["n_ideas"], strict=True)
            ],
            "Eksempler": ["\n".join(f"• {t}" for t in ex) for ex in examples],
        },
        columns=TOPIC_HEADERS,
    )


def ideas_sheet(ideas: pd.DataFrame, links: dict[str, str] | None = None) -> pd.DataFrame:
    """The Idéer sheet: one row per idea in export order (topic, then support), Danish headers, local dates; with
    the idea id and topic number that `civic-ideas topics move|new|exclude` take, and the comment's link on Facebook
    (``links``: idea_id -> permalink, when the warehouse has it)."""
    links = links or {}
    return pd.DataFrame(
        {
            "Idé-id": ideas["idea_id"].astype(str).to_numpy(),
            "Emne nr.": ideas["topic_id"].astype("Int64").to_numpy(),
            "Emne": ideas["topic_label"].fillna("Ikke grupperet endnu").astype(str).to_numpy(),
            "Idé": ideas["text"].astype(str).to_numpy(),
            "Likes": ideas["like_count"].astype(int).to_numpy(),
            "Svar": ideas["reply_count"].astype(int).to_numpy(),
            "Dato": [local_time(v) for v in ideas["created_at"]],
            "Kanal": [CHANNELS_DA.get(c, c) for c in ideas["channel"]],
            "Link": [links.get(str(i)) for i in ideas["idea_id"]],
        },
        columns=IDEA_HEADERS,
    )
