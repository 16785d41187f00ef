"""Stable topic identity across runs: match new clusters to previous topics by the ideas they share."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

__all__ = ["match_topics", "topic_status"]

ANDET = 0


def match_topics(previous: pd.Series, current: pd.Series) -> dict[int, int]:
    """Map current cluster labels to topic ids, keeping previous ids for topics that are still there.

    ``previous``: idea_id -> previous topic_id; ``current``: idea_id -> cluster label (``ANDET`` stays 0).
    A previous topic and a cluster are a candidate pair when the cluster holds the majority of the previous topic's
    ideas that still exist; among candidates, a one-to-one assignment maximises the total Jaccard overlap
    (Hungarian algorithm). Unmatched clusters get new ids above every previous id, larger clusters first.
    """
    clusters = sorted(set(current.tolist()) - {ANDET}, key=lambda c: (-(current == c).sum(), c))
    prev = previous[previous.index.isin(current.index) & (previous != ANDET)]
    topics = sorted(set(prev.tolist()))
    mapping: dict[int, int] = {ANDET: ANDET} if ANDET in set(current.tolist()) else {}
    if topics and clusters:
        joined = pd.DataFrame({"prev": prev, "cur": current.reindex(prev.index)})
        shared = pd.crosstab(joined["prev"], joined["cur"]).reindex(index=topics, columns=clusters, fill_value=0)
        prev_size = prev.value_counts().reindex(topics).to_numpy()[:, None]
        cur_size = current.value_counts().reindex(clusters).to_numpy()[None, :]
        inter = shared.to_numpy()
        jaccard = inter / (prev_size + cur_size - inter)
        eligible = inter * 2 > prev_size
        rows, cols = linear_sum_assignment(np.where(eligible, jaccard, 0.0), maximize=True)
        for r, c in zip(rows, cols, strict=True):
            if eligible[r, c]:
                mapping[clusters[c]] = int(topics[r])
    next_id = max([ANDET, *previous.tolist()]) + 1
    for c in clusters:
        if c not in mapping:
            mapping[c], next_id = next_id, next_id + 1
    return mapping


def topic_status(topic_ids: list[int], sizes: Mapping[int, int], previous_sizes: Mapping[int, int]) -> list[str]:
    """new (no previous topic), growing / shrinking (size changed by at least 10% and one idea), else stable."""
    out = []
    for topic_id in topic_ids:
        before, now = previous_sizes.get(topic_id), sizes.get(topic_id, 0)
        if before is None:
            out.append("new")
        elif now - before >= max(1, 0.1 * before):
            out.append("growing")
        elif before - now >= max(1, 0.1 * before):
            out.append("shrinking")
        else:
            out.append("stable")
    return out
