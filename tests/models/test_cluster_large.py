"""The large-input path of models.cluster: k's silhouette from cluster sums, and texts outside the fit sample placed
without transforming the fitted ones again. Same values as the general path, deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

import models.cluster as cluster
from benchmarks import synth
from models.cluster import LARGE_INPUT, TopicClusterer, choose_k, cosine_silhouette


def _blobs(n: int, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, 10)) * 2
    return normalize(rng.normal(size=(n, 10)) + centres[rng.integers(0, k, n)])


@pytest.mark.parametrize("k", [2, 5, 17])
def test_cosine_silhouette_is_scikit_learns(k: int) -> None:
    Z = _blobs(600, k)
    Z[3] = Z[4]  # an exact duplicate: scikit-learn clips its distance at 0
    labels = np.random.default_rng(k).integers(0, k, len(Z)) * 3 + 7  # labels need not be 0..k-1
    labels[0] = 1000  # a cluster of one row scores 0
    assert cosine_silhouette(Z, labels) == pytest.approx(silhouette_score(Z, labels, metric="cosine"), abs=1e-12)


def test_cosine_silhouette_of_a_good_and_a_bad_split() -> None:
    Z = _blobs(400, 4, seed=3)
    good = choose_k(Z, range(4, 5), fast=True)[1][4]
    bad = cosine_silhouette(Z, np.arange(len(Z)) % 4)
    assert good > 0.3 > abs(bad)


@pytest.mark.parametrize("sample_size", [3000, 300])
def test_choose_k_fast_gives_the_same_curve_and_k(sample_size: int) -> None:
    Z = _blobs(700, 7, seed=1)
    slow_k, slow = choose_k(Z, range(2, 11), sample_size=sample_size)
    fast_k, fast = choose_k(Z, range(2, 11), sample_size=sample_size, fast=True)
    assert fast_k == slow_k == 7
    assert fast.keys() == slow.keys()
    assert max(abs(fast[k] - slow[k]) for k in slow) < 1e-12


@pytest.fixture(scope="module")
def large_texts() -> list[str]:
    texts, _, _ = synth.texts(LARGE_INPUT + 5_000, seed=4)
    return texts


def test_a_large_input_takes_the_fast_path_and_gives_the_same_topics_twice(large_texts, monkeypatch) -> None:
    calls = []
    real = cluster.cosine_silhouette
    monkeypatch.setattr(cluster, "cosine_silhouette", lambda Z, labels: calls.append(len(Z)) or real(Z, labels))
    first = TopicClusterer(max_fit_samples=2_000, max_selection_samples=1_000).fit(large_texts)
    assert calls and max(calls) <= 1_000  # the silhouette of every candidate k, on the selection sample
    second = TopicClusterer(max_fit_samples=2_000, max_selection_samples=1_000).fit(large_texts)
    assert first.k_ == second.k_ >= 2
    assert np.array_equal(first.labels_, second.labels_)
    assert np.array_equal(first.cluster_centers_, second.cluster_centers_)
    # the general path (scikit-learn's silhouette) finds the same topics on the same input
    monkeypatch.setattr(cluster, "LARGE_INPUT", len(large_texts))
    general = TopicClusterer(max_fit_samples=2_000, max_selection_samples=1_000).fit(large_texts)
    assert general.silhouette_.keys() == first.silhouette_.keys()
    assert max(abs(general.silhouette_[k] - first.silhouette_[k]) for k in first.silhouette_) < 1e-12
    assert np.array_equal(general.labels_, first.labels_)


def test_texts_outside_the_fit_sample_are_placed_by_their_own_vectors() -> None:
    texts, _, _ = synth.texts(1_500, seed=5)
    model = TopicClusterer(max_fit_samples=400).fit(texts)
    rng = np.random.default_rng(model.random_state)
    fitted = np.sort(rng.choice(len(texts), 400, replace=False))  # TopicClusterer.fit's own sample
    rest = np.setdiff1d(np.arange(len(texts)), fitted)
    nearest = np.argmax(model.transform([texts[i] for i in rest]) @ model.cluster_centers_.T, axis=1)
    pinned = model.anchors_[rest] >= 0
    assert not pinned.any()
    assert np.array_equal(model.labels_[rest], nearest)
