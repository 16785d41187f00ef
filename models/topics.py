"""Topic analysis of ideas: clusters, "Andet", labels, keywords, representative ideas, support, stable ids.

``analyse`` is the one entry point the flows call. Pure: DataFrames in, a ``TopicRun`` out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models import backends
from models.cluster import TopicClusterer, theme_text, themes_of_topics
from models.identity import ANDET, match_topics, theme_ids
from models.labels import (
    LINK_WORDS,
    class_tfidf,
    filler_stems,
    idea_phrases,
    label_first,
    label_size,
    label_weights,
    label_word_lists,
    only_shared,
    phrase_label,
    ranked_words,
    readable_label,
    shared_terms,
    spread_stems,
    surface_forms,
    topic_document_frequencies,
    topic_keywords,
    topic_phrases,
)
from models.placement import TopicModel
from models.tables import ANDET_LABEL, TOPIC_COLUMNS, TopicRun, assignment_table, representatives, topic_table
from transforms.text import clean_text, detect_language, noun_likeness, proper_nouns, remembered_analyses, words

# TopicRun, ANDET_LABEL, TOPIC_COLUMNS and representatives live in models.tables (placement builds the same tables)
__all__ = ["ANDET_LABEL", "TOPIC_COLUMNS", "TopicRun", "analyse", "representatives"]

MIN_TOPIC_SIZE = 3  # a topic must be able to show three representative ideas; smaller clusters go to "Andet"
# The label of a topic most of whose ideas are in another language than the consultation's, when its own-language
# ideas share no word: a label in the report's language that says what the topic holds, rather than one made of a
# single idea's words ("Fremtiden · houses") or of English words.
OTHER_LANGUAGE_LABEL = {("da", "en"): "Idéer på engelsk", ("en", "da"): "Ideas in Danish"}
PHRASE_SAMPLE = 1_000  # ideas per topic read for label phrases (models.labels.idea_phrases): bounded at any n
LIKENESS_SAMPLE = 10_000  # ideas read for the words' roles (noun or not): enough for label statistics, bounded at any n


@remembered_analyses()  # each text is tokenised once, though the clustering reads it several times
def analyse(
    ideas: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    *,
    language: str = "da",
    themes: list[dict] | None = None,
    k: int | None = None,
    random_state: int = 0,
    backend: str = "tfidf",
    embeddings_model_path: str | None = None,
) -> TopicRun:
    """Cluster ``ideas`` (idea_id, text, author_key, like_count) into topics; topic 0 is "Andet".

    ``previous`` (idea_id, topic_id, label) is the last run: topics that are still there keep their ids (see
    ``models.identity.match_topics``), new ones get higher ids, and the clustering is warm-started from it.
    ``k`` fixes the number of clusters (seed themes included); by default it is chosen automatically
    (``models.cluster.choose_k``). ``themes`` (``[{"label": ..., "seeds": [...]}]``) are the planners' seed
    themes: ideas with a seed word (after the same stemming and compound splitting) land in the theme, so do ideas
    nearer to it than to any free topic; the theme keeps its label, and its id for as long as the label stays in
    the configuration (``models.identity.theme_ids``). Free topics are found next to them. ``backend`` is
    ``"tfidf"`` (scikit-learn only, the default) or ``"embeddings"`` (sentence embeddings from the local model at
    ``embeddings_model_path``, by default the packaged all-MiniLM-L6-v2, beside the TF-IDF/LSA vectors) or
    ``"multilingual"`` (multilingual-e5-small embeddings alone; the best on Danish); see ``models.embeddings`` and
    ``models.cluster``.
    """
    ideas = ideas.reset_index(drop=True)
    themes = [t for t in themes or [] if t.get("label") and t.get("seeds")]
    texts = ideas["text"].fillna("").astype(str).tolist()
    pairs = [words(t, language) for t in texts]
    prev_topics = _previous_series(previous)
    prev_labels = _previous_labels(previous)
    fixed = theme_ids([t["label"] for t in themes], prev_labels)
    theme_prev = {i for i, label in prev_labels.items() if label in fixed}
    free_prev = prev_topics[~prev_topics.isin(theme_prev)]
    theme_index = {fixed[t["label"]]: i for i, t in enumerate(themes)}
    prev_theme = prev_topics[prev_topics.isin(list(theme_index))].map(theme_index)
    model = TopicClusterer(
        language=language, k=k, random_state=random_state, backend=backend, embeddings_model_path=embeddings_model_path
    )
    labels, scores, params = _cluster(model, texts, pairs, free_prev, ideas["idea_id"], themes, prev_theme)
    fitted = hasattr(model, "cluster_centers_")
    into_theme = _free_topics_of_themes(model, themes) if fitted else {}
    for free, theme in into_theme.items():  # the theme's label and id rather than a made-up label beside it
        labels[labels == free] = theme
    params["free_topics_into_themes"] = len(into_theme)

    current = pd.Series(labels, index=ideas["idea_id"].to_numpy())
    theme_of = {c + 1: fixed[t["label"]] for c, t in enumerate(themes)}
    free = current[~current.isin(list(theme_of))]
    mapping = {**match_topics(free_prev, free, reserved=[*prev_labels, *fixed.values()]), **theme_of}
    topic_ids = np.array([mapping[c] for c in labels], dtype=np.int64)
    assignments = assignment_table(ideas["idea_id"], topic_ids, scores)
    names = {fixed[t["label"]]: t["label"] for t in themes}
    topics = _topics(ideas, pairs, topic_ids, assignments, prev_topics, names, language)
    params.update(language=language, random_state=random_state, n_ideas=len(ideas), n_topics=int(len(topics)))
    params["themes"] = {t["label"]: fixed[t["label"]] for t in themes}
    placement = None
    if fitted:
        topic_of_cluster = np.array([mapping.get(into_theme.get(c + 1, c + 1), ANDET) for c in range(model.k_)],
                                    dtype=np.int64)
        placement = TopicModel.from_fit(model, topic_of_cluster, params, themes, topics)
    return TopicRun(assignments=assignments, topics=topics, params=params, model=placement)


def _free_topics_of_themes(model: TopicClusterer, themes: list[dict]) -> dict[int, int]:
    """{free cluster label: theme cluster label} (labels as ``_cluster`` numbers them, 1.. for themes) of the free
    topics whose centre matches a theme (``models.cluster.themes_of_topics``); with the tfidf backend the theme's
    text is placed in the LSA space."""
    if not themes or model.theme_margin is None:
        return {}
    vectors = getattr(model, "theme_vectors_", None)
    if vectors is None:
        vectors = model.transform([theme_text(t["label"], t["seeds"]) for t in themes])
    found = themes_of_topics(model.cluster_centers_, vectors, len(themes), model.theme_margin)
    return {c + 1: t + 1 for c, t in found.items()}


def _previous_series(previous: pd.DataFrame | None) -> pd.Series:
    if previous is None or len(previous) == 0:
        return pd.Series([], dtype=np.int64)
    return pd.Series(previous["topic_id"].astype(np.int64).to_numpy(), index=previous["idea_id"].to_numpy())


def _previous_labels(previous: pd.DataFrame | None) -> dict[int, str]:
    if previous is None or len(previous) == 0 or "label" not in previous:
        return {}
    first = previous.drop_duplicates("topic_id")
    return dict(zip(first["topic_id"].astype(np.int64).tolist(), first["label"].astype(str), strict=True))


def _cluster(
    model: TopicClusterer, texts, pairs, prev_topics, idea_ids, themes, prev_theme=None
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Cluster labels (0 = Andet, 1..len(themes) the seed themes, then free topics) and similarity to the centroid."""
    n = len(texts)
    labels, scores = np.zeros(n, dtype=np.int64), np.zeros(n)
    has_words = np.array([bool(p) for p in pairs], dtype=bool)
    idx = np.flatnonzero(has_words)
    k = model.k
    params: dict = {"backend": backends.get(model.backend).method, "k_requested": k}
    if len(idx) < 2 or (len(idx) < 2 * MIN_TOPIC_SIZE and not themes):  # too few ideas to cluster: one topic
        labels[idx], scores[idx] = 1, 1.0
        params.update(k=int(len(idx) > 0), criterion="too few ideas to cluster")
        return labels, scores, params
    init = None
    if len(prev_topics):
        init = pd.Series(idea_ids.to_numpy()[idx]).map(prev_topics).fillna(-1).astype(np.int64)
        init = init.where(init != ANDET, -1).to_numpy()
    init_themes = None
    if prev_theme is not None and len(prev_theme):
        init_themes = pd.Series(idea_ids.to_numpy()[idx]).map(prev_theme).fillna(-1).astype(np.int64).to_numpy()
    model.fit([texts[i] for i in idx], init_labels=init, seeds=[t["seeds"] for t in themes], init_themes=init_themes,
              theme_labels=[t["label"] for t in themes])
    sim = model.similarity_
    fence = model.similarity_fence()  # Tukey's lower fence: ideas unusually far from their centroid go to "Andet"
    cluster = model.labels_ + 1
    # an idea naming a seed word stays in its theme; one that still fits its previous topic stays there
    cluster[(sim < fence) & (model.anchors_ < 0) & ~model.stuck_] = ANDET
    sizes = pd.Series(cluster).value_counts()
    small = sizes[(sizes < MIN_TOPIC_SIZE) & (sizes.index > len(themes))].index.to_numpy()  # themes are kept
    cluster[np.isin(cluster, small)] = ANDET
    labels[idx], scores[idx] = cluster, sim
    params.update(
        k=int(model.k_),
        criterion=model.k_criterion(),
        n_anchored=int((model.anchors_ >= 0).sum()),
        n_anchored_by_words=int((model.word_anchors_ >= 0).sum()),
        silhouette={int(key): round(v, 4) for key, v in model.silhouette_.items()},
        andet_similarity_below=round(float(fence), 4),
        n_components=int(model.cluster_centers_.shape[1]),
        n_neighbors=model.n_neighbors,
        warm_start=init is not None,
    )
    return labels, scores, params


def _topics(ideas, pairs, topic_ids, assignments, prev_topics, names, language: str = "da") -> pd.DataFrame:
    ids = sorted(set(topic_ids.tolist()))
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TOPIC_COLUMNS})
    langs = _languages(ideas["text"], language)
    pairs = [p if lang == language else [] for p, lang in zip(pairs, langs, strict=True)]
    tokens = [[stem for _, stem in p] for p in pairs]
    classes, terms, weights = class_tfidf(tokens, topic_ids.tolist())
    surface = surface_forms(pairs, topic_ids.tolist())
    everywhere = {stem: word for by_stem in surface.values() for stem, word in by_stem.items()}
    df = topic_document_frequencies(tokens, topic_ids.tolist())
    weights[:, np.isin(terms, list(spread_stems(tokens, topic_ids.tolist(), df=df)))] = 0.0
    sample = _sample(ideas["text"], LIKENESS_SAMPLE)
    likeness = noun_likeness(sample)
    filler = filler_stems(language, lambda w: [stem for _, stem in words(w, language)] or [w])
    never = [likeness.get(str(t)) == 0.0 or str(t) in filler for t in terms]
    weights[:, np.array(never, dtype=bool)] = 0.0  # never a name or keyword
    shared = shared_terms(classes, terms, df)
    worded = dict(zip(classes, (shared & (weights > 0)).any(axis=1).tolist(), strict=True))
    any_idea = weights.copy()  # a topic whose shared words are all verbs is named by one idea's noun instead
    weights = only_shared(weights, shared)
    proper = proper_nouns(sample)
    surface = {c: {stem: _cased(w, proper) for stem, w in by_stem.items()} for c, by_stem in surface.items()}
    everywhere = {stem: _cased(w, proper) for stem, w in everywhere.items()}
    keywords = {c: topic_keywords(terms, weights[i], surface.get(c, {}), everywhere) for i, c in enumerate(classes)}
    for_label = label_weights(terms, weights, likeness)
    lists = label_word_lists()
    edge, modifier = lists.get(("edge", language), frozenset()), lists.get(("modifier", language), frozenset())
    alone = edge | modifier
    ranked = {}
    for i, c in enumerate(classes):  # a verb, adverb or general adjective never names a topic alone
        words_ = ranked_words(terms, for_label[i], surface.get(c, {}), everywhere, n=12)
        ranked[c] = _lead_first([(w, x) for w, x in words_ if w.lower() not in edge][:8], modifier, proper)
        if not ranked[c]:
            single = ranked_words(terms, label_weights(terms, any_idea[i], likeness), surface.get(c, {}), everywhere,
                                  n=12)
            ranked[c] = [(w, x) for w, x in single if w.lower() not in alone][:1] or words_[:8]
    candidates = {c: [w for w, _ in r] for c, r in ranked.items()}
    sizes = {c: label_size(r) for c, r in ranked.items()}
    read = _phrase_sample(topic_ids, PHRASE_SAMPLE)
    texts_ = ideas["text"].fillna("").astype(str)
    phrases = topic_phrases([idea_phrases(clean_text(texts_.iloc[k]), pairs[k], language) if read[k] and pairs[k]
                             else {} for k in range(len(pairs))], topic_ids.tolist())
    holders: dict[int, dict[str, set[int]]] = {c: {} for c in classes}
    for k in np.flatnonzero(read):
        for stem in set(tokens[k]):
            holders[int(topic_ids[k])].setdefault(stem, set()).add(int(k))
    for i, c in enumerate(classes):
        row = {str(terms[j]): float(for_label[i, j]) for j in np.flatnonzero(for_label[i] > 0)}
        stem_of = {w.lower(): stem for stem, w in {**everywhere, **surface.get(c, {})}.items()}
        heads = [stem_of[w.lower()] for w in candidates[c][:2] if w.lower() in stem_of]
        found = {key: v for key, v in phrases.get(c, {}).items() if v[1][0] not in proper}  # "Sorring cykelsti"
        best = _best_phrase(found, row, holders[c], heads, [x for _, x in ranked[c][:2]])
        if best is not None:
            phrase = " ".join(_cased(w, proper) for w in best[0])
            candidates[c] = [phrase, *(w for w in candidates[c] if w.lower() not in best[0])]
            sizes[c] = 1
    names = {**_other_language_names(ids, topic_ids, langs, language, worded), **names}
    labels, label_words = _unique_labels(ids, candidates, names, sizes)
    label_words = {t: [w for part in ws for w in part.split() if w.lower() not in alone | _links(language)]
                   for t, ws in label_words.items()}  # a phrase's nouns lead the keywords, not "til" or "store"
    keywords = {t: label_first(label_words.get(t, []), keywords.get(t, [])) for t in ids}
    return topic_table(ideas, topic_ids, assignments, prev_topics, labels,
                       {t: "; ".join(keywords.get(t, [])) for t in ids})


def _languages(texts: pd.Series, language: str) -> list[str]:
    """Each idea's language. Labels and keywords are made of the words of the ideas in the consultation's language
    only: a Danish report's labels are Danish, though English comments count in their topics."""
    return [detect_language(clean_text(t).lower().split(), language) for t in texts.fillna("").astype(str)]


def _other_language_names(ids: list[int], topic_ids: np.ndarray, langs: list[str], language: str,
                          worded: dict[int, bool]) -> dict[int, str]:
    """Topics most of whose ideas are in one other language, and whose ideas in the consultation's language share no
    word (``worded``: per topic, whether some label word is in two or more of them): :data:`OTHER_LANGUAGE_LABEL`.
    On every backend; the tfidf backend groups English comments apart, the multilingual one rarely does."""
    out: dict[int, str] = {}
    frame = pd.DataFrame({"topic": topic_ids, "lang": langs})
    for t in ids:
        if t == ANDET or worded.get(t, False):
            continue
        counts = frame.loc[frame["topic"] == t, "lang"].value_counts()
        other = [(n, lang) for lang, n in counts.items() if lang != language]
        n, lang = max(other, default=(0, ""))
        if 2 * n > counts.sum() and (language, lang) in OTHER_LANGUAGE_LABEL:
            label = OTHER_LANGUAGE_LABEL[(language, lang)]
            out[t] = f"{label} ({t})" if label in out.values() else label
    return out


def _best_phrase(found, weight, holders, heads, shown) -> tuple[tuple[str, ...], float] | None:
    """The label phrase of a topic (``models.labels.phrase_label``): one around its best word that scores at least as
    much as that word (``shown``: the weights of its first two label words), else one around its second word that
    scores as much as the two words together ("Vilde blomster" for "Bede · blomster"), else None."""
    if not heads or not shown:
        return None
    best = phrase_label(found, weight, holders, heads[:1])
    if best is not None and best[1] >= shown[0]:
        return best
    best = phrase_label(found, weight, holders, heads[1:], base=heads[0])
    return best if best is not None and best[1] >= sum(shown) else None


def _phrase_sample(topic_ids: np.ndarray, n: int) -> np.ndarray:
    """Boolean mask: at most ``n`` ideas of each topic (its first ones, in input order), read for label phrases."""
    seen: dict[int, int] = {}
    mask = np.zeros(len(topic_ids), dtype=bool)
    for k, t in enumerate(topic_ids.tolist()):
        seen[t] = seen.get(t, 0) + 1
        mask[k] = seen[t] <= n
    return mask


def _lead_first(ranked: list[tuple[str, float]], modifier: frozenset[str], proper: set[str]) -> list[tuple[str, float]]:
    """``ranked`` label words with the best word that can lead a label in front: not a general adjective (those only
    follow: "Søen · udendørs"), and not a name when there is another word (a place is what a topic is near, not what
    it is about: "Cykelsti · Sorring", not "Sorring · cykelsti"). Empty when every word is an adjective."""
    leads = [k for k, (w, _) in enumerate(ranked) if w.lower() not in modifier]
    if not leads:
        return []
    lead = next((k for k in leads if ranked[k][0].lower() not in proper), leads[0])
    return [ranked[lead], *ranked[:lead], *ranked[lead + 1 :]]


def _links(language: str) -> frozenset[str]:
    return LINK_WORDS.get(language, frozenset())


def _cased(word: str, proper: set[str]) -> str:
    return word[:1].upper() + word[1:] if word in proper else word


def _sample(texts: pd.Series, n: int) -> list[str]:
    """At most ``n`` of ``texts``, evenly spaced (deterministic), as strings; only the sample is converted."""
    if len(texts) > n:
        texts = texts.iloc[np.linspace(0, len(texts) - 1, n).astype(int)]
    return texts.fillna("").astype(str).tolist()


def _unique_labels(
    ids: list[int], candidates: dict[int, list[str]], names: dict[int, str], sizes: dict[int, int] | None = None
) -> tuple[dict[int, str], dict[int, list[str]]]:
    """Seed themes keep their label; others get their first ``sizes[t]`` candidate words (1 or 2, see
    ``models.labels.label_size``; 2 when not given), or more when another topic has the same label.

    Returns the labels and, per free topic, the words its label uses."""
    labels: dict[int, str] = {ANDET: ANDET_LABEL, **names}
    used: dict[int, list[str]] = {}
    seen: set[str] = {ANDET_LABEL, *names.values()}
    for t in ids:
        if t in labels:
            continue
        kw = candidates.get(t, [])
        n = max(1, (sizes or {}).get(t, 2))
        label = readable_label(kw, n)
        while label in seen and n < len(kw):
            n += 1
            label = readable_label(kw, n)
        used[t] = kw[:n]
        if label in seen:
            label = f"{label} ({t})"
        labels[t], _ = label, seen.add(label)
    return labels, used
