"""The workbook's sheet Ikke idéer: the comments judged not to be ideas, with the reason, so planners can rescue one."""

from __future__ import annotations

import shlex

import pandas as pd

from transforms.select import redacted_text
from warehouse.presentation import CHANNELS_DA, local_time

SHEET_NAME = "Ikke idéer"
# the kinds of transforms.ideas.KINDS that are not ideas, as planners read them
KINDS_DA = {
    "staff": "Kommunens svar",
    "tag": "Tagging",
    "thanks": "Tak/ros",
    "question": "Spørgsmål",
    "complaint": "Klage",
    "reaction": "Reaktion",
    "spam": "Spam/reklame",
    "off_topic": "Uden for emnet",
}
NON_IDEA_HEADERS = ["Id", "Slags", "Begrundelse", "Tekst", "Likes", "Dato", "Kanal", "Gør den til en idé"]
HOW_TO_INCLUDE = (
    "Er en af dem alligevel en idé? Kør kommandoen i kolonnen 'Gør den til en idé' "
    "(civic-ideas topics include ID): fra næste analyse er den en idé og kommer i et emne."
)
NOTES = {"Id": HOW_TO_INCLUDE, "Gør den til en idé": HOW_TO_INCLUDE}  # header comments
WIDTHS = {"Id": 24, "Slags": 16, "Begrundelse": 36, "Tekst": 80, "Likes": 8, "Dato": 17, "Kanal": 12,
          "Gør den til en idé": 60}


def include_command(comment_id: str, consultation: str) -> str:
    """The command that makes a comment an idea: `civic-ideas topics include ID --consultation SLUG`."""
    return f"civic-ideas topics include {shlex.quote(comment_id)} --consultation {shlex.quote(consultation)}"


def non_ideas_sheet(frame: pd.DataFrame, consultation: str) -> pd.DataFrame:
    """One row per comment judged not to be an idea (`warehouse.queries.non_ideas_export`, in its order): the id,
    the kind in Danish, the rules' reason, the text redacted as an idea's would be, likes, date, channel, and the
    command that makes it an idea. No author key."""
    return pd.DataFrame(
        {
            "Id": frame["comment_id"].astype(str).to_numpy(),
            "Slags": [KINDS_DA.get(k, k) for k in frame["kind"]],
            "Begrundelse": frame["kind_reason"].astype(str).to_numpy(),
            "Tekst": [redacted_text(m, s) for m, s in zip(frame["message"], frame["tag_spans"], strict=True)],
            "Likes": frame["like_count"].fillna(0).astype(int).to_numpy(),
            "Dato": [local_time(v) for v in frame["created_at"]],
            "Kanal": [CHANNELS_DA.get(c, c) for c in frame["channel"]],
            "Gør den til en idé": [include_command(str(i), consultation) for i in frame["comment_id"]],
        },
        columns=NON_IDEA_HEADERS,
    )
