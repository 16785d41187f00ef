"""models.placement: new ideas placed in a stored model's topics, as a refit would place them."""

from __future__ import annotations

import pandas as pd
from test_topics import THEMES, make_ideas

from models.identity import ANDET
from models.placement import TopicModel, fingerprint, place, placeable, text_hashes
from models.topics import analyse

SALT = b"placement-test-salt"


def _previous(run) -> pd.DataFrame:
    return run.assignments.merge(run.topics[["topic_id", "label"]], on="topic_id")


def test_new_ideas_go_to_the_topic_of_their_theme_and_old_ones_stay() -> None:
    ideas = make_ideas(THEMES)
    run = analyse(ideas)
    model = TopicModel.from_bytes(run.model.to_bytes(SALT), SALT)  # as stored in the warehouse and read back
    new = pd.DataFrame({"idea_id": ["n1", "n2", "n3"], "author_key": ["x", "y", "z"], "like_count": [2, 0, 1],
                        "text": ["Vi mangler en hundeskov med vand", "Forslag: flere cykelstier med lys",
                                 "asdfgh qwerty zxcvb"]})
    both = pd.concat([ideas, new], ignore_index=True)
    placed = place(both, _previous(run), model, text_hashes(ideas))
    topic_of = dict(zip(placed.assignments["idea_id"], placed.assignments["topic_id"], strict=True))
    first = dict(zip(run.assignments["idea_id"], run.assignments["topic_id"], strict=True))
    assert all(topic_of[i] == t for i, t in first.items())
    dog = ideas.loc[ideas["theme"] == "hund", "idea_id"].map(first).mode()[0]
    bike = ideas.loc[ideas["theme"] == "cykel", "idea_id"].map(first).mode()[0]
    assert topic_of["n1"] == dog and topic_of["n2"] == bike
    assert topic_of["n3"] == ANDET  # words the model never saw: far from every topic
    sizes = placed.topics.set_index("topic_id")["n_ideas"]
    assert sizes.sum() == len(both) and sizes[dog] == (run.topics.set_index("topic_id")["n_ideas"][dog] + 1)
    assert placed.topics.set_index("topic_id")["label"][dog] == run.topics.set_index("topic_id")["label"][dog]
    assert placed.params["mode"] == "placement" and placed.params["n_new_or_edited"] == 3


def test_an_edited_idea_is_placed_again() -> None:
    ideas = make_ideas(THEMES)
    run = analyse(ideas)
    first = dict(zip(run.assignments["idea_id"], run.assignments["topic_id"], strict=True))
    dog = ideas.loc[ideas["theme"] == "hund", "idea_id"].map(first).mode()[0]
    bike_idea = ideas.loc[ideas["theme"] == "cykel", "idea_id"].iloc[0]
    edited = ideas.copy()
    edited.loc[edited["idea_id"] == bike_idea, "text"] = "Vi mangler en hundeskov med hegn og vand til hundene"
    placed = place(edited, _previous(run), run.model, text_hashes(ideas))
    assert placed.assignments.set_index("idea_id")["topic_id"][bike_idea] == dog
    assert placed.params["n_new_or_edited"] == 1


def test_a_seed_word_pins_a_new_idea_to_its_theme() -> None:
    ideas = make_ideas(THEMES)
    themes = [{"label": "Hunde", "seeds": ["hund"]}]
    run = analyse(ideas, themes=themes)
    theme_id = run.params["themes"]["Hunde"]
    new = pd.DataFrame({"idea_id": ["n1"], "author_key": ["x"], "like_count": [0],
                        "text": ["Hundene skal have mere plads ved legepladsen"]})
    placed = place(pd.concat([ideas, new], ignore_index=True), _previous(run), run.model, text_hashes(ideas))
    assert placed.assignments.set_index("idea_id")["topic_id"]["n1"] == theme_id


def test_placement_is_for_few_changes_and_the_same_settings() -> None:
    ideas = make_ideas(THEMES)
    fit = text_hashes(ideas)
    assert placeable(fit, fit)
    assert not placeable(text_hashes(ideas.iloc[1:]), fit)  # an idea of the fit is gone (deleted): refit
    more = pd.concat([ideas, ideas.assign(idea_id=ideas["idea_id"] + "b").iloc[:6]], ignore_index=True)
    assert placeable(text_hashes(more), fit)  # 6 new of 120: 5%
    assert not placeable(text_hashes(pd.concat([more, more.iloc[-1:].assign(idea_id="x")])), fit)
    assert not placeable(fit, None)
    assert fingerprint("da", "tfidf", None, None) != fingerprint("da", "tfidf", None, [{"label": "a", "seeds": ["b"]}])
    assert fingerprint("da", "tfidf", None, None) != fingerprint("en", "tfidf", None, None)


def test_the_stored_model_holds_no_idea_text_and_no_word_seen_once() -> None:
    ideas = make_ideas(THEMES)
    ideas.loc[0, "text"] = "Jeg ønsker flere cykelstier, skriver Jensinemarie fra Ørnebjergvej"
    blob = analyse(ideas).model.to_bytes(SALT)
    assert not any(text.encode("utf-8") in blob for text in ideas["text"])
    for rare in ("jensinemari", "ørnebjergvej", "ornebjergvej"):
        assert rare.encode("utf-8") not in blob
    assert len(blob) < 2_000_000


def test_a_multilingual_model_places_new_ideas_after_a_round_trip() -> None:
    """The multilingual backend's stored model keeps the fit's mean vector, so new ideas are centred as the fit was."""
    ideas = make_ideas(THEMES)
    run = analyse(ideas, backend="multilingual")
    model = TopicModel.from_bytes(run.model.to_bytes(SALT), SALT)
    new = pd.DataFrame({"idea_id": ["n1", "n2"], "author_key": ["x", "y"], "like_count": [0, 0],
                        "text": ["Vi mangler en hundeskov med vand", "Forslag: flere cykelstier med lys"]})
    placed = place(pd.concat([ideas, new], ignore_index=True), _previous(run), model, text_hashes(ideas))
    first = dict(zip(run.assignments["idea_id"], run.assignments["topic_id"], strict=True))
    topic_of = dict(zip(placed.assignments["idea_id"], placed.assignments["topic_id"], strict=True))
    # each new idea lands in a topic of its subject's ideas (automatic k may split a subject into sub-topics)
    theme_topics = ideas.assign(topic=ideas["idea_id"].map(first)).groupby("theme")["topic"].agg(set)
    assert topic_of["n1"] in theme_topics["hund"] and topic_of["n2"] in theme_topics["cykel"]
    assert topic_of["n1"] not in set().union(*theme_topics.drop("hund"))
    assert topic_of["n2"] not in set().union(*theme_topics.drop("cykel"))
    assert model.clusterer.embedding_mean_.shape == (384,)
