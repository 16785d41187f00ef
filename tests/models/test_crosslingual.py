"""English comments in a Danish consultation: with the multilingual backend they join the topic of their subject,
and the labels stay Danish. The data set is written for this test: 40 Danish and 10 English ideas on 4 subjects."""

from __future__ import annotations

import pandas as pd
import pytest

from models.topics import analyse

DANISH = {
    "cykel": [
        "Lav en cykelsti langs landevejen til Sorring", "Vi mangler en sikker cykelsti mellem byerne",
        "Cykelstien til skolen skal have lys om vinteren", "Flere cykelparkeringer ved stationen tak",
        "Byg en rigtig cykelsti så børnene kan cykle selv", "Cykelstien er alt for smal, gør den bredere",
        "Sæt cykelpumper op ved cykelstien", "En supercykelsti til Aarhus ville være fantastisk",
        "Mal cykelbanerne røde i krydset", "Fjern hullerne på cykelstien ved åen",
    ],
    "hund": [
        "Vi ønsker en hundeskov med hegn", "Lav en indhegnet hundeskov i parken",
        "Flere skraldespande til hundeposer i hundeskoven", "Hundeskoven skal have vand til hundene",
        "En hundeskov hvor hunde kan løbe frit uden snor", "Sæt bænke i hundeskoven til os ejere",
        "Hundeposer ved alle indgange til hundeskoven", "Større hundeskov med plads til store hunde",
        "Del hundeskoven i en til små og en til store hunde", "Lys i hundeskoven om aftenen",
    ],
    "bibliotek": [
        "Længere åbningstider på biblioteket i weekenden", "Biblioteket skal være åbent om søndagen",
        "Flere studiepladser på biblioteket til eksamenslæsning", "Stille læsesal på biblioteket",
        "Lektiecafé på biblioteket for børn", "Biblioteket bør låne brætspil ud",
        "Flere bøger på arabisk og ukrainsk på biblioteket", "Selvbetjent bibliotek om aftenen",
        "Forfatteraftener på biblioteket", "Et hyggeligt læsehjørne for børn på biblioteket",
    ],
    "bus": [
        "Bussen til Silkeborg skal køre hver halve time", "Flere busafgange om aftenen",
        "En busforbindelse til landsbyerne i weekenden", "Billigere buskort for unge",
        "Busstoppestedet skal have et læskur", "Bussen skal køre til stationen hele natten",
        "Flextur skal være billigere for ældre", "Ret køreplanen så bussen passer med toget",
        "Busruten skal gå forbi skolen", "Natbus fra byen i weekenden",
    ],
}
ENGLISH = {
    "cykel": ["Please build a safe bike lane to Sorring", "We need a cycle path between the villages",
              "Wider bike paths with lights for the kids"],
    "hund": ["A fenced dog park would be great", "Give the dogs a place to run off leash"],
    "bibliotek": ["Longer library opening hours on weekends", "More quiet study places in the library"],
    "bus": ["The bus should run every half hour", "More evening bus departures to town please",
            "A bus connection to the villages at the weekend"],
}


def _ideas() -> pd.DataFrame:
    rows = [(subject, text, "da") for subject, texts in DANISH.items() for text in texts]
    rows += [(subject, text, "en") for subject, texts in ENGLISH.items() for text in texts]
    return pd.DataFrame({"idea_id": [f"i{i}" for i in range(len(rows))], "text": [r[1] for r in rows],
                         "author_key": [f"a{i}" for i in range(len(rows))], "like_count": 0,
                         "subject": [r[0] for r in rows], "lang": [r[2] for r in rows]})


@pytest.fixture(scope="module")
def run_and_ideas():
    ideas = _ideas()
    return analyse(ideas, language="da", backend="multilingual"), ideas


def test_english_ideas_join_the_topic_of_their_subject(run_and_ideas) -> None:
    run, ideas = run_and_ideas
    topic = ideas.merge(run.assignments, on="idea_id")
    home = topic[topic["lang"] == "da"].groupby("subject")["topic_id"].agg(lambda s: s.mode()[0])
    assert home.nunique() == 4 and 0 not in set(home)
    english = topic[topic["lang"] == "en"]
    landed = (english["topic_id"].to_numpy() == english["subject"].map(home).to_numpy()).mean()
    assert landed >= 0.8, english[["text", "topic_id", "subject"]]


def test_labels_and_keywords_are_in_the_consultations_language(run_and_ideas) -> None:
    run, ideas = run_and_ideas
    english_words = {w.lower() for t in ideas.loc[ideas["lang"] == "en", "text"] for w in t.split()}
    danish_words = {w.lower() for t in ideas.loc[ideas["lang"] == "da", "text"] for w in t.split()}
    only_english = english_words - danish_words
    for label, keywords in zip(run.topics["label"], run.topics["keywords"], strict=True):
        shown = {w.lower() for w in label.replace("·", " ").split()} | {k.lower() for k in keywords.split("; ")}
        assert not shown & only_english, (label, keywords)


def test_a_planner_theme_anchors_ideas_that_name_none_of_its_seed_words() -> None:
    """The theme's label and seeds are embedded: ideas clearly about it join it without a seed word (zero-shot),
    the English ones too."""
    ideas = _ideas()
    themes = [{"label": "Hunde og hundeluftning", "seeds": ["hundeposer"]},
              {"label": "Busser og kollektiv trafik", "seeds": ["bus"]}]
    run = analyse(ideas, language="da", backend="multilingual", themes=themes)
    assert run.params["n_anchored"] > run.params["n_anchored_by_words"]
    topic = ideas.merge(run.assignments, on="idea_id").set_index("idea_id")["topic_id"]
    dogs = ideas[(ideas["subject"] == "hund") & ~ideas["text"].str.lower().str.contains("hundeposer")]
    assert len(dogs) >= 3
    assert (topic[dogs["idea_id"]] == run.params["themes"]["Hunde og hundeluftning"]).mean() >= 0.8
    labels = dict(zip(run.topics["topic_id"], run.topics["label"], strict=True))
    assert labels[run.params["themes"]["Busser og kollektiv trafik"]] == "Busser og kollektiv trafik"


def test_the_manifold_clustering_is_deterministic_and_keeps_ids_after_five_percent_more_ideas() -> None:
    ideas = _ideas()
    base = ideas.drop(index=[5, 25])  # +2 ideas = +4%
    first = analyse(base, language="da", backend="multilingual")
    again = analyse(base, language="da", backend="multilingual")
    assert "spectral" in first.params["backend"]
    pd.testing.assert_frame_equal(first.assignments, again.assignments)
    assert first.topics["label"].tolist() == again.topics["label"].tolist()
    previous = first.assignments.merge(first.topics[["topic_id", "label"]], on="topic_id")
    second = analyse(ideas, previous[["idea_id", "topic_id", "label"]], language="da", backend="multilingual")
    kept = previous.merge(second.assignments, on="idea_id", suffixes=("_old", "_new"))
    assert (kept["topic_id_old"] == kept["topic_id_new"]).mean() >= 0.95
