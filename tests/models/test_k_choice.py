"""Automatic k of the multilingual backend: the silhouette in the clustering space, held against a shuffled copy of
it (``models.cluster.choose_k(reference=True)``, ``shuffled_copy``), over up to 2 sqrt(n / 2) candidates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import normalize

from models.cluster import choose_k, shuffled_copy
from models.topics import analyse
from tests.models.test_crosslingual import DANISH

MORE_DANISH = {  # written for this test: four more subjects beside test_crosslingual's four
    "legeplads": [
        "En ny legeplads med gynger i midtbyen", "Legepladsen ved skolen trænger til nye klatrestativer",
        "Lav en legeplads for de mindste med sandkasse", "Skygge og bænke på legepladsen til forældrene",
        "Legepladsen i parken er slidt, giv den nye redskaber", "En naturlegeplads med træstammer og vand",
        "Hegn om legepladsen så børnene ikke løber ud på vejen", "Et legehus og en rutsjebane på legepladsen",
    ],
    "affald": [
        "Flere skraldespande på gågaden", "Skraldespandene i parken bliver aldrig tømt",
        "Sortering af affald i byens skraldespande", "Genbrugsstationen skal have længere åbent",
        "Der ligger affald overalt efter weekenden", "Pantcontainere ved sportspladsen",
        "Tøm skraldespandene oftere om sommeren", "Affaldsindsamling med skolerne en gang om året",
    ],
    "svoemmehal": [
        "Svømmehallen skal have længere åbningstider", "Et varmtvandsbassin i svømmehallen til ældre",
        "Billigere billetter til svømmehallen for familier", "Svømmehallen mangler en vandrutsjebane",
        "Morgensvømning i svømmehallen før arbejde", "Svømmeundervisning for voksne i svømmehallen",
        "Renover omklædningsrummene i svømmehallen", "En udendørs svømmepøl ved svømmehallen om sommeren",
    ],
    "traeer": [
        "Plant flere træer langs hovedgaden", "Fæld ikke de gamle bøgetræer i parken",
        "Frugttræer på de grønne arealer som alle kan plukke af", "En lille skov med egetræer ved boligområdet",
        "Træer på torvet så der kommer skygge", "Plant et træ for hvert nyfødt barn i kommunen",
        "Alléen af lindetræer skal bevares", "Flere blomstrende træer til bierne",
    ],
}


def blobs(k: int, per: int, dim: int = 40, spread: float = 0.35, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``k`` groups of ``per`` unit-length rows around random directions."""
    rng = np.random.default_rng(seed)
    centres = normalize(rng.normal(size=(k, dim)))
    labels = np.repeat(np.arange(k), per)
    return normalize(centres[labels] + spread * 4 * rng.normal(size=(len(labels), dim)) / np.sqrt(dim)), labels


def test_shuffled_copy_keeps_the_spread_and_loses_the_groups() -> None:
    Z, labels = blobs(5, 40)
    S = shuffled_copy(Z, random_state=0)
    assert S.shape == Z.shape
    assert np.allclose(np.linalg.norm(S, axis=1), 1.0)
    assert np.array_equal(S, shuffled_copy(Z, random_state=0))  # deterministic for a random_state
    assert np.linalg.norm(S - S.mean(0)) == pytest.approx(np.linalg.norm(Z - Z.mean(0)), rel=0.25)

    def within_minus_between(V: np.ndarray) -> float:
        C = V @ V.T
        same = labels[:, None] == labels[None, :]
        return float(C[same].mean() - C[~same].mean())

    assert within_minus_between(Z) > 0.3
    assert abs(within_minus_between(S)) < 0.05


@pytest.mark.parametrize(("k", "per"), [(5, 60), (8, 10), (4, 25)])
def test_reference_finds_the_groups_in_a_wide_range(k: int, per: int) -> None:
    """Up to 2 sqrt(n / 2) candidates (what the multilingual backend searches), the true k comes out."""
    Z, _ = blobs(k, per, seed=k)
    k_max = min(len(Z) - 1, round(2 * np.sqrt(len(Z) / 2)))
    chosen, scores = choose_k(Z, range(2, k_max + 1), reference=True)
    assert chosen == k
    assert set(scores) == set(range(2, k_max + 1))


def test_reference_is_deterministic_and_the_fast_path_agrees() -> None:
    Z, _ = blobs(6, 30, seed=1)
    first = choose_k(Z, range(2, 12), random_state=4, reference=True)
    assert choose_k(Z, range(2, 12), random_state=4, reference=True) == first
    assert choose_k(Z, range(2, 12), random_state=4, reference=True, fast=True)[0] == first[0] == 6


def _ideas() -> pd.DataFrame:
    rows = [(subject, text) for data in (DANISH, MORE_DANISH) for subject, texts in data.items() for text in texts]
    return pd.DataFrame({"idea_id": [f"i{i}" for i in range(len(rows))], "text": [r[1] for r in rows],
                         "author_key": [f"a{i}" for i in range(len(rows))], "like_count": 0,
                         "subject": [r[0] for r in rows]})


def test_multilingual_auto_k_finds_more_subjects_than_sqrt_n_over_2() -> None:
    """72 Danish ideas on 8 subjects: the former ceiling round(sqrt(n / 2)) = 6 could not give 8 topics."""
    ideas = _ideas()
    run = analyse(ideas, language="da", backend="multilingual")
    assert max(run.params["silhouette"]) > round(np.sqrt(len(ideas) / 2))
    assert 7 <= run.params["k"] <= 12
    nmi = normalized_mutual_info_score(ideas["subject"], run.assignments["topic_id"])
    assert nmi > 0.75
    again = analyse(ideas, language="da", backend="multilingual")
    assert again.params["k"] == run.params["k"]
    assert again.assignments["topic_id"].tolist() == run.assignments["topic_id"].tolist()


def test_multilingual_auto_k_stops_at_20_topics_on_many_ideas() -> None:
    """384 ideas (8 subjects x 8 texts x 6 openings): 2 sqrt(n / 2) = 28, but the search stops at 20 topics (800
    news sentences on 7 subjects were split into 34-40 without the ceiling)."""
    base = _ideas()
    openings = ["", "Jeg foreslår: ", "Idé: ", "Vi ønsker os: ", "Forslag: ", "Borgerønske: "]
    ideas = pd.concat([base.assign(text=opening + base["text"]) for opening in openings], ignore_index=True)
    ideas["idea_id"] = [f"i{i}" for i in range(len(ideas))]
    ideas["author_key"] = ideas["idea_id"]
    assert round(2 * np.sqrt(len(ideas) / 2)) > 20
    run = analyse(ideas, language="da", backend="multilingual")
    assert max(run.params["silhouette"]) == 20
    assert 2 <= run.params["k"] <= 20
    assert "shuffled copy" in run.params["criterion"] and "<= 20" in run.params["criterion"]
    nmi = normalized_mutual_info_score(ideas["subject"], run.assignments["topic_id"])
    assert nmi > 0.6


def test_the_criterion_names_the_space_k_was_chosen_in() -> None:
    ideas = _ideas()
    tfidf = analyse(ideas, language="da", backend="tfidf")
    assert "LSA" in tfidf.params["criterion"] and "spectral" not in tfidf.params["criterion"]
    assert analyse(ideas, language="da", backend="tfidf", k=8).params["criterion"] == "given"
