"""Planners' corrections (rename, merge, move, new, exclude, include), re-applied on top of every clustering run and
idea detection (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from models.tables import citizens, representatives

# A planner's own topics (`topics new`) are numbered from here, so that a topic the model finds later never takes the
# number of one (the model numbers its new topics one above its previous ones).
NEW_TOPIC_BASE = 1000


def idea_overrides(corrections: list[dict[str, Any]]) -> dict[str, bool]:
    """Per comment a planner judged, whether it is an idea (True: `include`) or not (False: `exclude`); the latest
    of its include/exclude corrections wins, so `include` undoes an `exclude` and the other way round."""
    out: dict[str, bool] = {}
    for c in corrections:
        if c["action"] in ("include", "exclude"):
            out[str(c["idea_id"])] = c["action"] == "include"
    return out


def excluded_ids(corrections: list[dict[str, Any]]) -> set[str]:
    """Ideas a planner marked as not an idea (and did not include again since)."""
    return {i for i, keep in idea_overrides(corrections).items() if not keep}


def included_ids(corrections: list[dict[str, Any]]) -> set[str]:
    """Comments a planner made ideas (`topics include`), whatever the detection says."""
    return {i for i, keep in idea_overrides(corrections).items() if keep}


def overrides_changed(before: dict[str, bool], after: dict[str, bool]) -> set[str]:
    """The comments whose planner verdict differs between two `idea_overrides` (added, changed or gone): the ones
    idea detection must read again."""
    return {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}


def corrected_kinds(kinds: pd.DataFrame, overrides: dict[str, bool]) -> pd.DataFrame:
    """``kinds`` (comment_id, kind, kind_reason) with planners' verdicts on top: an included comment is an idea, an
    excluded idea is off topic; the reason says so and keeps the rules' own. Comments excluded that the rules do not
    take for ideas keep their kind (a question stays a question)."""
    if not overrides or kinds.empty:
        return kinds
    out = kinds.copy()
    verdict = out["comment_id"].astype(str).map(overrides)
    include = verdict.eq(True) & out["kind"].ne("idea")
    exclude = verdict.eq(False) & out["kind"].eq("idea")
    rules = out["kind"] + ": " + out["kind_reason"]
    out.loc[include, "kind_reason"] = "included by a planner (topics include); the rules said " + rules[include]
    out.loc[include, "kind"] = "idea"
    out.loc[exclude, "kind_reason"] = "excluded by a planner (topics exclude); the rules said " + rules[exclude]
    out.loc[exclude, "kind"] = "off_topic"
    return out


def merge_map(corrections: list[dict[str, Any]]) -> dict[int, int]:
    """Where each merged topic ends up, applying the merges in order: A→B then B→C sends A and B to C, and a merge
    into a topic that was itself merged away follows it."""
    where: dict[int, int] = {}
    for c in corrections:
        if c["action"] != "merge":
            continue
        source, target = int(c["topic_id"]), int(c["target_topic_id"])
        target = where.get(target, target)
        for topic, current in list(where.items()):
            if current == source:
                where[topic] = target
        where[source] = target
    return {topic: target for topic, target in where.items() if topic != target}


def corrections_digest(corrections: list[dict[str, Any]]) -> str:
    """A short fingerprint of a consultation's corrections, so a topic run records which ones it applied."""
    text = json.dumps(corrections, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def next_new_topic_id(used: list[int]) -> int:
    """The number of a planner's next own topic: above ``NEW_TOPIC_BASE`` and every number ``used`` so far."""
    return max([NEW_TOPIC_BASE, *used]) + 1


def new_topics(corrections: list[dict[str, Any]]) -> dict[int, str]:
    """The planners' own topics (`topics new`): topic id -> label."""
    return {int(c["topic_id"]): str(c["label"]) for c in corrections if c["action"] == "new"}


def status_for(previous: int | None, now: int) -> str:
    """The status the numbers say: new (no previous size), growing / shrinking (by at least 10% and one idea), else
    stable; as ``models.identity.topic_status``, so a status never contradicts the sizes shown beside it."""
    if previous is None:
        return "new"
    if now - previous >= max(1, 0.1 * previous):
        return "growing"
    if previous - now >= max(1, 0.1 * previous):
        return "shrinking"
    return "stable"


def _recount(topic_id: int, members: pd.DataFrame) -> dict[str, Any]:
    return {
        "topic_id": topic_id,
        "n_ideas": len(members),
        "n_authors": citizens(members["author_key"]),
        "total_likes": int(members["like_count"].fillna(0).sum()),
    }


def corrected_keywords(ideas: pd.DataFrame, placed: pd.DataFrame, language: str) -> dict[int, str]:
    """Keywords of every topic as corrections left it (``placed``: idea_id, topic_id, rank), by the same c-TF-IDF
    as the clustering (``models.topics``), so a merged, moved or new topic is described by its own ideas."""
    from models.topics import _topics  # scikit-learn and the labeller: loaded only when keywords are asked for
    from transforms.text import words

    frame = placed[["idea_id", "topic_id", "rank"]].merge(
        ideas[["idea_id", "text", "author_key", "like_count"]], on="idea_id", how="inner"
    ).reset_index(drop=True)
    if frame.empty:
        return {}
    pairs = [words(t, language) for t in frame["text"].fillna("").astype(str)]
    table = _topics(frame[["idea_id", "text", "author_key", "like_count"]], pairs,
                    # only the keywords are read here: a neutral score for topic_table's examples
                    frame["topic_id"].to_numpy(dtype=np.int64), frame[["rank"]].assign(score=0.0),
                    pd.Series([], dtype=np.int64), {},
                    language)
    return dict(zip(table["topic_id"].astype(int), table["keywords"].astype(str), strict=True))


def _representatives(members: pd.DataFrame, wanted: int) -> list[str]:
    """Examples of a corrected topic: the best example (typical and well supported, ``models.topics.representatives``)
    of each of its model topics in turn, larger ones first, so a merged topic shows ideas of both (``members``:
    idea_id, model_topic_id, score, like_count, author_key)."""
    parts = sorted((g for _, g in members.groupby("model_topic_id", sort=True)), key=len, reverse=True)
    groups = [representatives(g, wanted) for g in parts]
    out: list[str] = []
    for i in range(max((len(g) for g in groups), default=0)):
        out += [g[i] for g in groups if i < len(g)]
    return out[:wanted]


def _placed(assignments: pd.DataFrame, topics: pd.DataFrame, corrections: list[dict[str, Any]],
            merged: dict[int, int]) -> tuple[pd.DataFrame, set[int], set[int]]:
    """The placements after merges, moves and new topics; with the topics that exist and those corrections touched."""
    placed = assignments.copy()
    placed["model_topic_id"] = placed["topic_id"]
    placed["model_label"] = placed["topic_id"].map(topics.set_index("topic_id")["label"])
    if merged:
        placed["topic_id"] = placed["topic_id"].map(lambda t: merged.get(int(t), int(t)))
    known = (set(topics["topic_id"].astype(int)) | set(new_topics(corrections))) - set(merged)
    touched = set(merged.values())
    for c in corrections:
        if c["action"] not in ("move", "new"):
            continue
        target = int(c["target_topic_id"] if c["action"] == "move" else c["topic_id"])
        target = merged.get(target, target)
        hit = placed["idea_id"] == str(c["idea_id"])
        if target in known and hit.any():
            touched.update(set(placed.loc[hit, "topic_id"]) | {target})
            placed.loc[hit, "topic_id"] = target
    return placed, known, touched


def apply_corrections(
    assignments: pd.DataFrame, topics: pd.DataFrame, ideas: pd.DataFrame, corrections: list[dict[str, Any]],
    *, previous_sizes: Mapping[int, int] | None = None, language: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-apply corrections to one run; returns (assignments with `model_topic_id`, `model_label`; topics with
    `is_corrected`).

    `assignments`: idea_id, topic_id, score, rank. `topics`: topic_id, label, keywords, n_ideas, n_authors,
    total_likes, status, representative_ids. `ideas`: idea_id, author_key, like_count (and text, for keywords).
    Rules apply in order of `corrections`; merges first (by the model's stable ids), then moves and new topics, then
    renames; support is recounted. A topic corrections touched gets examples from each of its parts and, given
    ``language`` and the ideas' text, keywords from its own ideas (so does one whose keywords are None). Given
    ``previous_sizes`` (the previous run's topic sizes, as planners saw them), each status is what the sizes say.
    """
    merged = merge_map(corrections)
    placed, known, touched = _placed(assignments, topics, corrections, merged)
    labels: dict[int, str] = {}
    for c in corrections:
        if c["action"] in ("rename", "new"):
            labels[int(c["topic_id"])] = str(c["label"])
    touched.update(t for t in labels if t in known)
    placed["rank"] = placed.groupby("topic_id")["score"].rank(ascending=False, method="first").astype(int)
    support = placed.merge(ideas[["idea_id", "author_key", "like_count"]], on="idea_id", how="left")
    base = topics.set_index(topics["topic_id"].astype(int))
    stale = set(base.index[base["keywords"].isna()]) if len(base) else set()
    keywords = {}
    if language and "text" in ideas and (touched | stale):
        keywords = corrected_keywords(ideas, placed, language)
    rows = []
    for topic_id, members in support.groupby("topic_id"):
        topic_id = int(topic_id)
        row = base.loc[topic_id].to_dict() if topic_id in base.index else {
            "topic_id": topic_id, "label": labels.get(topic_id, f"Emne {topic_id}"), "keywords": None,
            "status": "new", "representative_ids": []}
        row.update(_recount(topic_id, members))
        row["label"] = labels.get(topic_id, row["label"])
        wanted = min(5, max(3, len(row["representative_ids"])))
        if topic_id in touched:
            row["representative_ids"] = _representatives(members, wanted)
        else:
            top = members.sort_values("rank")["idea_id"].tolist()
            reps = [i for i in row["representative_ids"] if i in set(top)]
            row["representative_ids"] = (reps + [i for i in top if i not in reps])[:wanted]
        if topic_id in touched or row["keywords"] is None or pd.isna(row["keywords"]):
            row["keywords"] = keywords.get(topic_id, row["keywords"] if isinstance(row["keywords"], str) else "")
        if previous_sizes is not None:
            row["status"] = status_for(previous_sizes.get(topic_id), row["n_ideas"])
        row["is_corrected"] = topic_id in touched
        rows.append(row)
    corrected = pd.DataFrame(rows, columns=[*topics.columns, "is_corrected"])
    return placed, corrected.sort_values("topic_id").reset_index(drop=True)
