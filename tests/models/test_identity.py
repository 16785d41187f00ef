"""Stable topic ids: matching clusters to previous topics, and topic status."""

import pandas as pd

from models.identity import match_topics, topic_status


def test_clusters_keep_previous_ids_and_new_ones_get_higher_ids():
    previous = pd.Series([3, 3, 3, 5, 5, 0], index=list("abcdef"))
    current = pd.Series([1, 1, 1, 2, 2, 2, 7, 7, 0], index=list("abcdeghif"))
    assert match_topics(previous, current) == {0: 0, 1: 3, 2: 5, 7: 6}


def test_a_topic_that_lost_its_majority_is_not_matched():
    previous = pd.Series([1, 1, 1, 1], index=list("abcd"))
    current = pd.Series([1, 2, 2, 3], index=list("abcd"))
    mapping = match_topics(previous, current)
    assert 1 not in mapping.values()
    assert sorted(mapping.values()) == [2, 3, 4]


def test_without_previous_ids_follow_cluster_size():
    current = pd.Series([4, 4, 2, 2, 2, 9], index=list("abcdef"))
    assert match_topics(pd.Series([], dtype="int64"), current) == {2: 1, 4: 2, 9: 3}


def test_status():
    assert topic_status([1, 2, 3, 4], {1: 10, 2: 12, 3: 7, 4: 5}, {1: 10, 2: 10, 3: 10}) == [
        "stable",
        "growing",
        "shrinking",
        "new",
    ]
