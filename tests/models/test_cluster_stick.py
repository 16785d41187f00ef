"""TopicClusterer._stick: between runs, ideas stay in their previous topic while it still fits them."""

from __future__ import annotations

import numpy as np

from models.cluster import TopicClusterer


def _unit(angle_degrees: float) -> list[float]:
    a = np.radians(angle_degrees)
    return [np.cos(a), np.sin(a)]


def test_an_idea_still_nearest_its_previous_topic_stays_there_below_the_fence() -> None:
    """Twenty tight ideas put the fence near 1; idea 20 is far from topic A but still nearest to it: it stays (no
    bounce into "Andet"). Idea 21 was in topic B, is now nearest A and far from B: it is not held in B."""
    Z = np.array([_unit(a) for a in np.linspace(-2, 2, 20)] + [_unit(40), _unit(30)])
    model = TopicClusterer()
    model.n_themes_ = 0
    model.init_groups_ = [5, 7]
    model.previous_centers_ = np.array([[1.0, 0.0], [0.0, 1.0]])
    model.labels_ = np.zeros(len(Z), dtype=np.int64)  # everything is nearest topic A now
    model.similarity_ = Z @ np.array([1.0, 0.0])
    model.stuck_ = np.zeros(len(Z), dtype=bool)
    init = np.array([5] * 21 + [7])
    model._stick(Z, init, np.zeros(len(Z), dtype=bool))
    assert model.stuck_[20] and model.labels_[20] == 0
    assert not model.stuck_[21] and model.labels_[21] == 0
    assert model.stuck_[:20].all()
