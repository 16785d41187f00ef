"""Planners' corrections applied on top of a clustering run (pure)."""

from __future__ import annotations

import pandas as pd

from models.corrections import apply_corrections, excluded_ids, merge_map


def _run() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    assignments = pd.DataFrame({
        "idea_id": ["a", "b", "c", "d", "e", "f"],
        "topic_id": [1, 1, 2, 2, 3, 0],
        "score": [0.9, 0.8, 0.7, 0.6, 0.5, 0.1],
        "rank": [1, 2, 1, 2, 1, 1],
    })
    topics = pd.DataFrame({
        "topic_id": [0, 1, 2, 3], "label": ["Andet", "Cykelstier", "Park", "Hunde"],
        "keywords": ["", "cykel; sti", "park; træer", "hund"], "n_ideas": [1, 2, 2, 1], "n_authors": [1, 2, 2, 1],
        "total_likes": [0, 3, 7, 5], "status": ["new"] * 4,
        "representative_ids": [["f"], ["a", "b"], ["c", "d"], ["e"]],
    })
    ideas = pd.DataFrame({"idea_id": list("abcdef"), "author_key": ["k1", "k2", "k1", "k3", "k4", None],
                          "like_count": [1, 2, 3, 4, 5, 0]})
    return assignments, topics, ideas


def test_no_corrections_changes_nothing_but_adds_model_columns() -> None:
    assignments, topics, ideas = _run()
    placed, corrected = apply_corrections(assignments, topics, ideas, [])
    assert placed["topic_id"].tolist() == placed["model_topic_id"].tolist()
    assert corrected["n_ideas"].tolist() == [1, 2, 2, 1]
    assert not corrected["is_corrected"].any()


def test_merge_moves_every_idea_and_recounts_support() -> None:
    assignments, topics, ideas = _run()
    placed, corrected = apply_corrections(assignments, topics, ideas, [{"action": "merge", "topic_id": 2,
                                                                       "target_topic_id": 1}])
    assert set(corrected["topic_id"]) == {0, 1, 3}
    row = corrected.set_index("topic_id").loc[1]
    assert (row["n_ideas"], row["n_authors"], row["total_likes"]) == (4, 3, 10)
    assert row["is_corrected"] and row["label"] == "Cykelstier"
    assert placed.loc[placed["idea_id"] == "c", "model_topic_id"].item() == 2


def test_merge_chains_resolve_and_cycles_do_not_loop() -> None:
    rules = [{"action": "merge", "topic_id": 1, "target_topic_id": 2},
             {"action": "merge", "topic_id": 2, "target_topic_id": 3}]
    assert merge_map(rules) == {1: 3, 2: 3}
    cycle = [{"action": "merge", "topic_id": 1, "target_topic_id": 2},
             {"action": "merge", "topic_id": 2, "target_topic_id": 1}]
    # 2 no longer exists after the first rule (the CLI refuses such a rule); the map still terminates
    assert merge_map(cycle) == {1: 2}


def test_move_rename_and_exclude() -> None:
    assignments, topics, ideas = _run()
    rules = [{"action": "move", "idea_id": "e", "target_topic_id": 2},
             {"action": "rename", "topic_id": 2, "label": "Grønne områder"},
             {"action": "exclude", "idea_id": "f"}]
    placed, corrected = apply_corrections(assignments, topics, ideas, rules)
    by_id = corrected.set_index("topic_id")
    assert by_id.loc[2, "label"] == "Grønne områder" and by_id.loc[2, "n_ideas"] == 3
    assert 3 not in by_id.index  # emptied by the move
    assert excluded_ids(rules) == {"f"}
    assert placed.set_index("idea_id").loc["e", "topic_id"] == 2


def test_move_to_an_unknown_topic_is_ignored() -> None:
    assignments, topics, ideas = _run()
    placed, _ = apply_corrections(assignments, topics, ideas, [{"action": "move", "idea_id": "a",
                                                               "target_topic_id": 99}])
    assert placed.set_index("idea_id").loc["a", "topic_id"] == 1


def test_ideas_without_an_author_count_as_a_citizen_each() -> None:
    from models.corrections import citizens

    assert citizens(pd.Series(["k1", "k1", "k2", None, None], dtype=object)) == 4
    assert citizens(pd.Series([], dtype=object)) == 0


def test_new_topic_takes_its_ideas_and_statuses_follow_the_sizes() -> None:
    assignments, topics, ideas = _run()
    rules = [{"action": "new", "topic_id": 1001, "label": "Skøjtebane", "idea_id": i} for i in ("b", "d")]
    placed, corrected = apply_corrections(assignments, topics, ideas, rules, previous_sizes={1: 2, 2: 1, 3: 1})
    by_id = corrected.set_index("topic_id")
    assert by_id.loc[1001, "label"] == "Skøjtebane" and by_id.loc[1001, "n_ideas"] == 2
    assert sorted(by_id.loc[1001, "representative_ids"]) == ["b", "d"]  # one from each model topic
    assert placed.set_index("idea_id").loc["b", "model_topic_id"] == 1
    # sizes beside the status: 1 went 2 -> 1 (shrinking), 2 stayed 1, 1001 is new
    assert (by_id.loc[1, "status"], by_id.loc[2, "status"], by_id.loc[1001, "status"]) == (
        "shrinking", "stable", "new")


def test_merged_topic_shows_examples_of_both_parts() -> None:
    assignments, topics, ideas = _run()
    _, corrected = apply_corrections(assignments, topics, ideas, [{"action": "merge", "topic_id": 2,
                                                                   "target_topic_id": 1}])
    reps = corrected.set_index("topic_id").loc[1, "representative_ids"]
    # the best of each part first (both tiny parts are all typical: the more liked), not all of topic 1's
    assert reps == ["b", "d", "a"]
