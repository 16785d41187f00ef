"""Placement reads the clusterer through its public methods (``stored_copy``, ``place``, ``similarity_fence``), and the
models package imports run one way: no module imports one that imports it back."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import numpy as np
from test_topics import THEMES, make_ideas

from models.cluster import _PER_TEXT, TopicClusterer
from models.topics import analyse

MODELS = Path(__file__).resolve().parents[2] / "models"
SEEDS = [["hund"], ["cykel"]]
NEW = ["Vi mangler en hundeskov med vand", "En legeplads med gynger og sandkasse, også til hundene",
       "Mere plads til hundene", "asdfgh qwerty zxcvb", "cykel parkering ved legepladsen med gynger"]


def _fitted() -> tuple[TopicClusterer, list[str]]:
    texts = make_ideas(THEMES)["text"].tolist()
    return TopicClusterer(random_state=0).fit(texts, seeds=SEEDS, theme_labels=["Hunde", "Cykler"]), texts


def test_the_stored_copy_places_as_the_fit_does_without_its_per_text_state() -> None:
    model, texts = _fitted()
    split_before = dict(model.splitter_._cache)
    slim = model.stored_copy()
    assert not [name for name in _PER_TEXT if hasattr(slim, name)]
    assert all(hasattr(model, name) for name in ("labels_", "similarity_", "anchors_", "stuck_"))  # untouched
    assert model.splitter_._cache == split_before and split_before  # the fit's own splitter keeps its splits
    assert slim.splitter_._cache == {} and slim.splitter_.vocabulary_ == model.splitter_.vocabulary_
    vectorizers = [v for _, v in slim.lsa_.steps[0][1].transformer_list]
    assert all(v.stop_words_ is None for v in vectorizers)
    assert vectorizers[0].analyzer.splitter is slim.splitter_  # the words' analyser splits with the kept splitter
    for got, expected in zip(slim.place(NEW + texts[:20], SEEDS), model.place(NEW + texts[:20], SEEDS), strict=True):
        np.testing.assert_array_equal(got, expected)
    assert len(pickle.dumps(slim)) < len(pickle.dumps(model))


def test_place_is_the_nearest_centre_unless_a_seed_word_pins_the_text() -> None:
    model, _ = _fitted()
    cluster, similarity, pinned = model.place(NEW, SEEDS)
    Z = model.transform(NEW)
    nearest = model.predict(NEW)
    assert pinned.tolist() == [False, True, True, False, True]  # "hundene" and "cykel" are seed words
    # the seed themes are clusters 0 and 1, in the order of the seeds; a seed word wins over the nearest centre
    assert cluster[pinned].tolist() == [0, 0, 1] and (nearest[pinned] != cluster[pinned]).sum() == 2
    np.testing.assert_array_equal(cluster[~pinned], nearest[~pinned])
    np.testing.assert_allclose(similarity, np.einsum("ij,ij->i", Z, model.cluster_centers_[cluster]))
    _, _, none_pinned = model.place(NEW)
    assert not none_pinned.any()


def test_the_stored_model_keeps_the_fits_andet_fence() -> None:
    ideas = make_ideas(THEMES)
    run = analyse(ideas)
    fence = run.model.fence
    assert isinstance(fence, float) and round(fence, 4) == run.params["andet_similarity_below"]
    model = TopicClusterer(random_state=0).fit(ideas["text"].tolist())
    q1, q3 = np.percentile(model.similarity_, [25, 75])
    assert model.similarity_fence() == q1 - 1.5 * (q3 - q1)


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """The ``models.*`` modules a file imports, and the private names it reads off other objects."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    private: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "models":
            modules |= {f"models.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("models."):
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names if alias.name.startswith("models.")}
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            private.add(node.attr)
    return modules, private


def test_placement_reads_no_private_state_and_the_models_imports_run_one_way() -> None:
    graph = {f"models.{p.stem}": _imports(p)[0] for p in MODELS.glob("*.py")}
    assert "models.topics" not in graph["models.placement"]
    assert _imports(MODELS / "placement.py")[1] == set()

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for dep in graph.get(start, ()):
            if dep == target or (dep not in seen and reaches(dep, target, seen | {dep})):
                return True
        return False

    # lazy imports inside functions count too: a circle that only runs later is still a circle
    assert [m for m in graph if reaches(m, m, {m})] == []
