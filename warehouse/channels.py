"""Channels side by side: per topic, the ideas and citizens each channel brought (view `topic_channels`)."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse import columns
from warehouse.presentation import CHANNELS_DA


def topic_channels(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """The consultation's rows of view `topic_channels` (`columns.TOPIC_CHANNELS`): per topic of the latest run, in
    the topics' order, one row per channel with ideas in it."""
    frame = con.execute(
        """
        select c.consultation, c.topic_id, c.label, c.channel, c.n_ideas, c.n_authors
        from topic_channels as c
        left join topics as t on t.consultation = c.consultation and t.topic_id = c.topic_id
        where c.consultation = $c
        order by c.topic_id = 0, t.n_ideas desc, c.topic_id, c.channel = 'facebook' desc, c.channel
        """,
        {"c": consultation},
    ).df()
    return frame[columns.names(columns.TOPIC_CHANNELS)]


def channel_names(long: pd.DataFrame) -> list[str]:
    """The consultation's channels with ideas in a topic: facebook first, then the imported ones by name."""
    return sorted(set(long["channel"]), key=lambda c: (c != "facebook", c))


SOCIAL_DA = {"instagram": "Instagram"}


def channel_label(channel: str) -> str:
    """A channel as planners read it (Facebook, Instagram, Borgermøde, …)."""
    return CHANNELS_DA.get(channel) or SOCIAL_DA.get(channel, channel)


def channels_sheet(long: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame | None:
    """The workbook's sheet Kanaler, one row per topic of `topics` (topic_id, label; the Emner sheet's order): the
    topic's number and name, then per channel "Idéer (<kanal>)" and "Borgere (<kanal>)", 0 where the channel brought
    none. None when the consultation has one channel only (sheet Emner says it all)."""
    if len(channel_names(long)) < 2:
        return None
    ids = pd.Index(topics["topic_id"].astype(int), name="topic_id")
    out = pd.DataFrame({"Emne nr.": ids.to_numpy(), "Emne": topics["label"].astype(str).to_numpy()}, index=ids)
    for channel in channel_names(long):
        rows = long[long["channel"] == channel].set_index("topic_id")
        label = channel_label(channel)
        out[f"Idéer ({label})"] = rows["n_ideas"].reindex(ids).fillna(0).astype(int)
        out[f"Borgere ({label})"] = rows["n_authors"].reindex(ids).fillna(0).astype(int)
    return out.reset_index(drop=True)


def single_channel_topics(long: pd.DataFrame) -> dict[int, str]:
    """topic_id -> the one channel its ideas came from, for the topics of a consultation with more than one channel
    (empty when the consultation has one channel only)."""
    if len(channel_names(long)) < 2:
        return {}
    per_topic = long.groupby("topic_id")["channel"].unique()
    return {int(t): str(chs[0]) for t, chs in per_topic.items() if len(chs) == 1}
