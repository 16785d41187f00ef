"""Topic clustering of short texts from stock scikit-learn parts, with k chosen automatically.

Features: TF-IDF of Danish/English stems (compounds also give their parts, see ``transforms.text``) next to TF-IDF of
character 3-5-grams inside word boundaries (robust to typos, inflection and compounds), then LSA
(``TruncatedSVD`` + ``Normalizer``) and ``KMeans`` with a fixed ``random_state``. To scale, everything is fitted on at
most ``max_fit_samples`` texts and the rest is only transformed and predicted.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import Normalizer

from transforms.text import CompoundSplitter, clean_text, tokenize

__all__ = ["TextAnalyzer", "TopicClusterer", "choose_k"]


class TextAnalyzer:
    """Picklable analyzer for ``TfidfVectorizer``: ``transforms.text.tokenize`` with a fitted compound splitter."""

    def __init__(self, language: str = "da", splitter: CompoundSplitter | None = None) -> None:
        self.language = language
        self.splitter = splitter

    def __call__(self, doc: str) -> list[str]:
        return tokenize(doc, self.language, self.splitter)


def choose_k(Z: np.ndarray, k_range: range, random_state: int = 0, sample_size: int = 3000) -> tuple[int, dict]:
    """Criterion for automatic k: the k in ``k_range`` with the highest mean cosine silhouette of KMeans on ``Z``.

    ``Z`` should be a compact LSA space (about 10 components): there the silhouette has a maximum, whereas in a
    wide space it keeps growing with k because every split of sparse text looks a little cleaner. Ties go to the
    smaller k. Returns (k, {k: silhouette}).
    """
    scores: dict[int, float] = {}
    for k in k_range:
        labels = KMeans(k, random_state=random_state, n_init=3).fit_predict(Z)
        if len(set(labels)) < 2:
            continue
        scores[k] = float(
            silhouette_score(
                Z, labels, metric="cosine", sample_size=min(sample_size, len(Z)), random_state=random_state
            )
        )
    if not scores:
        return k_range.start, scores
    return max(scores, key=lambda k: (round(scores[k], 4), -k)), scores


class TopicClusterer(ClusterMixin, BaseEstimator):
    """TF-IDF (stems + char n-grams) -> TruncatedSVD -> Normalizer -> KMeans, with automatic k.

    k: number of topics, or None to choose it with :func:`choose_k` over 2..``k_max`` (default
    ``round(sqrt(n / 2))``, at most 40) in a ``selection_components``-dimensional LSA space.
    ``fit(X, init_labels=...)`` warm-starts from a previous clustering: the centroids of the previous groups
    (labels >= 0) seed KMeans, plus as many fresh centroids as the automatic k asks for beyond them, so topics that
    are still there stay where they were.
    """

    def __init__(
        self,
        language: str = "da",
        k: int | None = None,
        k_max: int | None = None,
        n_components: int = 50,
        selection_components: int = 10,
        char_ngrams: bool = True,
        max_fit_samples: int = 20_000,
        random_state: int = 0,
    ) -> None:
        self.language = language
        self.k = k
        self.k_max = k_max
        self.n_components = n_components
        self.selection_components = selection_components
        self.char_ngrams = char_ngrams
        self.max_fit_samples = max_fit_samples
        self.random_state = random_state

    def _features(self, splitter: CompoundSplitter) -> FeatureUnion:
        parts = [
            ("words", TfidfVectorizer(analyzer=TextAnalyzer(self.language, splitter), sublinear_tf=True, min_df=2))
        ]
        if self.char_ngrams:
            chars = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), preprocessor=clean_text, sublinear_tf=True, min_df=2
            )
            parts.append(("chars", chars))
        return FeatureUnion(parts)

    def fit(self, X, y=None, init_labels=None) -> TopicClusterer:
        """Fit on a sequence of texts; ``init_labels`` (ints, -1 = unknown) warm-starts from a previous run."""
        texts = ["" if t is None else str(t) for t in X]
        n = len(texts)
        if n < 2:
            raise ValueError(f"TopicClusterer needs at least 2 texts, got {n}")
        rng = np.random.default_rng(self.random_state)
        fit_idx = np.sort(rng.choice(n, self.max_fit_samples, replace=False)) if n > self.max_fit_samples else None
        fit_texts = texts if fit_idx is None else [texts[i] for i in fit_idx]

        splitter = CompoundSplitter(language=self.language).fit(fit_texts)
        features = self._features(splitter)
        counts = features.fit_transform(fit_texts)
        n_comp = max(1, min(self.n_components, counts.shape[1] - 1, len(fit_texts) - 1))
        svd, norm = TruncatedSVD(n_comp, random_state=self.random_state), Normalizer(copy=False)
        Z_fit = norm.fit_transform(svd.fit_transform(counts))
        self.lsa_ = make_pipeline(features, svd, norm)

        self.k_, self.silhouette_ = self._choose_k(Z_fit, len(fit_texts))
        init = self._warm_init(Z_fit, init_labels, fit_idx)
        if init is not None and len(init) > self.k_ and self.k is not None:
            init = init[: self.k_]  # k given: previous topics first, the rest merge into them
            self.init_groups_ = self.init_groups_[: self.k_]
        if init is not None:
            self.k_ = len(init)
            self.kmeans_ = KMeans(self.k_, init=init, n_init=1, random_state=self.random_state).fit(Z_fit)
        else:
            self.kmeans_ = KMeans(self.k_, random_state=self.random_state, n_init=10).fit(Z_fit)
        Z = Z_fit if fit_idx is None else self.transform(texts)
        self.labels_ = self.kmeans_.predict(Z)
        self.similarity_ = np.einsum("ij,ij->i", Z, self.kmeans_.cluster_centers_[self.labels_])
        if init is not None:
            self._stick(Z, np.asarray(init_labels))
        return self

    def _choose_k(self, Z: np.ndarray, n: int) -> tuple[int, dict]:
        if self.k is not None:
            return max(1, min(int(self.k), n)), {}
        k_max = self.k_max or min(40, max(2, round(np.sqrt(n / 2))))
        k_max = min(k_max, n - 1)
        if k_max < 2:
            return 1, {}
        Zs = Z[:, : self.selection_components]
        Zs = Zs / np.maximum(np.linalg.norm(Zs, axis=1, keepdims=True), 1e-12)
        return choose_k(Zs, range(2, k_max + 1), self.random_state)

    def _stick(self, Z: np.ndarray, init_labels: np.ndarray) -> None:
        """Ideas stay in their previous topic while they still fit it as well as an ordinary member does.

        "As well as an ordinary member": similarity to the topic's new centroid at or above Tukey's lower fence of
        all ideas' similarities to their nearest centroid. Keeps topic membership stable between runs.
        """
        position = {g: i for i, g in enumerate(self.init_groups_)}
        prev = np.array([position.get(g, -1) for g in init_labels.tolist()])
        has = np.flatnonzero(prev >= 0)
        q1, q3 = np.percentile(self.similarity_, [25, 75])
        sim_prev = np.einsum("ij,ij->i", Z[has], self.kmeans_.cluster_centers_[prev[has]])
        keep = has[sim_prev >= q1 - 1.5 * (q3 - q1)]
        self.labels_[keep] = prev[keep]
        self.similarity_[keep] = sim_prev[sim_prev >= q1 - 1.5 * (q3 - q1)]

    def _warm_init(self, Z: np.ndarray, init_labels, fit_idx) -> np.ndarray | None:
        self.init_groups_: list[int] = []
        if init_labels is None:
            return None
        labels = np.asarray(init_labels)
        labels = labels if fit_idx is None else labels[fit_idx]
        groups = sorted(g for g in set(labels.tolist()) if g >= 0)
        if not groups:
            return None
        self.init_groups_ = groups
        prev = np.vstack([Z[labels == g].mean(axis=0) for g in groups])
        prev /= np.maximum(np.linalg.norm(prev, axis=1, keepdims=True), 1e-12)
        n_new = self.k_ - len(prev)
        if n_new <= 0:
            return prev
        fresh = KMeans(self.k_, random_state=self.random_state, n_init=10).fit(Z).cluster_centers_
        fresh /= np.maximum(np.linalg.norm(fresh, axis=1, keepdims=True), 1e-12)
        novelty = (fresh @ prev.T).max(axis=1)  # fresh centroids least like any previous topic become new topics
        return np.vstack([prev, fresh[np.argsort(novelty, kind="stable")[:n_new]]])

    def transform(self, X) -> np.ndarray:
        """Unit-length LSA vectors of the texts ``X``."""
        return self.lsa_.transform(["" if t is None else str(t) for t in X])

    def predict(self, X) -> np.ndarray:
        """Nearest topic centroid for each text."""
        return self.kmeans_.predict(self.transform(X))
