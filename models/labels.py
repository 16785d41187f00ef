"""Topic keywords by class-based TF-IDF (as BERTopic's ``ClassTfidfTransformer``) and readable labels in real words."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

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


# Labels written as noun phrases from the topic's own ideas ("Cykelsti til Sorring", "Hundeskov med hegn", "Gratis
# parkering"): a run of 1..MAX_PHRASE_WORDS words inside one clause that begins and ends with a content word, has at
# most one linking word (a preposition or "og") inside, and ends in a word that can name a topic (no verb, adverb,
# determiner or general adjective: transforms/data/label_words.txt).
LABEL_WORDS_FILE = Path(__file__).resolve().parent.parent / "transforms" / "data" / "label_words.txt"
LINK_WORDS = {
    "da": frozenset("til med på ved i langs for af fra om over under mellem omkring uden nær og".split()),
    "en": frozenset("for to on in at with along near of and".split()),
}
MAX_PHRASE_WORDS = 4
_DEFINITE_ENDINGS = ("en", "et", "ne")  # Danish definite nouns: "skolen", "huset", "børnene"
MAX_LABEL_CHARS = 40
_CLAUSE_END = re.compile(r"[.!?;:,()\[\]{}\"“”„«»=/&+*…–—|<>]+|\s-+\s|\n")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@lru_cache(maxsize=1)
def label_word_lists() -> dict[tuple[str, str], frozenset[str]]:
    """{(section, language): words} from :data:`LABEL_WORDS_FILE` (sections "edge" and "modifier")."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    key: tuple[str, str] | None = None
    for line in LABEL_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section, _, language = line.strip("[]").partition(" ")
            key = (section.strip(), language.strip())
            continue
        if key is None:
            raise ValueError(f"{LABEL_WORDS_FILE}: words before the first [section language] line: {line[:40]!r}")
        out[key].update(line.lower().split())
    return {k: frozenset(v) for k, v in out.items()}


def idea_phrases(text: str, pairs: Sequence[tuple[str, str]], language: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The candidate label phrases of one idea: {key: surface words}, the key being the content words' stems and
    the linking word with a leading "_" ("cykelsti", "_til", "sorring"). ``text`` is the cleaned idea
    (``clean_text``) and ``pairs`` its (surface, stem) content words (``transforms.text.words``); words that are not
    among them are stop words, which a phrase may hold only as its one inner linking word."""
    stems = dict(pairs)
    lists = label_word_lists()
    edge = lists.get(("edge", language), frozenset())
    modifier = lists.get(("modifier", language), frozenset())
    links = LINK_WORDS.get(language, frozenset())
    found: dict[tuple[str, ...], tuple[str, ...]] = {}
    for clause in _CLAUSE_END.split(text):
        tokens = [t.replace("’", "'") for t in _TOKEN.findall(clause)]
        content = [t in stems and t not in edge for t in tokens]
        for i in range(len(tokens)):
            if not content[i]:
                continue
            linked = False
            for j in range(i, min(i + MAX_PHRASE_WORDS, len(tokens))):
                word = tokens[j]
                if j > i and not content[j]:
                    if word not in links or linked or not content[j - 1]:
                        break
                    linked = True
                    continue
                if word in modifier:
                    continue  # may begin or carry a phrase, never end one
                if j == i + 1 and not linked and language == "da" and tokens[i].endswith(_DEFINITE_ENDINGS):
                    break  # "børnene cykler", "skolen lukker": a definite noun and its verb, not a noun phrase
                span = tokens[i : j + 1]
                key = tuple(stems[w] if w in stems else f"_{w}" for w in span)
                found.setdefault(key, tuple(span))
    return found


def topic_phrases(
    phrases: Sequence[dict[tuple[str, ...], tuple[str, ...]]], labels: Sequence[int]
) -> dict[int, dict[tuple[str, ...], tuple[int, tuple[str, ...]]]]:
    """Per topic, phrase key -> (number of its ideas that hold the phrase as written, its most frequent surface)."""
    ideas: dict[int, Counter] = defaultdict(Counter)
    forms: dict[int, dict[tuple[str, ...], Counter]] = defaultdict(lambda: defaultdict(Counter))
    for found, label in zip(phrases, labels, strict=True):
        for key, surface in found.items():
            ideas[label][key] += 1
            forms[label][key][surface] += 1
    return {
        label: {key: (n, min(forms[label][key], key=lambda s: (-forms[label][key][s], s))) for key, n in by_key.items()}
        for label, by_key in ideas.items()
    }


def phrase_label(
    found: dict[tuple[str, ...], tuple[int, tuple[str, ...]]],
    weight: dict[str, float],
    holders: dict[str, set[int]],
    heads: Sequence[str],
    base: str | None = None,
    min_ideas: int = 2,
) -> tuple[tuple[str, ...], float] | None:
    """The topic's best phrase of two or more words and its score, or None when no phrase qualifies.

    ``found``: the topic's phrases (:func:`topic_phrases`); ``holders``: stem -> the topic's ideas that hold it. A
    phrase stands for the ideas that hold all its content words, however they word it ("hegn om hundeskoven" is
    "hundeskov med hegn" too). Its head (the word before its linking word, else its last word: "hundeskov" in
    "hundeskov med hegn", "blomster" in "vilde blomster") must be one of ``heads`` (the stems of the topic's best
    label words); it must be backed by ``min_ideas`` ideas, end in a stem that weighs and fit a label
    (:data:`MAX_LABEL_CHARS`).

    Score: the sum of its content stems' label weights (``weight``; 0 for a stem that may not name a topic) times
    the square root of the share of the ideas naming ``base`` (the stem of the topic's best word; by default the
    first head) that back it: as much as its words together when every idea naming the best word backs it, less when
    few do, so a side remark of two ideas ("lokale hal" in a topic about villages) does not name a topic; a phrase of
    two equally weighted words beats its head alone when a quarter of the head's ideas back it ("affordable
    housing"). Ties: more ideas, more ideas writing it so, fewer words, then alphabetical.
    """
    best: tuple[float, int, int, int, tuple[str, ...]] | None = None
    base = base if base is not None else (heads[0] if heads else "")
    for key, (written, surface) in found.items():
        if len(key) < 2 or len(" ".join(surface)) > MAX_LABEL_CHARS:
            continue
        content = [s for s in key if not s.startswith("_")]
        link = next((k for k, s in enumerate(key) if s.startswith("_")), len(key))
        if key[link - 1] not in heads or weight.get(key[-1], 0.0) <= 0 or len(set(content)) < len(content):
            continue  # the head (the noun before the linking word, or the last one) must be one of the topic's words
        n = len(set.intersection(*(holders.get(s, set()) for s in content)))
        if n < min_ideas:
            continue
        score = sum(weight.get(s, 0.0) for s in set(content)) * math.sqrt(n / max(len(holders.get(base, ())), n))
        rank = (score, n, written, -len(key), surface)
        if best is None or rank[:4] > best[:4] or (rank[:4] == best[:4] and surface < best[4]):
            best = rank
    return None if best is None else (best[4], best[0])
