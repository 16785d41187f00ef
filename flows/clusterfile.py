"""`cluster-file`: idea detection and topic clustering of any table of texts, without a warehouse."""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.topics import analyse
from transforms.ideas import detect_ideas


def cluster_items(
    items: pd.DataFrame,
    *,
    language: str = "da",
    themes: list[dict[str, Any]] | None = None,
    backend: str = "tfidf",
    embeddings_model_path: str | None = None,
) -> pd.DataFrame:
    """Given `item_id, text`, return `item_id, is_idea, topic_id, topic_label` (topic empty for non-ideas)."""
    texts = items["text"].fillna("").astype(str)
    is_idea = detect_ideas(
        pd.DataFrame({"message": texts, "is_page_reply": False, "is_reply": False, "tag_count": 0})
    ).to_numpy(dtype=bool)
    ideas = pd.DataFrame(
        {"idea_id": items["item_id"][is_idea].astype(str), "text": texts[is_idea], "author_key": None, "like_count": 0}
    )
    out = pd.DataFrame({"item_id": items["item_id"].astype(str), "is_idea": is_idea})
    if ideas.empty:
        return out.assign(topic_id=pd.NA, topic_label=pd.NA)
    run = analyse(ideas.reset_index(drop=True), None, language=language, themes=themes, backend=backend,
                  embeddings_model_path=embeddings_model_path)
    labels = run.topics.set_index("topic_id")["label"]
    placed = run.assignments[["idea_id", "topic_id"]].assign(topic_label=lambda f: f["topic_id"].map(labels))
    out = out.merge(placed, how="left", left_on="item_id", right_on="idea_id").drop(columns=["idea_id"])
    out["topic_id"] = out["topic_id"].astype("Int64")
    return out
