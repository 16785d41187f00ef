"""Labels in the consultation's language on every backend, and example ideas that are typical and well supported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.cluster import themes_of_topics
from models.topics import OTHER_LANGUAGE_LABEL, analyse, representatives
from transforms.text import words

DANISH = [
    "Byg en cykelsti langs åen med god belysning om aftenen",
    "Cykelstien til skolen mangler lys og er farlig om vinteren",
    "Lav cykelsti fra landsbyen ind til byen så børnene kan cykle sikkert",
    "Bedre cykelsti og lys ved rundkørslen hvor mange cykler",
    "Cykelsti med belysning hele vejen til stationen tak",
    "En ny cykelsti langs hovedvejen ville gøre det sikkert",
    "Hundeskov med hegn i parken så hundene kan løbe frit",
    "Vi mangler en hundeskov med hegn og skraldespande",
    "Lav en indhegnet hundeskov ved skoven til alle hundeejere",
    "Hundeskov med bænke og vand til hundene i bydelen",
    "En stor hundeskov med hegn tæt på byen ville være dejligt",
    "Hundeskoven skal have hegn hele vejen rundt og lys",
]
# English comments on subjects of their own, and one Danish comment among them that borrows English words
ENGLISH = [
    "More frequent trains to Aarhus please, the current schedule makes commuting really hard",
    "International school please, we would stay if our kids could go to school in English",
    "More cultural events in English would be great for the international community",
    "Attract more international companies and make it easier for spouses to find jobs",
    "Kayak rental and more camping spots along the river, tourists love it",
    "Affordable housing for young people and internationals who work here",
    "tiny houses område! det er fremtiden",
]


def _ideas(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"idea_id": [f"i{n}" for n in range(len(texts))], "text": texts,
                         "author_key": [f"a{n}" for n in range(len(texts))], "like_count": 0})


def _danish_vocabulary() -> set[str]:
    return {form.lower() for text in DANISH + ENGLISH[-1:] for pair in words(text, "da") for form in pair}


@pytest.mark.parametrize("backend", ["tfidf", "multilingual"])
def test_labels_are_in_the_consultations_language_on_every_backend(backend: str) -> None:
    ideas = _ideas(DANISH + ENGLISH)
    run = analyse(ideas, language="da", backend=backend)
    english = {w.lower() for text in ENGLISH[:-1] for w, _ in words(text, "en")} - _danish_vocabulary()
    for label in run.topics["label"]:
        if label in ("Andet", OTHER_LANGUAGE_LABEL["da", "en"]):
            continue
        label_words = {w.strip("()").lower() for w in label.replace("·", " ").split()}
        assert not label_words & english, label
        assert "houses" not in label_words and "tiny" not in label_words, label  # one Danish idea's loanwords


def test_a_topic_of_english_comments_is_named_in_danish_on_tfidf() -> None:
    """tfidf groups the English comments apart; their topic is named in Danish, not after the one Danish comment
    among them ("Fremtiden · houses", as the demo showed)."""
    ideas = _ideas(DANISH + ENGLISH)
    run = analyse(ideas, language="da", backend="tfidf", k=3)
    topic_of = run.assignments.set_index("idea_id")["topic_id"]
    english_topics = topic_of[[f"i{len(DANISH) + n}" for n in range(len(ENGLISH) - 1)]].mode()
    label = run.topics.set_index("topic_id").loc[english_topics.iloc[0], "label"]
    assert label == "Idéer på engelsk"
    assert sum(run.topics["label"].str.startswith("Idéer på engelsk")) == 1
    assert run.topics["label"].str.contains("Cykelsti|Hundeskov", case=False).sum() == 2  # the Danish ones: theirs


def test_an_english_consultations_danish_topic_is_named_in_english() -> None:
    texts = [f"Please build a bike lane along the {p} with good lights" for p in ("river", "lake", "school", "road")]
    texts += [f"A dog park with a fence near the {p} would be great" for p in ("river", "lake", "school", "road")]
    texts += ["Byg en hundeskov ved søen og lav den stor", "Flere bænke i parken og ved søen tak",
              "Lav en cykelsti til skolen og til stationen", "Det er vigtigt med lys på stierne om vinteren",
              "Vi ønsker os flere træer og blomster i byen"]
    run = analyse(_ideas(texts), language="en", backend="tfidf")
    assert OTHER_LANGUAGE_LABEL["en", "da"] in set(run.topics["label"])


def _topic(scores: list[float], likes: list[int], authors: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"idea_id": [f"x{n}" for n in range(len(scores))], "score": scores, "like_count": likes,
                         "author_key": authors})


def test_examples_are_typical_and_well_supported_never_an_outlier() -> None:
    # ten ideas by score; the less central half is far more liked (x9 is an outlier), the centre itself has no like
    scores = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.1]
    likes = [0, 40, 3, 12, 0, 25, 1, 90, 80, 500]
    members = _topic(scores, likes, [f"a{n}" for n in range(10)])
    assert representatives(members, 3) == ["x1", "x3", "x2"]  # the most liked of the central half (x0..x4)
    assert representatives(members, 5) == ["x1", "x3", "x2", "x0", "x4"]  # ties: the more central first
    # a topic of 16: its central half is 8 ideas, so x5 (25 likes) is shown and x8, x9 still are not
    more = _topic(scores + [0.5] * 6, likes + [0] * 6, [f"a{n}" for n in range(16)])
    assert representatives(more, 5) == ["x7", "x1", "x5", "x3", "x2"]


def test_examples_come_from_distinct_citizens_first() -> None:
    members = _topic([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [50, 40, 1, 0, 2, 0], ["k", "k", "m", "n", None, None])
    assert representatives(members, 3) == ["x0", "x2", "x1"]  # central x0..x2: k's second idea comes last
    # central: x0..x4; by likes x0, x1, x4, x2, x3; k's second idea (x1) waits for the other citizens' ideas
    assert representatives(members, 5) == ["x0", "x4", "x2", "x3", "x1"]


def test_a_small_topic_shows_all_its_ideas_most_liked_first() -> None:
    members = _topic([0.9, 0.5, 0.7], [0, 5, 2], ["a", "b", "c"])
    assert representatives(members) == ["x1", "x2", "x0"]


def test_analyse_picks_liked_examples_among_the_central_ones() -> None:
    liked = _ideas(DANISH).assign(like_count=[0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 30])
    run = analyse(liked, language="da", backend="tfidf", k=2)
    scores = run.assignments.set_index("idea_id")["score"]
    likes = liked.set_index("idea_id")["like_count"]
    topic_of = run.assignments.set_index("idea_id")["topic_id"]
    for _, row in run.topics.iterrows():
        members = scores[topic_of[topic_of == row["topic_id"]].index].sort_values(ascending=False, kind="stable")
        reps = list(row["representative_ids"])
        assert len(reps) == min(5, len(members))
        central = members.index[: max(5, -(-len(members) // 2))].tolist()
        assert set(reps) <= set(central)  # never an idea outside the central half
        first = [i for i in central if likes[i] > 0]
        assert reps[: len(first)] == first  # the liked ideas of the centre come first


SQUARE = ["Flere bænke og blomster på torvet", "Plant blomster og sæt bænke ved torvet",
          "Bænke med blomsterkummer på torvet tak", "Blomster og bænke ved biblioteket og torvet"]


def test_a_free_topic_that_is_a_theme_takes_its_label_and_id() -> None:
    """Nobody writes the dog theme's seed word, so the theme anchors no idea; the dog ideas' own topic is that theme
    in all but name (its centre is clearly closest to the theme's text) and takes the theme's label and id, while
    the topic about benches and flowers, which no theme foresaw, keeps a label of its own words."""
    themes = [{"label": "Hunde i byen", "seeds": ["luftegård"]}, {"label": "Cykler", "seeds": ["cykelsti"]}]
    ideas = _ideas(DANISH + SQUARE)
    run = analyse(ideas, language="da", themes=themes, backend="tfidf")
    assert run.params["free_topics_into_themes"] == 1
    topic_of = run.assignments.set_index("idea_id")["topic_id"]
    labels = run.topics.set_index("topic_id")["label"]
    dogs = {labels[t] for t in topic_of[[f"i{n}" for n in range(6, 12)]]}
    assert dogs == {"Hunde i byen"}
    assert run.params["themes"]["Hunde i byen"] == labels.index[labels == "Hunde i byen"][0]  # the theme's own id
    square = {labels[t] for t in topic_of[[f"i{n}" for n in range(12, 16)]]}
    assert len(square) == 1 and square.pop() not in ("Hunde i byen", "Cykler", "Andet")


def test_themes_of_topics_needs_the_margin_and_the_themes_own_closeness() -> None:
    themes = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    centres = np.array([
        [0.9, 0.1, 0.4],   # theme 0's centre: cosine 0.91 to its text
        [0.0, 0.0, 0.0],   # theme 1: no ideas
        [0.95, 0.05, 0.2],  # free: closer to theme 0's text than theme 0's own centre -> theme 0
        [0.6, 0.1, 0.8],   # free: clearly nearest theme 0, but less close than its own centre -> stays free
        [0.1, 0.5, 0.9],   # free: nearest the empty theme 1 by the margin -> theme 1
        [0.5, 0.45, 0.7],  # free: no clear margin between the themes -> stays free
    ])
    assert themes_of_topics(centres, themes, 2, 0.1) == {2: 0, 4: 1}
    assert themes_of_topics(centres, themes, 0, 0.1) == {}
