"""models.labels: c-TF-IDF keywords, the label's word choice and what may become a keyword."""

import numpy as np

from models.labels import (
    class_tfidf,
    label_first,
    label_size,
    label_weights,
    only_shared,
    ranked_words,
    shared_terms,
    topic_document_frequencies,
)


def test_a_word_only_one_idea_of_a_topic_uses_is_no_keyword_candidate():
    tokens = [["hundeskov", "jensinemari"], ["hundeskov", "hegn"], ["legeplads", "hegn"], ["legeplads", "gynger"]]
    labels = [1, 1, 2, 2]
    classes, terms, _ = class_tfidf(tokens, labels)
    mask = shared_terms(classes, terms, topic_document_frequencies(tokens, labels))
    allowed = {c: {str(t) for t, ok in zip(terms, mask[i], strict=True) if ok} for i, c in enumerate(classes)}
    assert allowed == {1: {"hundeskov"}, 2: {"legeplads"}}


def test_label_weights_scale_c_tfidf_by_noun_likeness():
    terms = np.array(["kom", "hundeskov", "hegn"])
    weights = np.array([0.9, 0.6, 0.3])
    scaled = label_weights(terms, weights, {"kom": 0.25, "hegn": 1.0})
    assert np.allclose(scaled, [0.225, 0.6, 0.3])  # a stem without an entry keeps its weight


def test_the_label_words_lead_the_keywords_without_repeats():
    assert label_first(["hundeskov", "hegn"], ["komme", "hundeskoven", "hegn", "vand"], n=4) == [
        "hundeskov",
        "hegn",
        "komme",
        "vand",
    ]


def test_a_topic_whose_ideas_share_no_word_keeps_its_own_words():
    """Masking words used by one idea only must not leave a topic wordless (its label would read "Andet")."""
    weights = np.array([[0.5, 0.4, 0.0], [0.3, 0.0, 0.2]])
    shared = np.array([[True, False, False], [False, False, False]])
    assert np.allclose(only_shared(weights, shared), [[0.5, 0.0, 0.0], [0.3, 0.0, 0.2]])


def test_a_second_label_word_must_carry_the_topic_nearly_as_much_as_the_first():
    terms = np.array(["hundeskov", "hjælp", "hegn"])
    ranked = ranked_words(terms, np.array([0.9, 0.3, 0.2]), {"hundeskov": "hundeskov", "hjælp": "hjælpe"}, {})
    assert ranked == [("hundeskov", 0.9), ("hjælpe", 0.3), ("hegn", 0.2)]  # surface forms, fallback to the stem
    assert label_size(ranked) == 1
    assert label_size([("park", 0.9), ("bænke", 0.5)]) == 2
    assert label_size([("park", 0.9), ("bænke", 0.9), ("træer", 0.9)]) == 2  # at most two words
    assert label_size([]) == 0
