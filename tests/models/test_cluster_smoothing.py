"""models.cluster.neighbour_smoothing: each text borrows from its nearest texts in proportion to their likeness."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from models.cluster import TopicClusterer, neighbour_smoothing


def _rows() -> np.ndarray:
    # a and b share a feature; c shares nothing with anyone
    return np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def test_a_text_sharing_no_feature_with_its_neighbours_borrows_nothing() -> None:
    smoothed = neighbour_smoothing(sparse.csr_matrix(_rows()), n_neighbors=1)
    assert sparse.issparse(smoothed)
    assert np.allclose(smoothed.toarray()[2], [0.0, 0.0, 1.0])
    plain = neighbour_smoothing(_rows(), n_neighbors=1, weighted=False)
    assert plain[2, 2] < 1.0  # the plain mean pulls it towards an unrelated text


def test_nearer_neighbours_weigh_more() -> None:
    X = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.5, 0.0, 0.5]])
    weighted = neighbour_smoothing(X, n_neighbors=2)[0]
    plain = neighbour_smoothing(X, n_neighbors=2, weighted=False)[0]
    assert weighted[1] > plain[1] and weighted[2] < plain[2]  # more of the near text, less of the far one
    assert np.isclose(np.linalg.norm(weighted), 1.0)


@pytest.mark.parametrize(("n", "expected"), [(2, 1), (3, 1), (8, 3), (12, 3), (18, 5), (1_000, 5), (10**6, 5)])
def test_few_texts_borrow_from_fewer_neighbours(n: int, expected: int) -> None:
    """At most the other members of an average topic at the largest automatic k (sqrt(2 n) texts), and never more
    than ``n_neighbors``: with 8 texts, 5 neighbours would be most of the corpus."""
    assert TopicClusterer()._smoothing_neighbours(n) == expected
    assert TopicClusterer(n_neighbors=2)._smoothing_neighbours(n) == min(expected, 2)
