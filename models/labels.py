"""Topic keywords by class-based TF-IDF (as BERTopic's ``ClassTfidfTransformer``) and readable labels in real words."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

__all__ = [
    "FILLER_WORDS",
    "class_tfidf",
    "filler_stems",
    "label_size",
    "label_weights",
    "only_shared",
    "ranked_words",
    "readable_label",
    "shared_terms",
    "spread_stems",
    "surface_forms",
    "topic_document_frequencies",
    "topic_keywords",
]


# Words that carry how people feel or talk, never what a topic is about (seen as labels and keywords in the demo:
# "Drenge · barnevogn" with keywords komme, holde, dag, tage; keywords elsker, fedt, siden, set, tænk). Stemmed with
# their own language only ("love" stemmed as Danish is "lov", law). Cost: a stem they share with a noun goes too
# ("tage" -> "tag", also a roof).
FILLER_WORDS = {
    "da": frozenset(
        "elsker elske fedt fede siden set ser tænk tænker tænke komme kommer holde holder dag dage tage tager "
        "mener tror ting noget gøre gør lave laver godt gode super mega bare lige helt rigtig rigtigt ellers "
        "lad".split()
    ),
    "en": frozenset("love loved great nice think thing things get make really awesome".split()),
}


def filler_stems(language: str, stem: Callable[[str], list[str]]) -> frozenset[str]:
    """The stems of :data:`FILLER_WORDS` of ``language`` under ``stem`` (a word -> its stems)."""
    return frozenset(s for word in FILLER_WORDS.get(language, ()) for s in stem(word))


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def class_tfidf(token_lists: Sequence[list[str]], labels: Sequence[int]) -> tuple[list[int], np.ndarray, np.ndarray]:
    """c-TF-IDF: per class, sqrt(term frequency) / class size x log(1 + mean class size / term frequency overall).

    Returns (classes, terms, matrix of shape (len(classes), len(terms))).
    """
    classes = sorted(set(labels))
    docs = [[] for _ in classes]
    position = {c: i for i, c in enumerate(classes)}
    for tokens, label in zip(token_lists, labels, strict=True):
        docs[position[label]].extend(tokens)
    vectorizer = CountVectorizer(analyzer=_identity)
    try:
        counts = sparse.csr_matrix(vectorizer.fit_transform(docs), dtype=float)
    except ValueError:  # no tokens at all
        return classes, np.array([], dtype=object), np.zeros((len(classes), 0))
    sizes = np.asarray(counts.sum(axis=1)).ravel()
    tf = sparse.diags(1 / np.maximum(sizes, 1)) @ counts.sqrt()  # BERTopic reduce_frequent_words
    idf = np.log(1 + sizes.mean() / np.maximum(np.asarray(counts.sum(axis=0)).ravel(), 1))
    return classes, vectorizer.get_feature_names_out(), (tf @ sparse.diags(idf)).toarray()


def topic_document_frequencies(token_lists: Sequence[list[str]], labels: Sequence[int]) -> dict[int, Counter]:
    """Per topic, stem -> number of the topic's ideas that contain it."""
    df: dict[int, Counter] = defaultdict(Counter)
    for tokens, label in zip(token_lists, labels, strict=True):
        df[label].update(set(tokens))
    return df


def spread_stems(
    token_lists: Sequence[list[str]], labels: Sequence[int], share: float = 0.05, df: dict[int, Counter] | None = None
) -> set[str]:
    """Stems too common to name a topic: in at least ``share`` of the ideas of more than half of the topics.

    Data-derived filler words ("kan", "ved", "godt" in one consultation, "people" in another); needs 3+ topics.
    ``df``: :func:`topic_document_frequencies` of the same input, when already at hand.
    """
    topics = sorted(set(labels))
    if len(topics) < 3:
        return set()
    sizes = Counter(labels)
    df = topic_document_frequencies(token_lists, labels) if df is None else df
    common = Counter(stem for t in topics for stem, c in df[t].items() if c >= share * sizes[t])
    return {stem for stem, n in common.items() if n > len(topics) / 2}


def shared_terms(classes: list[int], terms: np.ndarray, df: dict[int, Counter], min_ideas: int = 2) -> np.ndarray:
    """Boolean (classes x terms): the term is in at least ``min_ideas`` of the class's ideas.

    A keyword stands for what several ideas say; a word only one idea uses (often a name nobody tagged) is neither a
    topic's keyword nor something to store with the model.
    """
    position = {str(t): j for j, t in enumerate(terms)}
    mask = np.zeros((len(classes), len(terms)), dtype=bool)
    for i, c in enumerate(classes):
        cols = [position[stem] for stem, n in df.get(c, {}).items() if n >= min_ideas and stem in position]
        mask[i, cols] = True
    return mask


def only_shared(weights: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """``weights`` with the terms not in ``shared`` (:func:`shared_terms`) set to 0, except for a topic that would
    be left with no word at all: one idea's words name it better than "Andet", the catch-all's name."""
    keep = shared.copy()
    keep[~(keep & (weights > 0)).any(axis=1)] = True
    return np.where(keep, weights, 0.0)


def surface_forms(pairs: Sequence[list[tuple[str, str]]], labels: Sequence[int]) -> dict[int, dict[str, str]]:
    """Per class, stem -> its most frequent surface word in that class (ties: shortest, then alphabetical)."""
    counts: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for doc_pairs, label in zip(pairs, labels, strict=True):
        for surface, stem in doc_pairs:
            counts[label][stem][surface] += 1
    return {
        label: {stem: min(c, key=lambda w: (-c[w], len(w), w)) for stem, c in by_stem.items()}
        for label, by_stem in counts.items()
    }


def topic_keywords(
    terms: np.ndarray, weights: np.ndarray, surface: dict[str, str], fallback: dict[str, str], n: int = 8
) -> list[str]:
    """The ``n`` highest-weighted terms as real words, without repeats or terms contained in a better one."""
    return [word for word, _ in ranked_words(terms, weights, surface, fallback, n)]


def ranked_words(
    terms: np.ndarray, weights: np.ndarray, surface: dict[str, str], fallback: dict[str, str], n: int = 8
) -> list[tuple[str, float]]:
    """:func:`topic_keywords` with each word's weight."""
    words: list[tuple[str, float]] = []
    for j in np.argsort(-weights, kind="stable"):
        if weights[j] <= 0 or len(words) >= n:
            break
        stem = str(terms[j])
        word = surface.get(stem) or fallback.get(stem) or stem
        if any(word in w or w in word for w, _ in words):
            continue
        words.append((word, float(weights[j])))
    return words


def label_size(ranked: list[tuple[str, float]], relative: float = 0.5, n_words: int = 2) -> int:
    """How many of the ``ranked`` label words to show (1..``n_words``): a word joins the label only while its weight
    is at least ``relative`` times the first word's. A topic one word stands out in is named by that word alone
    ("Hundeskov", not "Hundeskov · hjælpe"); two words that both carry it make a two-word label."""
    if not ranked:
        return 0
    top = ranked[0][1]
    return 1 + sum(1 for _, w in ranked[1:n_words] if w >= relative * top)


def label_weights(terms: np.ndarray, weights: np.ndarray, likeness: dict[str, float]) -> np.ndarray:
    """c-TF-IDF weights for choosing label words: each term's weight times its noun-likeness (0..1, default 1).

    The keywords keep the plain c-TF-IDF order; the label prefers words that name the topic over the verbs and
    adjectives that often co-occur with it ("Komme · holde"), see ``transforms.text.noun_likeness``.
    """
    factor = np.array([likeness.get(str(t), 1.0) for t in terms], dtype=float)
    return weights * factor


def label_first(label_words: list[str], keywords: list[str], n: int = 8) -> list[str]:
    """The keywords with the label's words in front (a label word is always among the keywords), at most ``n``."""
    rest = [w for w in keywords if not any(w in lw or lw in w for lw in label_words)]
    return [*label_words, *rest][:n]


def readable_label(keywords: list[str], n_words: int = 2) -> str:
    """'Cykelstier · belysning' from the first keywords; 'Andet' when there are none."""
    chosen = keywords[:n_words]
    if not chosen:
        return "Andet"
    label = " · ".join(chosen)
    return label[0].upper() + label[1:]
