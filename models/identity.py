"""Stable topic identity across runs: match new clusters to previous topics by the ideas they share."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

__all__ = ["match_topics", "theme_ids", "topic_status"]

ANDET = 0


def match_topics(previous: pd.Series, current: pd.Series, reserved: Collection[int] = ()) -> dict[int, int]:
    """Map current cluster labels to topic ids, keeping previous ids for topics that are still there.

    ``previous``: idea_id -> previous topic_id; ``current``: idea_id -> cluster label (``ANDET`` stays 0).
    A previous topic and a cluster are a candidate pair when the cluster holds the majority of the previous topic's
    ideas that still exist; among candidates, a one-to-one assignment maximises the total Jaccard overlap
    (Hungarian algorithm). Unmatched clusters get new ids above every previous and ``reserved`` id, larger first.
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
    next_id = max([ANDET, *previous.tolist(), *reserved]) + 1
    for c in clusters:
        if c not in mapping:
            mapping[c], next_id = next_id, next_id + 1
    return mapping


def theme_ids(labels: list[str], previous_labels: Mapping[int, str], reserved: Collection[int] = ()) -> dict[str, int]:
    """Topic id per seed-theme label: the id a previous topic had under the same label, else a new id.

    New ids go above every previous and ``reserved`` id, in the order of ``labels`` (the config's order), so a theme
    keeps its id for as long as its label stays in the configuration and it has ideas.
    """
    by_label = {label: topic_id for topic_id, label in sorted(previous_labels.items()) if topic_id != ANDET}
    next_id = max([ANDET, *previous_labels, *reserved]) + 1
    out: dict[str, int] = {}
    for label in labels:
        if label in by_label:
            out[label] = by_label[label]
        elif label not in out:
            out[label], next_id = next_id, next_id + 1
    return out


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
