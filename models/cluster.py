"""Topic clustering of short texts from stock scikit-learn parts, with k chosen automatically and optional seed themes.

Features: TF-IDF of Danish/English stems (compounds also give their parts, see ``transforms.text``) next to TF-IDF of
character 3-5-grams inside word boundaries (robust to typos, inflection and compounds). Short comments share few
words, so before LSA every text is smoothed with its ``n_neighbors`` nearest neighbours by cosine (fewer on a
handful of texts; each row becomes ``x`` plus the similarity-weighted mean of its neighbours, re-normalised): a text
about "lys på stien" borrows the vocabulary of the texts most like it. Then LSA (``TruncatedSVD`` + ``Normalizer``)
and ``KMeans`` with a fixed ``random_state``. To scale, everything is fitted on at most ``max_fit_samples`` texts; the
rest is transformed (without smoothing) and given the nearest topic.

Backends: ``backend="tfidf"`` (the default, scikit-learn only) is the above; ``backend="embeddings"`` puts unit-length
sentence embeddings from a local model (``models.embeddings``), smoothed with the plain mean of their neighbours, beside
the same unit-length LSA vectors and re-normalises the pair, so words and meaning have an equal say: the embeddings
group paraphrases that share no word, the LSA half keeps the corpus's own words, which the packaged English model
misreads in Danish. ``backend="multilingual"`` uses the multilingual-e5-small embeddings alone (smoothed the same
way): that model reads Danish, so the words need no say of their own (on the Danish sets of ``make eval`` the pair
scored well below the embeddings alone); its vectors lose the mean of their language (detected per text), so a
comment in English lands with the Danish ones on its subject. Everything after the feature space is shared.

Manifold step (opt-in with ``manifold_components=5``; sentence-embedding backends, 40+ texts; off by default because
``make eval`` measured it lower on the Danish held-out half without themes (multilingual 0.43 against 0.48) and on
Pol.is (0.48-0.52 against 0.51-0.55), higher only with planner themes): KMeans runs in the spectral embedding
(``sklearn.manifold.SpectralEmbedding``) of the texts' symmetric cosine 15-nearest-neighbour graph, as
BERTopic's UMAP step does with scikit-learn parts only, and k is the elbow of the silhouette curve there (coarse
subjects before their splits). The topics' centres are then the means of their members' vectors, so new texts are
placed and "Andet" is judged in the vector space. The tfidf backend, and fewer texts, cluster the vectors themselves
with k by the highest silhouette in a 10-d LSA space of the unsmoothed features (measured: tfidf's kNN graph of
templated texts falls apart into components). The multilingual backend chooses k in its clustering space itself (the
smoothed embeddings), over 2..``2 sqrt(n / 2)`` (at most 20), by the highest silhouette among the k whose silhouette
beats that of a shuffled copy of the vectors by at least the median margin (:func:`choose_k` with ``reference``): 5
Pol.is conversations give k = 5 (the LSA space asked for 10), 77 Danish ideas on 8 subjects 9-12 (the old ceiling was
6), 800 Danish news sentences on 7 subjects 11-15 (34-40 without the ceiling of 20).

Seed themes (``fit(X, seeds=[[word, ...], ...])``): ideas containing a seed word after the same normalisation,
stemming and compound splitting are the theme's anchors. A theme's centroid starts at the mean of its anchors; the
free topics start from KMeans on the other ideas with their own automatic k; then Lloyd iterations refine all
centroids while anchors stay in their theme. With a sentence-embedding backend, the theme's label and seeds are also
embedded as one text: an idea whose cosine to one theme exceeds that to every other theme by ``theme_margin`` (0.1)
is anchored to it without a seed word (zero-shot). Other ideas join a theme when they are nearer to it than to any
free topic, and unforeseen themes still get free topics of their own.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.manifold import SpectralEmbedding
from sklearn.metrics import silhouette_score
from sklearn.neighbors import kneighbors_graph
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import Normalizer, normalize

from models import backends
from transforms.text import CompoundSplitter, clean_text, detect_language, tokenize

__all__ = ["TextAnalyzer", "TopicClusterer", "choose_k", "cosine_silhouette", "manifold", "neighbour_smoothing",
           "seed_anchors", "shuffled_copy", "theme_text", "themes_of_topics", "zero_shot_anchors"]

NO_ANCHOR = -1
MIN_MANIFOLD_TEXTS = 40  # fewer texts are clustered in the vector space itself (see ``TopicClusterer.fit``)
LARGE_INPUT = 20_000  # more texts: k's silhouette by ``cosine_silhouette`` (see ``TopicClusterer._choose_k``)
MAX_AUTO_TOPICS_EMBEDDINGS = 20  # the multilingual backend's ceiling on the automatic number of free topics
# Per-text state of a fit: not needed to place new texts, and the size of the data (`TopicClusterer.stored_copy`).
_PER_TEXT = ("labels_", "similarity_", "anchors_", "word_anchors_", "stuck_", "_selection_space", "kmeans_")


@lru_cache(maxsize=2)
def _encoder(model_path: str | None, backend: str = "embeddings") -> backends.Encoder:
    """The sentence encoder of ``backend`` (``models.backends``), one per backend and model folder per process."""
    return backends.get(backend).encoder(model_path)


def _beside(Z: np.ndarray, E: np.ndarray) -> np.ndarray:
    """Unit-length rows of ``[Z, E]``; with both halves unit-length, each half gets an equal share of every cosine."""
    return normalize(np.hstack([Z, E]))


class TextAnalyzer:
    """Picklable analyzer for ``TfidfVectorizer``: ``transforms.text.tokenize`` with a fitted compound splitter."""

    def __init__(self, language: str = "da", splitter: CompoundSplitter | None = None) -> None:
        self.language = language
        self.splitter = splitter

    def __call__(self, doc: str) -> list[str]:
        return tokenize(doc, self.language, self.splitter)


def cosine_silhouette(Z: np.ndarray, labels: np.ndarray) -> float:
    """Mean cosine silhouette of unit-length rows ``Z``, as ``silhouette_score(Z, labels, metric="cosine")`` but from
    per-cluster sums in O(n k d) time instead of all n x n distances.

    For unit-length rows the mean cosine distance of row i to cluster C is ``1 - z_i . sum(C) / |C|`` (for its own
    cluster, without the zero distance to itself, over ``|C| - 1`` rows): the same values as scikit-learn's up to
    rounding (it clips each distance at 0, which only moves exact duplicates by about 1e-16). A row alone in its
    cluster scores 0, as there.
    """
    _, labels = np.unique(labels, return_inverse=True)
    labels = labels.ravel()
    k = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    sums = np.zeros((k, Z.shape[1]))
    np.add.at(sums, labels, Z)
    distance = sizes[None, :] - Z @ sums.T  # row i's summed cosine distance to every member of each cluster
    rows = np.arange(len(Z))
    own_size = sizes[labels]
    self_distance = 1.0 - np.einsum("ij,ij->i", Z, Z)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (distance[rows, labels] - self_distance) / (own_size - 1)
        mean_other = distance / sizes[None, :]
        mean_other[rows, labels] = np.inf
        b = mean_other.min(axis=1)
        s = (b - a) / np.maximum(a, b)
    s[own_size == 1] = 0.0
    return float(np.mean(np.nan_to_num(s)))


def shuffled_copy(Z: np.ndarray, random_state: int = 0) -> np.ndarray:
    """``Z`` without its groups: the rows' coordinates along each principal component shuffled across the rows, each
    component on its own, then re-normalised. Every component keeps its spread, but which texts lie together is lost:
    the reference of :func:`choose_k` (as the gap statistic's reference data, Tibshirani et al. 2001)."""
    rng = np.random.default_rng(random_state)
    mean = Z.mean(axis=0)
    U, s, Vt = np.linalg.svd(Z - mean, full_matrices=False)
    P = U * s
    P = np.column_stack([rng.permutation(P[:, j]) for j in range(P.shape[1])])
    return normalize(P @ Vt + mean)


def choose_k(
    Z: np.ndarray, k_range: range, random_state: int = 0, sample_size: int = 3000, coarse: bool = False,
    fast: bool = False, reference: bool = False,
) -> tuple[int, dict]:
    """Criterion for automatic k: the k in ``k_range`` with the highest mean cosine silhouette of KMeans on ``Z``.

    ``Z`` should be a compact LSA space (about 10 components): there the silhouette has a maximum, whereas in a
    wide space it keeps growing with k because every split of sparse text looks a little cleaner. Ties go to the
    smaller k. ``coarse``: the elbow of the curve instead, the k whose rise over k - 1 most exceeds the next one's
    (used in the manifold space, where the curve keeps climbing as groups split). ``fast``: the silhouette by
    :func:`cosine_silhouette` on the same sample (``Z``'s rows must be unit-length; a small fraction of
    scikit-learn's time). ``reference``: only the k whose silhouette exceeds that of KMeans on
    :func:`shuffled_copy` of ``Z`` by at least the median excess over ``k_range`` compete (groups that are there, not
    the shape of the cloud: without it, the flat curve of sentence embeddings of news sentences on 7 subjects peaked
    at k = 2). Returns (k, {k: silhouette}).
    """
    scores: dict[int, float] = {}
    excess: dict[int, float] = {}
    sample = np.random.RandomState(random_state).permutation(len(Z))[:sample_size] if fast else None  # as sklearn's
    shuffled = shuffled_copy(Z, random_state) if reference else None

    def silhouette(V: np.ndarray, k: int, n_init: int = 3, max_iter: int = 300) -> float | None:
        labels = KMeans(k, random_state=random_state, n_init=n_init, max_iter=max_iter).fit_predict(V)
        if len(set(labels)) < 2:
            return None
        if fast:
            return cosine_silhouette(V[sample], labels[sample])
        return float(silhouette_score(V, labels, metric="cosine", sample_size=min(sample_size, len(V)),
                                      random_state=random_state))

    for k in k_range:
        if k >= len(Z):
            break
        score = silhouette(Z, k)
        if score is None:
            continue
        scores[k] = score
        if shuffled is not None:
            # one KMeans start of at most 30 iterations: the shuffled copy has no groups to miss or converge to
            # (unbounded, its KMeans took 10x the iterations of the real vectors' and tripled the cost of choose_k)
            excess[k] = score - (silhouette(shuffled, k, n_init=1, max_iter=30) or 0.0)
    if not scores:
        return k_range.start, scores
    if excess:
        cut = float(np.median(list(excess.values())))
        return max((k for k in scores if excess[k] >= cut), key=lambda k: (round(scores[k], 4), -k)), scores
    if coarse and len(scores) >= 3:
        # the elbow: the k after which one more cluster stops paying (largest drop of the silhouette's rise), where
        # the coarse subjects have separated and templates or sub-subjects would only add a little each (4-subject
        # sets: templated texts k 9 -> 4, a Danish/English mix 6 -> 4)
        ks = sorted(scores)
        gains = {b: scores[b] - scores[a] for a, b in zip(ks, ks[1:], strict=False)}
        drops = {k: gains.get(k, 0.0) - gains[k + 1] for k in ks[:-1] if k + 1 in gains}
        return max(drops, key=lambda k: (round(drops[k], 4), -k)), scores
    return max(scores, key=lambda k: (round(scores[k], 4), -k)), scores


def neighbour_smoothing(X, n_neighbors: int = 5, chunk: int = 1000, weighted: bool = True):
    """Each L2-normalised row plus the mean of its ``n_neighbors`` most cosine-similar other rows, weighted by their
    similarity (or plain with ``weighted=False``), re-normalised.

    Weighting by similarity lets a sparse TF-IDF row borrow little from a neighbour it barely resembles and nothing
    from one it shares no feature with, so a text unlike all others is not pulled into some group. Sentence
    embeddings are all somewhat alike, so there the plain mean is used (weighting measured no better on them and
    cost warm stability, 0.98 -> 0.92 on the motorway sample). ``X`` is a sparse matrix or a dense array; the result
    is of the same kind.

    Cost: one sparse product per ``chunk`` rows against all rows, so time grows with the square of the rows.
    """
    n = X.shape[0]
    m = min(n_neighbors, n - 1)
    if m < 1:
        return X
    X = normalize(X)
    idx = np.empty((n, m), dtype=np.int64)
    sim = np.empty((n, m))
    for start in range(0, n, chunk):
        S = X[start : start + chunk] @ X.T
        S = S.toarray() if sparse.issparse(S) else np.array(S)
        S[np.arange(S.shape[0]), np.arange(start, start + S.shape[0])] = -np.inf
        nearest = np.argpartition(-S, m - 1, axis=1)[:, :m].copy()  # not a view that keeps the whole chunk alive
        idx[start : start + chunk] = nearest
        sim[start : start + chunk] = np.take_along_axis(S, nearest, axis=1)
    weights = np.maximum(sim, 0.0) if weighted else np.ones_like(sim)
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    rows = np.repeat(np.arange(n), m)
    W = sparse.csr_matrix((weights.ravel(), (rows, idx.ravel())), shape=(n, n))
    return normalize(X + W @ X)


def manifold(V: np.ndarray, n_neighbors: int = 15, n_components: int = 8, random_state: int = 0) -> np.ndarray | None:
    """Unit-length rows of the spectral embedding of the symmetric cosine ``n_neighbors``-NN graph of ``V``.

    The neighbourhood step before KMeans (what UMAP does for BERTopic, with scikit-learn parts only): texts are placed
    by who their neighbours are, not by their raw coordinates, so a subject whose texts form a chain of paraphrases
    becomes one compact group and KMeans's round clusters fit it. Deterministic for a fixed ``random_state``.
    """
    n = len(V)
    dim = min(n_components, n - 2)
    if dim < 2:
        return None
    # on a few dozen texts, 15 neighbours would join every subject to every other: a fifth of the texts at most
    graph = kneighbors_graph(V, min(n_neighbors, max(3, n // 5), n - 1), metric="cosine", include_self=False)
    graph = 0.5 * (graph + graph.T)
    if connected_components(graph, directed=False)[0] > 1:
        return None  # a graph in pieces has no meaningful spectral embedding: the caller clusters V itself
    M = SpectralEmbedding(dim, affinity="precomputed", random_state=random_state).fit_transform(graph)
    return normalize(M)


def theme_text(label: str, seeds: list[str]) -> str:
    """The text that stands for a planner theme in the vector space: its label and seed words."""
    return f"{label}: {', '.join(seeds)}" if seeds else label


def zero_shot_anchors(V: np.ndarray, T: np.ndarray, margin: float) -> np.ndarray:
    """Per row of ``V``, the theme (row of ``T``) it is clearly closest to: its cosine to that theme exceeds its
    cosine to every other theme by ``margin`` and is positive; else ``NO_ANCHOR``."""
    out = np.full(len(V), NO_ANCHOR, dtype=np.int64)
    if len(T) == 0 or len(V) == 0:
        return out
    S = normalize(V) @ normalize(T).T
    best = np.argmax(S, axis=1)
    top = S[np.arange(len(S)), best]
    second = np.sort(S, axis=1)[:, -2] if S.shape[1] > 1 else np.zeros(len(S))
    ok = (top - second >= margin) & (top > 0)
    out[ok] = best[ok]
    return out


def themes_of_topics(centres: np.ndarray, theme_vectors: np.ndarray, n_themes: int, margin: float) -> dict[int, int]:
    """Free topics that are a planner theme in all but name, as {cluster: theme}. ``centres``: the themes' centres
    (rows 0..``n_themes`` - 1), then the free topics'. A free topic's centre must be clearly closest to one theme's
    text (the margin rule of :func:`zero_shot_anchors`) and at least as close to it as that theme's own centre is
    (any positive closeness when the theme has no ideas): a looser rule, on the margin alone, named topics about
    playgrounds "Undervisning og lærere" on the Danish tuning consultations."""
    if n_themes == 0 or len(centres) <= n_themes:
        return {}
    S = normalize(centres) @ normalize(theme_vectors).T
    match = zero_shot_anchors(centres[n_themes:], theme_vectors, margin)
    out = {}
    for i, t in enumerate(match.tolist()):
        if t >= 0 and S[n_themes + i, t] >= S[t, t]:
            out[n_themes + i] = t
    return out


def seed_anchors(
    token_lists: list[list[str]], seed_stems: list[set[str]], splitter: CompoundSplitter | None = None
) -> np.ndarray:
    """Per text, the theme whose seed stems it contains most often (``NO_ANCHOR`` when none; ties: first theme).

    A token contains a seed stem when it is the stem, or (with a fitted ``splitter``) a compound whose head it is.
    """
    out = np.full(len(token_lists), NO_ANCHOR, dtype=np.int64)
    cache: dict[tuple[str, str], bool] = {}

    def contains(token: str, stem: str) -> bool:
        if token == stem or splitter is None:
            return token == stem
        if (token, stem) not in cache:
            cache[token, stem] = splitter.has_head(token, stem)
        return cache[token, stem]

    for i, tokens in enumerate(token_lists):
        hits = [sum(any(contains(t, s) for s in stems) for t in tokens) for stems in seed_stems]
        if hits and max(hits) > 0:
            out[i] = int(np.argmax(hits))
    return out


def anchored_kmeans(Z: np.ndarray, centers: np.ndarray, anchors: np.ndarray, max_iter: int = 50) -> np.ndarray:
    """Lloyd iterations of spherical KMeans where ``anchors[i] >= 0`` pins row i to that centroid. Returns centroids.

    A centroid without members keeps its place (an empty seed theme stays empty instead of wandering off).
    """
    centers = normalize(centers.copy())
    pinned = anchors >= 0
    labels = None
    for _ in range(max_iter):
        new = np.argmax(Z @ centers.T, axis=1)
        new[pinned] = anchors[pinned]
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        for c in range(len(centers)):
            members = Z[labels == c]
            if len(members):
                centers[c] = members.mean(axis=0)
        centers = normalize(centers)
    return centers


class TopicClusterer(ClusterMixin, BaseEstimator):
    """TF-IDF (stems + char n-grams) -> neighbour smoothing -> TruncatedSVD -> Normalizer -> KMeans, automatic k.

    k: number of topics (seed themes included), or None to choose the free topics' number with :func:`choose_k`
    over 2..``k_max`` (default ``round(sqrt(n / 2))``, at most 40) in a ``selection_components``-dimensional LSA
    space of the unsmoothed features (multilingual: ``round(2 sqrt(n / 2))``, at most 20, in the smoothed embeddings,
    against their shuffled copy). ``fit(X, init_labels=...)`` warm-starts from a previous clustering: the
    centroids of the previous groups (labels >= 0) seed the Lloyd iterations, plus fresh KMeans centroids that are
    new (as many as the automatic k asks for beyond them, and any unlike every previous topic), so topics that are
    still there stay where they were. ``fit(X, seeds=[[...], ...])``: seed themes are clusters 0..len(seeds)-1
    (see the module docstring); ``anchors_`` says which texts matched a seed word.
    """

    def __init__(
        self,
        language: str = "da",
        k: int | None = None,
        k_max: int | None = None,
        n_components: int = 50,
        selection_components: int = 10,
        char_ngrams: bool = True,
        n_neighbors: int = 5,
        max_fit_samples: int = 5_000,
        max_selection_samples: int = 2_000,
        random_state: int = 0,
        backend: str = "tfidf",
        embeddings_model_path: str | None = None,
        manifold_neighbors: int = 15,
        manifold_components: int = 0,
        theme_margin: float | None = 0.1,
    ) -> None:
        self.language = language
        self.k = k
        self.k_max = k_max
        self.n_components = n_components
        self.selection_components = selection_components
        self.char_ngrams = char_ngrams
        self.n_neighbors = n_neighbors
        self.max_fit_samples = max_fit_samples
        self.max_selection_samples = max_selection_samples
        self.random_state = random_state
        self.backend = backend
        self.embeddings_model_path = embeddings_model_path
        self.manifold_neighbors = manifold_neighbors
        self.manifold_components = manifold_components
        self.theme_margin = theme_margin

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

    def fit(self, X, y=None, init_labels=None, seeds=None, init_themes=None, theme_labels=None) -> TopicClusterer:
        """Fit on texts; ``init_labels`` (ints, -1 = unknown) warm-starts, ``seeds`` (word lists) adds seed themes,
        ``init_themes`` (theme index per text, -1 = none) says which seed theme held each text last time,
        ``theme_labels`` (one per seed list) are the themes' labels, embedded with their seeds as anchors."""
        texts = ["" if t is None else str(t) for t in X]
        n = len(texts)
        if n < 2:
            raise ValueError(f"TopicClusterer needs at least 2 texts, got {n}")
        seeds = [list(s) for s in seeds or []]
        rng = np.random.default_rng(self.random_state)
        fit_idx = np.sort(rng.choice(n, self.max_fit_samples, replace=False)) if n > self.max_fit_samples else None
        fit_texts = texts if fit_idx is None else [texts[i] for i in fit_idx]

        seed_words = [w for s in seeds for w in s]
        self.splitter_ = CompoundSplitter(language=self.language).fit(fit_texts, known=seed_words)
        self.anchors_ = self._anchors(texts, seeds)
        Z_fit = self._fit_lsa(fit_texts)
        self.n_themes_ = len(seeds)
        self._n_texts = n
        Z = Z_fit if fit_idx is None else self._place_rest(texts, fit_idx, Z_fit)
        self._theme_anchors(texts, seeds, list(theme_labels or []), fit_idx)
        fit_anchors = self.anchors_ if fit_idx is None else self.anchors_[fit_idx]
        M = self._manifold(Z_fit)
        self.manifold_ = M is not None
        M = Z_fit if M is None else M
        if self.manifold_:
            self._selection_space = M

        self.k_, self.silhouette_ = self._choose_k(M, fit_anchors)
        centers = self._initial_centers(M, fit_anchors, init_labels, fit_idx, Z_fit)
        if self.n_themes_ or self.init_groups_:
            centers = anchored_kmeans(M, centers, fit_anchors)
        fit_labels = np.argmax(M @ centers.T, axis=1)
        fit_labels[fit_anchors >= 0] = fit_anchors[fit_anchors >= 0]
        self.k_ = len(centers)
        # the topics' centres in the vector space, where new texts are placed and "Andet" is judged
        self.cluster_centers_ = np.zeros((self.k_, Z.shape[1]))
        for c in range(self.k_):
            if (fit_labels == c).any():
                self.cluster_centers_[c] = Z_fit[fit_labels == c].mean(axis=0)
        self.cluster_centers_ = normalize(self.cluster_centers_)
        self.labels_ = np.argmax(Z @ self.cluster_centers_.T, axis=1)
        self.labels_[slice(None) if fit_idx is None else fit_idx] = fit_labels
        pinned = self.anchors_ >= 0
        self.labels_[pinned] = self.anchors_[pinned]
        self.similarity_ = np.einsum("ij,ij->i", Z, self.cluster_centers_[self.labels_])
        self.stuck_ = np.zeros(n, dtype=bool)
        if init_labels is not None and self.init_groups_:
            self._stick(Z, np.asarray(init_labels), pinned)
        if init_themes is not None and self.n_themes_:
            self._stick_to_themes(Z, np.asarray(init_themes), pinned)
        return self

    def _manifold(self, Z_fit: np.ndarray) -> np.ndarray | None:
        """The clustering space of the sentence-embedding backends (:func:`manifold`), or None: the tfidf backend's
        smoothed LSA (measured: its kNN graph of templated or near-duplicate texts falls apart into components, and
        clear themes were split), a few dozen texts (too few for neighbourhoods), or a graph in pieces."""
        V = self.__dict__.pop("_graph_space", None)
        if not self._spec.sentence_vectors or not self.manifold_components or V is None or len(V) < MIN_MANIFOLD_TEXTS:
            return None
        return manifold(V, self.manifold_neighbors, self.manifold_components, self.random_state)

    def _theme_anchors(self, texts: list[str], seeds: list[list[str]], labels: list[str], fit_idx) -> None:
        """Texts naming no seed word are anchored to a theme they are clearly closest to in the vector space
        (``theme_margin``; the theme's label and seeds embedded as one text, :func:`theme_text`)."""
        self.word_anchors_ = self.anchors_.copy()
        # without sentence vectors (tfidf) a theme's LSA vector is its words again, which the seed anchors already
        # match (measured: no gain)
        if not self.n_themes_ or self.theme_margin is None or not self._spec.sentence_vectors:
            self.theme_vectors_ = None
            return
        labels = labels + [""] * (len(seeds) - len(labels))
        self.theme_vectors_ = self._vectors([theme_text(lb, s) for lb, s in zip(labels, seeds, strict=True)])
        V = self._graph_space if fit_idx is None else self.transform(texts)
        if fit_idx is not None:
            V[fit_idx] = self._graph_space
        zero_shot = zero_shot_anchors(V, self.theme_vectors_, self.theme_margin)
        free = self.anchors_ < 0
        self.anchors_[free] = zero_shot[free]

    def _stick_to_themes(self, Z: np.ndarray, init_themes: np.ndarray, pinned: np.ndarray) -> None:
        """Ideas a seed theme held last time stay in it while they fit it as well as an ordinary member does."""
        has = np.flatnonzero((init_themes >= 0) & (init_themes < self.n_themes_) & ~pinned & ~self.stuck_)
        sim = np.einsum("ij,ij->i", Z[has], self.cluster_centers_[init_themes[has]])
        ok = sim >= self.similarity_fence()
        self.labels_[has[ok]] = init_themes[has[ok]]
        self.similarity_[has[ok]] = sim[ok]
        self.stuck_[has[ok]] = True

    def _fit_lsa(self, texts: list[str]) -> np.ndarray:
        spec = self._spec  # an unknown backend: models.backends.UnknownBackend, naming the choices
        features = self._features(self.splitter_)
        counts = features.fit_transform(texts)
        n_sel = max(1, min(self.selection_components, counts.shape[1] - 1, len(texts) - 1))
        # without the manifold step k is chosen here, before smoothing: smoothing tightens groups of near-duplicates,
        # which would then ask for more k
        self._selection_space = normalize(TruncatedSVD(n_sel, random_state=self.random_state).fit_transform(counts))
        n_neighbors = self._smoothing_neighbours(len(texts))
        if not spec.words:  # the embeddings alone (multilingual): no LSA of the smoothed counts is needed
            self.lsa_ = None
            E = self._embed(texts)
            # e5's vectors share a large common direction (any two texts have a cosine of 0.7 or more): without it,
            # similarities spread as LSA's do, so KMeans and the "Andet" fence see the differences. Each language
            # also has a direction of its own, which would group English comments apart from the Danish ones on
            # their subject: texts of a language with 3 or more texts lose their language's mean instead.
            self.embedding_mean_ = E.mean(axis=0)
            langs = self._languages(texts)
            self.language_means_ = {lang: E[langs == lang].mean(axis=0) for lang in set(langs.tolist())
                                    if (langs == lang).sum() >= 3}
            E = self._graph_space = normalize(E - self._means(langs))  # its own neighbourhoods: no smoothing
            return neighbour_smoothing(E, n_neighbors, weighted=False) if n_neighbors else E
        if n_neighbors:
            counts = neighbour_smoothing(counts, n_neighbors)
        n_comp = max(1, min(self.n_components, counts.shape[1] - 1, len(texts) - 1))
        svd, norm = TruncatedSVD(n_comp, random_state=self.random_state), Normalizer(copy=False)
        self.lsa_ = make_pipeline(features, svd, norm)
        Z = norm.fit_transform(svd.fit_transform(counts))
        if spec.sentence_vectors:  # beside the words (embeddings)
            E = self._embed(texts)
            Z = _beside(Z, neighbour_smoothing(E, n_neighbors, weighted=False) if n_neighbors else E)
        self._graph_space = Z
        return Z

    def _languages(self, texts: list[str]) -> np.ndarray:
        """Each text's language ("da"/"en" by function words; the consultation's language when unclear)."""
        return np.array([detect_language(clean_text(t).lower().split(), self.language) for t in texts])

    def _means(self, langs: np.ndarray) -> np.ndarray:
        """Per text, the mean vector of its language in the fit (the overall mean for a language seen too little)."""
        means = getattr(self, "language_means_", {})
        return np.vstack([means.get(lang, self.embedding_mean_) for lang in langs.tolist()])

    def _smoothing_neighbours(self, n: int) -> int:
        """``n_neighbors``, but no more than the other members a topic has on average at the largest automatic k
        (``sqrt(n / 2)`` topics of ``sqrt(2 n)`` texts): on a few texts, 5 neighbours would blend every topic."""
        return min(self.n_neighbors, max(int(np.sqrt(2 * n)) - 1, 1))

    @property
    def _spec(self) -> backends.Backend:
        """The backend's registry entry (``models.backends``): what its vectors hold."""
        return backends.get(self.backend)

    def _embed(self, texts: list[str]) -> np.ndarray:
        path = self.embeddings_model_path if self._spec.model_path else None  # the multilingual model is fixed
        return normalize(_encoder(path, self.backend).encode(texts).astype(np.float64))

    def _anchors(self, texts: list[str], seeds: list[list[str]]) -> np.ndarray:
        if not seeds:
            return np.full(len(texts), NO_ANCHOR, dtype=np.int64)
        seed_stems = [{stem for w in s for stem in tokenize(w, self.language)} for s in seeds]
        tokens = [tokenize(t, self.language, self.splitter_) for t in texts]
        return seed_anchors(tokens, seed_stems, self.splitter_)

    def k_criterion(self) -> str:
        """How the fitted model chose its number of free topics, in words (``models.topics`` keeps it in a run's
        params as ``criterion``)."""
        if self.k is not None:
            return "given"
        ideas = " (ideas no seed theme anchors)"
        if self.manifold_:
            return ("free topics: elbow of the mean cosine silhouette of KMeans in the spectral embedding of the "
                    "texts' 15-nearest-neighbour graph, k <= 1.5 sqrt(n / 2)" + ideas)
        if not self._spec.words:
            return ("free topics: max mean cosine silhouette of KMeans in the smoothed embeddings, among the k that "
                    "beat a shuffled copy of them by the median margin, k <= 2 sqrt(n / 2) and <= "
                    f"{MAX_AUTO_TOPICS_EMBEDDINGS}" + ideas)
        return (f"free topics: max mean cosine silhouette of KMeans in a {self.selection_components}-d LSA space of "
                "the texts' unsmoothed features, k <= sqrt(n / 2)" + ideas)

    def _choose_k(self, Z: np.ndarray, anchors: np.ndarray) -> tuple[int, dict]:
        """Total number of clusters: the themes plus the free topics (chosen on the ideas no theme anchors)."""
        if self.k is not None:
            return max(1, min(int(self.k), len(Z))), {}
        # the embeddings alone (multilingual): k in the clustering space itself, against its shuffled copy
        # (choose_k's reference); the LSA of the words asked for 9-10 topics on 5 Pol.is conversations
        alone = not self._spec.words and not self.manifold_
        free = (Z if alone else self._selection_space)[anchors < 0]
        # sqrt(n / 2) = 6 on the Danish tuning consultations (8 subjects in 77 ideas) left the silhouette no room to
        # find them: 1.5 sqrt(n / 2) in the manifold space, 2 sqrt(n / 2) for the embeddings alone, where the
        # reference keeps the coarse structure (5 Pol.is conversations: k = 5 of up to 35)
        wide = 1.5 if self.manifold_ else 2.0 if alone else 1.0
        # at most 20 free topics for the embeddings alone: over 2..40, 800 news sentences on 7 subjects (SIB-200
        # Danish) got k 34-40, the top of the range (the silhouette curve is flat there and rises again at large k);
        # a ceiling of 16-22 gives 11-15 and changes no k on the Danish tuning half, Pol.is or the bundled sample
        ceiling = MAX_AUTO_TOPICS_EMBEDDINGS if alone else 40
        k_max = self.k_max or min(ceiling, max(2, round(wide * np.sqrt(len(free) / 2))))
        k_max = min(k_max, len(free) - 1)
        if k_max < 2:
            return self.n_themes_ + int(len(free) > 0), {}
        if len(free) > self.max_selection_samples:  # the silhouette curve needs no more; keeps large runs fast
            rng = np.random.default_rng(self.random_state)
            free = free[np.sort(rng.choice(len(free), self.max_selection_samples, replace=False))]
        # a large input (over LARGE_INPUT texts), and the embeddings alone (unit rows, up to 40 KMeans with the
        # reference), take the exact silhouette from cluster sums on scikit-learn's sample: the same values up to
        # rounding in a fraction of the time (about half of choosing k); smaller inputs of the other
        # backends keep scikit-learn's, so their topics stay as they were measured
        k_free, scores = choose_k(free, range(2, k_max + 1), self.random_state, coarse=self.manifold_,
                                  fast=alone or self._n_texts > LARGE_INPUT, reference=alone)
        return self.n_themes_ + k_free, scores

    def _initial_centers(self, Z, anchors, init_labels, fit_idx, Z_vectors) -> np.ndarray:
        """Theme centroids (mean of anchors), then previous topics (warm start), then fresh KMeans centroids, in the
        clustering space ``Z`` (``Z_vectors``: the same texts in the vector space)."""
        themes = np.zeros((self.n_themes_, Z.shape[1]))
        for t in range(self.n_themes_):
            if (anchors == t).any():
                themes[t] = Z[anchors == t].mean(axis=0)
        prev = self._warm_init(Z, init_labels, fit_idx, Z_vectors)
        n_free = max(self.k_ - self.n_themes_ - len(prev), 0)
        if self.k is None and self.n_themes_:
            n_free = max(n_free, 1)  # room for at least one unforeseen theme
        unplaced = anchors < 0
        if len(prev):
            # Warm start: new topics can only form from ideas no previous topic held (new ones, or "Andet"), so a
            # rerun over the same ideas finds the same topics.
            previous = np.asarray(init_labels) if fit_idx is None else np.asarray(init_labels)[fit_idx]
            unplaced &= previous < 0
        free = Z[unplaced]
        known = np.vstack([themes, prev])
        n_fresh = n_free + len(prev) if len(prev) == 0 else max(self.k_ - self.n_themes_, n_free, 1)
        if len(free) <= n_fresh or (n_free == 0 and len(prev) == 0):
            return known
        km = KMeans(n_fresh, random_state=self.random_state, n_init=10).fit(free)
        fresh = normalize(km.cluster_centers_)
        if len(known) == 0:
            self.kmeans_ = km
            return fresh
        novelty = (fresh @ normalize(known).T).max(axis=1)  # fresh centroids least like any known topic are new
        order = np.argsort(novelty, kind="stable")
        # Also new: a fresh centroid less like every known topic than an ordinary idea is like its own centroid
        # (below Tukey's lower fence of those similarities), however many topics there were before.
        own = np.einsum("ij,ij->i", free, fresh[km.labels_])
        q1, q3 = np.percentile(own, [25, 75])
        n_new = max(n_free, int((novelty < q1 - 1.5 * (q3 - q1)).sum())) if self.k is None else n_free
        return np.vstack([known, fresh[order[:n_new]]])

    def _stick(self, Z: np.ndarray, init_labels: np.ndarray, pinned: np.ndarray) -> None:
        """Ideas stay in their previous topic while they still fit it as well as an ordinary member does, or it is
        still their nearest topic.

        "As well as an ordinary member": similarity to the previous topic's centroid (mean of its previous members
        now; refined centroids drift when a new topic splits off) at or above Tukey's lower fence of
        all ideas' similarities to their nearest centroid. Keeps topic membership stable between runs.
        """
        position = {g: i + self.n_themes_ for i, g in enumerate(self.init_groups_)}
        prev = np.array([position.get(g, -1) for g in init_labels.tolist()])
        has = np.flatnonzero((prev >= 0) & ~pinned)
        q1, q3 = np.percentile(self.similarity_, [25, 75])
        centers = np.vstack([np.zeros((self.n_themes_, Z.shape[1])), self.previous_centers_])
        sim_prev = np.einsum("ij,ij->i", Z[has], centers[prev[has]])
        ok = sim_prev >= q1 - 1.5 * (q3 - q1)
        self.labels_[has[ok]] = prev[has[ok]]
        self.similarity_[has[ok]] = sim_prev[ok]
        # An idea whose nearest topic is still its previous one stays too, even below this run's fence: the fence
        # moved with the new ideas, the idea did not, and it should not bounce into "Andet" and back.
        self.stuck_[has[ok | (self.labels_[has] == prev[has])]] = True

    def _warm_init(self, Z: np.ndarray, init_labels, fit_idx, Z_vectors: np.ndarray) -> np.ndarray:
        """The previous topics' centroids in the clustering space ``Z`` (returned) and in the vector space
        (``previous_centers_``, where ideas are held by their previous topic)."""
        self.init_groups_: list[int] = []
        empty = np.zeros((0, Z.shape[1]))
        if init_labels is None:
            return empty
        labels = np.asarray(init_labels)
        labels = labels if fit_idx is None else labels[fit_idx]
        groups = sorted(g for g in set(labels.tolist()) if g >= 0)
        if self.k is not None:
            groups = groups[: max(int(self.k) - self.n_themes_, 0)]  # k given: the rest merge into these
        if not groups:
            return empty
        self.init_groups_ = groups
        self.previous_centers_ = normalize(np.vstack([Z_vectors[labels == g].mean(axis=0) for g in groups]))
        return normalize(np.vstack([Z[labels == g].mean(axis=0) for g in groups]))

    def _place_rest(self, texts: list[str], fit_idx: np.ndarray, Z_fit: np.ndarray) -> np.ndarray:
        """All texts' vectors: the fitted ones as fitted, the others transformed (each row on its own, so the same
        values as transforming all; the fitted rows are not transformed again)."""
        Z = np.empty((len(texts), Z_fit.shape[1]))
        Z[fit_idx] = Z_fit
        rest = np.setdiff1d(np.arange(len(texts)), fit_idx)
        rest_texts = [texts[i] for i in rest]
        if self._spec.sentence_vectors:
            # encoded here: a vector encoded in a forked child would miss the flow's vector memory (never stored, so
            # encoded again next run), and the encoder's runtime threads do not survive a fork
            Z[rest] = self.transform(rest_texts)
            return Z
        from transforms.ideas import in_processes  # from 20,000 texts on, half of them in a forked second process

        Z[rest] = np.vstack(in_processes(self.transform, rest_texts))
        return Z

    def transform(self, X, chunk: int = 20_000) -> np.ndarray:
        """Unit-length LSA vectors of ``X`` (beside its embeddings with that backend), not smoothed: that needs the
        fitted neighbours.

        In chunks of ``chunk`` texts: the sparse n-gram matrix of a million texts alone would take gigabytes."""
        texts = ["" if t is None else str(t) for t in X]
        parts = [self._vectors(texts[i : i + chunk]) for i in range(0, len(texts), chunk)]
        return np.vstack(parts) if parts else np.zeros((0, self.cluster_centers_.shape[1]))

    def _vectors(self, texts: list[str]) -> np.ndarray:
        spec = self._spec
        if not spec.words:
            return normalize(self._embed(texts) - self._means(self._languages(texts)))
        Z = self.lsa_.transform(texts)
        return _beside(Z, self._embed(texts)) if spec.sentence_vectors else Z

    def predict(self, X) -> np.ndarray:
        """Nearest topic centroid for each text."""
        return np.argmax(self.transform(X) @ self.cluster_centers_.T, axis=1)

    def place(self, X, seeds: list[list[str]] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per text of ``X``: its cluster, its cosine to that cluster's centre, and whether a seed word pinned it.

        The cluster is the nearest centre's, or the seed theme (``seeds``: the themes' seed words, in the order
        the fit had them) whose seed words the text names most, as in the fit (:func:`seed_anchors`)."""
        texts = ["" if t is None else str(t) for t in X]
        similarity = self.transform(texts) @ self.cluster_centers_.T
        cluster = np.argmax(similarity, axis=1)
        anchors = self._anchors(texts, [list(s) for s in seeds or []])
        pinned = anchors >= 0
        cluster[pinned] = anchors[pinned]
        return cluster, similarity[np.arange(len(cluster)), cluster], pinned

    def similarity_fence(self) -> float:
        """Tukey's lower fence of the fitted texts' cosines to their cluster's centre: a text below it is unusually
        far from its topic ("Andet", unless a seed word or its previous topic holds it)."""
        q1, q3 = np.percentile(self.similarity_, [25, 75])
        return float(q1 - 1.5 * (q3 - q1))

    def stored_copy(self) -> TopicClusterer:
        """A copy that places new texts (:meth:`place`, :meth:`transform`) without the fit's per-text state: what a
        stored topic model keeps. Its compound splitter and vectorizers keep the fitted vocabulary, not the stems
        split so far nor the terms seen too rarely (every word of the texts, rare ones included)."""
        slim = copy.copy(self)
        for name in _PER_TEXT:
            slim.__dict__.pop(name, None)
        slim.splitter_ = self.splitter_.fitted_copy()
        if slim.lsa_ is not None:
            slim.lsa_ = copy.deepcopy(slim.lsa_)
            for _, vectorizer in slim.lsa_.steps[0][1].transformer_list:
                vectorizer.stop_words_ = None
                if isinstance(vectorizer.analyzer, TextAnalyzer):
                    vectorizer.analyzer.splitter = slim.splitter_
        return slim
