"""Placing new ideas in the topics of the last full clustering, without refitting: the incremental analysis.

A full analysis (``models.topics.analyse``) fits the features, chooses k and finds the topics; most of its time goes
into turning every idea into a vector. When only a few ideas are new since the last fit, a run can keep every known
idea where it was and give each new one the nearest topic of the stored model (or "Andet" when it is unusually far
from every topic, by the same fence as the fit; or its seed theme when it names a seed word). Topics keep their
labels and keywords; their support, examples and status are counted again. New topics cannot appear this way, so
``flows.pipeline.cluster_topics`` refits when the last fit is older than ``CIVIC_IDEAS_REFIT_HOURS`` or when more than
``MAX_NEW_SHARE`` of the ideas are new or gone.
"""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.cluster import TopicClusterer
from models.identity import ANDET
from models.topics import TopicRun, assignment_table, topic_table
from transforms.text import words

__all__ = ["MAX_NEW_SHARE", "TopicModel", "fingerprint", "place", "placeable"]

MAX_NEW_SHARE = 0.05  # the share of ideas new (or gone) since the last fit up to which placement is used

# Per-text attributes of a fitted clusterer: not needed to place new texts, and the size of the data.
_PER_TEXT = ("labels_", "similarity_", "anchors_", "stuck_", "_selection_space", "kmeans_")


def fingerprint(language: str, backend: str, embeddings_model_path: str | None, themes: list[dict] | None) -> str:
    """What a stored model must have been fitted with to place this run's ideas."""
    key = {"language": language, "backend": backend, "model": embeddings_model_path,
           "themes": [[t["label"], list(t["seeds"])] for t in themes or []]}
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


@dataclass
class TopicModel:
    """A fitted clusterer without its per-text state, and which topic id each of its clusters became."""

    clusterer: TopicClusterer
    topic_of_cluster: np.ndarray
    fence: float
    seeds: list[list[str]]
    language: str
    params: dict[str, Any]

    @classmethod
    def from_fit(cls, clusterer: TopicClusterer, topic_of_cluster: np.ndarray, params: dict[str, Any],
                 themes: list[dict]) -> TopicModel:
        slim = copy.copy(clusterer)
        for name in _PER_TEXT:
            slim.__dict__.pop(name, None)
        if slim.lsa_ is not None:
            slim.lsa_ = copy.deepcopy(slim.lsa_)
            for _, vectorizer in slim.lsa_.steps[0][1].transformer_list:
                vectorizer.stop_words_ = None  # terms seen too rarely: not needed, and the texts' rarest words
        return cls(slim, topic_of_cluster, float(clusterer.andet_fence_), [list(t["seeds"]) for t in themes],
                   clusterer.language, {k: v for k, v in params.items() if k in ("k", "backend", "n_components")})

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=5)

    @staticmethod
    def from_bytes(blob: bytes) -> TopicModel:
        return pickle.loads(blob)  # noqa: S301 - the warehouse's own blob, written by to_bytes


def placeable(ideas: pd.DataFrame, previous: pd.DataFrame | None, max_share: float = MAX_NEW_SHARE) -> bool:
    """Whether few enough ideas are new or gone since the previous run for placement to stand in for a refit."""
    if previous is None or len(previous) == 0 or len(ideas) == 0:
        return False
    new = (~ideas["idea_id"].isin(previous["idea_id"])).sum()
    gone = (~previous["idea_id"].isin(ideas["idea_id"])).sum()
    return max(new, gone) <= max_share * len(previous)


def place(ideas: pd.DataFrame, previous: pd.DataFrame, previous_topics: pd.DataFrame, model: TopicModel) -> TopicRun:
    """Keep known ideas' topics (``previous``: idea_id, topic_id, score) and place the new ones with ``model``.

    ``previous_topics`` (topic_id, label, keywords) gives the labels and keywords the topics keep.
    """
    ideas = ideas.reset_index(drop=True)
    prev = previous.drop_duplicates("idea_id").set_index("idea_id")
    known = ideas["idea_id"].isin(prev.index).to_numpy()
    topic_ids = np.full(len(ideas), ANDET, dtype=np.int64)
    scores = np.zeros(len(ideas))
    ids = ideas.loc[known, "idea_id"]
    topic_ids[known] = prev.loc[ids, "topic_id"].to_numpy(dtype=np.int64)
    scores[known] = prev.loc[ids, "score"].fillna(0.0).to_numpy(dtype=float)
    new = np.flatnonzero(~known)
    texts = ideas.loc[new, "text"].fillna("").astype(str).tolist()
    with_words = np.array([bool(words(t, model.language)) for t in texts], dtype=bool)
    placed = new[with_words]
    if len(placed):
        clusterer = model.clusterer
        placed_texts = [t for t, w in zip(texts, with_words, strict=True) if w]
        Z = clusterer.transform(placed_texts)
        similarity = Z @ clusterer.cluster_centers_.T
        cluster = np.argmax(similarity, axis=1)
        sim = similarity[np.arange(len(cluster)), cluster]
        anchors = clusterer._anchors(placed_texts, model.seeds)
        pinned = anchors >= 0
        cluster[pinned] = anchors[pinned]
        sim[pinned] = similarity[np.flatnonzero(pinned), anchors[pinned]]
        topic = model.topic_of_cluster[cluster]
        topic[(sim < model.fence) & ~pinned] = ANDET
        topic_ids[placed], scores[placed] = topic, sim
    assignments = assignment_table(ideas["idea_id"], topic_ids, scores)
    labels = dict(zip(previous_topics["topic_id"].astype(int), previous_topics["label"].astype(str), strict=True))
    keywords = dict(zip(previous_topics["topic_id"].astype(int), previous_topics["keywords"].fillna("").astype(str),
                        strict=True))
    prev_series = pd.Series(prev["topic_id"].to_numpy(dtype=np.int64), index=prev.index)
    topics = topic_table(ideas, topic_ids, assignments, prev_series, labels, keywords)
    params = {**model.params, "mode": "placement", "n_ideas": len(ideas), "n_new": int(len(new)),
              "n_placed": int(len(placed)), "andet_similarity_below": round(model.fence, 4),
              "language": model.language, "n_topics": int(len(topics))}
    return TopicRun(assignments=assignments, topics=topics, params=params, model=None)
