"""Planners' corrections (rename, merge, move, exclude, include), re-applied on top of every clustering run and idea
detection (pure)."""

from __future__ import annotations

from typing import Any

import pandas as pd


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


def citizens(author_keys: pd.Series) -> int:
    """How many citizens stand behind ideas: each known author once, and each idea without an author (an imported
    item without an author column, a comment whose author Facebook hides) as a citizen of its own, as the Pol.is
    export counts them."""
    return int(author_keys.dropna().nunique() + author_keys.isna().sum())


def _recount(topic_id: int, members: pd.DataFrame) -> dict[str, Any]:
    return {
        "topic_id": topic_id,
        "n_ideas": len(members),
        "n_authors": citizens(members["author_key"]),
        "total_likes": int(members["like_count"].fillna(0).sum()),
    }


def apply_corrections(
    assignments: pd.DataFrame, topics: pd.DataFrame, ideas: pd.DataFrame, corrections: list[dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-apply corrections to one run; returns (assignments with `model_topic_id`, `model_label`; topics with
    `is_corrected`).

    `assignments`: idea_id, topic_id, score, rank. `topics`: topic_id, label, keywords, n_ideas, n_authors,
    total_likes, status, representative_ids. `ideas`: idea_id, author_key, like_count. Rules apply in order of
    `corrections`; merges first (by the model's stable ids), then moves, then renames; support is recounted.
    """
    placed = assignments.copy()
    placed["model_topic_id"] = placed["topic_id"]
    placed["model_label"] = placed["topic_id"].map(topics.set_index("topic_id")["label"])
    merged = merge_map(corrections)
    if merged:
        placed["topic_id"] = placed["topic_id"].map(lambda t: merged.get(int(t), int(t)))
    known = set(topics["topic_id"].astype(int)) - set(merged)
    touched = set(merged.values())
    for c in corrections:
        if c["action"] == "move":
            target = merged.get(int(c["target_topic_id"]), int(c["target_topic_id"]))
            hit = placed["idea_id"] == str(c["idea_id"])
            if target in known and hit.any():
                touched.update(set(placed.loc[hit, "topic_id"]) | {target})
                placed.loc[hit, "topic_id"] = target
    labels = {int(c["topic_id"]): str(c["label"]) for c in corrections if c["action"] == "rename"}
    touched.update(t for t in labels if t in known)
    placed["rank"] = placed.groupby("topic_id")["score"].rank(ascending=False, method="first").astype(int)
    support = placed.merge(ideas[["idea_id", "author_key", "like_count"]], on="idea_id", how="left")
    rows = []
    base = topics.set_index(topics["topic_id"].astype(int))
    for topic_id, members in support.groupby("topic_id"):
        row = base.loc[int(topic_id)].to_dict()
        row.update(_recount(int(topic_id), members))
        row["label"] = labels.get(int(topic_id), row["label"])
        top = members.sort_values("rank")["idea_id"].tolist()
        wanted = min(5, max(3, len(row["representative_ids"])))
        members_ids = set(top)
        reps = [i for i in row["representative_ids"] if i in members_ids]
        row["representative_ids"] = (reps + [i for i in top if i not in reps])[:wanted]
        row["is_corrected"] = int(topic_id) in touched
        rows.append(row)
    corrected = pd.DataFrame(rows, columns=[*topics.columns, "is_corrected"])
    return placed, corrected.sort_values("topic_id").reset_index(drop=True)
