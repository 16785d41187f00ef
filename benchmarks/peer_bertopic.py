"""The peer column of ``make eval``: BERTopic's default clustering pipeline on vectors we computed.

Runs in a throwaway environment (``benchmarks/eval.py`` builds it with ``uv venv`` + ``uv pip install umap-learn
hdbscan``), never in the project's ``.venv``: umap-learn pulls numba and llvmlite (about 400 MB with their
dependencies). BERTopic itself is not installed: it requires PyTorch (through sentence-transformers), which this
machine's registries only offer as a multi-GB CUDA build. With embeddings given, BERTopic's ``fit_transform`` is
UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine") then HDBSCAN(min_cluster_size=10,
metric="euclidean", cluster_selection_method="eom") (``bertopic/_bertopic.py``, its defaults), and the topics are
HDBSCAN's clusters with -1 as the outlier topic; that is what runs here. BERTopic leaves UMAP's random_state unset;
here it is fixed (42) so the column is reproducible. Also "umap+kmeans": the same UMAP output clustered by KMeans
with k by the highest silhouette (the issue's second reference figure).

Usage: ``python peer_bertopic.py IN_DIR OUT.json``; IN_DIR holds ``<name>.npy`` (float32, one row per text).
Writes {name: {"bertopic": [labels...], "umap_kmeans": [labels...], "k_umap_kmeans": k}}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def main(in_dir: str, out: str) -> int:
    import umap
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    try:
        from hdbscan import HDBSCAN
    except ImportError:  # the same algorithm in scikit-learn
        from sklearn.cluster import HDBSCAN
    result = {}
    for path in sorted(Path(in_dir).glob("*.npy")):
        E = np.load(path)
        n_neighbors = min(15, len(E) - 1)
        reducer = umap.UMAP(n_neighbors=n_neighbors, n_components=5, min_dist=0.0, metric="cosine", random_state=42)
        U = reducer.fit_transform(E)
        topics = HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom").fit_predict(U)
        best = (-2.0, 2, None)
        for k in range(2, min(40, max(3, round(np.sqrt(len(E) / 2)) + 4), len(E) - 1) + 1):
            labels = KMeans(k, random_state=0, n_init=10).fit_predict(U)
            score = silhouette_score(U, labels)
            if score > best[0] + 1e-4:
                best = (score, k, labels)
        result[path.stem] = {"bertopic": topics.tolist(), "umap_kmeans": best[2].tolist(), "k_umap_kmeans": best[1]}
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
