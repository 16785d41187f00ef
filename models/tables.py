"""The tables of a topic run, shared by a full analysis (``models.topics``) and placement (``models.placement``):
one row per idea (its topic and score), one row per topic (label, keywords, support, status, examples).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.identity import ANDET, topic_status

__all__ = ["ANDET_LABEL", "ASSIGNMENT_COLUMNS", "N_REPRESENTATIVE", "TOPIC_COLUMNS", "TopicRun", "assignment_table",
           "citizens", "representatives", "topic_table"]

ANDET_LABEL = "Andet"
N_REPRESENTATIVE = 5
ASSIGNMENT_COLUMNS = ["idea_id", "topic_id", "score", "rank"]
TOPIC_COLUMNS = [
    "topic_id",
    "label",
    "keywords",
    "n_ideas",
    "n_authors",
    "total_likes",
    "status",
    "representative_ids",
]


@dataclass
class TopicRun:
    """Result of one topic analysis: one row per idea, one row per topic, and the parameters used."""

    assignments: pd.DataFrame
    topics: pd.DataFrame
    params: dict = field(default_factory=dict)
    # the fitted clusterer and what a later run needs to place new ideas without refitting (models.placement);
    # None when there were too few ideas to fit one
    model: object | None = None


def citizens(author_keys: pd.Series) -> int:
    """How many citizens stand behind ideas: each known author once, and each idea without an author (an imported
    item without an author column, a comment whose author Facebook hides) as a citizen of its own, as the Pol.is
    export counts them."""
    return int(author_keys.dropna().nunique() + author_keys.isna().sum())


def assignment_table(idea_ids: pd.Series, topic_ids: np.ndarray, scores: np.ndarray) -> pd.DataFrame:
    """One row per idea: its topic, its similarity to the topic's centre, and its rank in the topic."""
    df = pd.DataFrame({"idea_id": idea_ids.to_numpy(), "topic_id": topic_ids, "score": scores.astype(float)})
    df["rank"] = df.groupby("topic_id")["score"].rank(method="first", ascending=False).astype(np.int64)
    return df[ASSIGNMENT_COLUMNS]


def topic_table(ideas, topic_ids, assignments, prev_topics, labels: dict[int, str],
                keywords: dict[int, str]) -> pd.DataFrame:
    """One row per topic: the given label and keywords, support, status against ``prev_topics``, examples."""
    ids = sorted(set(topic_ids.tolist()))
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TOPIC_COLUMNS})
    frame = ideas.assign(topic_id=topic_ids, score=assignments["score"].to_numpy())
    grouped = frame.groupby("topic_id")
    reps = {int(t): representatives(members) for t, members in grouped}
    sizes = grouped.size()
    previous_sizes = prev_topics.value_counts().to_dict()
    return pd.DataFrame(
        {
            "topic_id": np.array(ids, dtype=np.int64),
            "label": [labels.get(t, ANDET_LABEL if t == ANDET else f"Emne {t}") for t in ids],
            "keywords": [keywords.get(t, "") for t in ids],
            "n_ideas": sizes.reindex(ids).to_numpy(dtype=np.int64),
            "n_authors": grouped["author_key"].agg(citizens).reindex(ids).to_numpy(dtype=np.int64),
            "total_likes": grouped["like_count"].sum(min_count=0).reindex(ids).fillna(0).to_numpy(dtype=np.int64),
            "status": topic_status(ids, sizes.to_dict(), previous_sizes),
            "representative_ids": [reps[t] for t in ids],
        }
    )


def representatives(members: pd.DataFrame, n: int = N_REPRESENTATIVE) -> list[str]:
    """A topic's example ideas: typical of it and well supported, never an outlier. ``members``: the topic's ideas
    (idea_id, score = similarity to the topic's centre, like_count, author_key).

    Typical: the more central half of the topic by ``score`` (the ``n`` most central at least), so an idea far from
    the centre is never shown however liked. Of those, the most liked first (ties: the more central), and one idea
    per citizen before a second of the same citizen's."""
    central = members.sort_values(["score", "idea_id"], ascending=[False, True], kind="stable")
    typical = central.head(max(n, -(-len(central) // 2)))
    likes = pd.to_numeric(typical["like_count"], errors="coerce").fillna(0)
    typical = typical.assign(_likes=likes.to_numpy()).sort_values("_likes", ascending=False, kind="stable")
    author = typical["author_key"] if "author_key" in typical else pd.Series(None, index=typical.index)
    again = author.notna() & author.duplicated()
    return pd.concat([typical[~again], typical[again]])["idea_id"].head(n).tolist()
