"""models.topics.analyse: schema, quality on clear themes, labels, support, Andet, determinism and stable ids."""

import itertools

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sklearn.metrics import normalized_mutual_info_score

from models.topics import TOPIC_COLUMNS, analyse
from transforms.text import clean_text

THEMES = {
    "cykel": [
        "flere cykelstier",
        "belysning på cykelstien",
        "bredere cykelstier",
        "cykelparkering ved stationen",
        "sikre cykelstier til skolen",
        "cykelstierne skal ryddes for sne",
    ],
    "leg": [
        "en legeplads med gynger",
        "legepladsen trænger til en rutsjebane",
        "gynger og sandkasse til børnene",
        "en stor legeplads for børn",
        "klatrestativ på legepladsen",
        "børnene mangler en legeplads",
    ],
    "grøn": [
        "plant flere træer og blomster",
        "en grøn park med træer",
        "frugttræer og blomster i parken",
        "flere træer langs vejen",
        "blomsterenge i parken",
        "en park med bænke under træerne",
    ],
    "hund": [
        "en hundeskov med hegn",
        "hundeskoven skal have affaldsspande",
        "indhegnet hundeskov til store hunde",
        "hundeposer ved hundeskoven",
        "en hundeskov ved søen",
        "vand til hundene i hundeskoven",
    ],
}
PREFIXES = ["Jeg ønsker", "Det kunne være godt med", "Hvad med", "Vi mangler", "Forslag:"]


def make_ideas(themes: dict[str, list[str]], start: int = 0) -> pd.DataFrame:
    rows = []
    for theme, phrases in themes.items():
        for i, (prefix, phrase) in enumerate(itertools.product(PREFIXES, phrases)):
            n = start + len(rows)
            rows.append(
                {
                    "idea_id": f"i{n:04d}",
                    "text": f"{prefix} {phrase}",
                    "author_key": f"a{n % 17}",
                    "like_count": i % 4,
                    "theme": theme,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture()
def ideas() -> pd.DataFrame:
    """120 ideas on four themes (cycling, playgrounds, green, dog park)."""
    return make_ideas(THEMES)


def _previous(run):
    return run.assignments.merge(run.topics[["topic_id", "label"]], on="topic_id")[["idea_id", "topic_id", "label"]]


def test_output_schema(ideas):
    run = analyse(ideas)
    assert list(run.assignments.columns) == ["idea_id", "topic_id", "score", "rank"]
    assert list(run.topics.columns) == TOPIC_COLUMNS
    assert run.assignments["idea_id"].tolist() == ideas["idea_id"].tolist()
    assert run.assignments["topic_id"].dtype == np.int64
    assert (run.assignments.groupby("topic_id")["rank"].min() == 1).all()
    assert all(3 <= len(r) <= 5 for r in run.topics.loc[run.topics["topic_id"] > 0, "representative_ids"])
    assert run.params["k"] >= 2 and "silhouette" in run.params["criterion"]


def test_clear_themes_are_found_with_automatic_k(ideas):
    run = analyse(ideas)
    assert normalized_mutual_info_score(ideas["theme"], run.assignments["topic_id"]) > 0.8


def test_labels_and_keywords_are_real_words_from_the_ideas(ideas):
    run = analyse(ideas)
    vocabulary = set(" ".join(clean_text(t) for t in ideas["text"]).replace(":", " ").split())
    for label, keywords in run.topics.loc[run.topics["topic_id"] > 0, ["label", "keywords"]].itertuples(index=False):
        assert label and label[0].isupper()  # topic 0 is always "Andet", by contract
        for word in [*label.lower().replace(" · ", " ").split(), *keywords.split("; ")]:  # phrases: word by word
            assert word in vocabulary, word
    assert run.topics["label"].is_unique


def test_support_counts_ideas_authors_and_likes(ideas):
    run = analyse(ideas)
    merged = ideas.merge(run.assignments, on="idea_id")
    topic = run.topics.iloc[0]
    members = merged[merged["topic_id"] == topic["topic_id"]]
    assert topic["n_ideas"] == len(members)
    assert topic["n_authors"] == members["author_key"].nunique()
    assert topic["total_likes"] == members["like_count"].sum()
    assert run.topics["n_ideas"].sum() == len(ideas)
    assert set(topic["representative_ids"]) <= set(members["idea_id"])


def test_ideas_without_words_go_to_andet(ideas):
    extra = pd.DataFrame(
        {"idea_id": ["e1", "e2"], "text": ["😍😍", None], "author_key": [None, None], "like_count": [0, None]}
    )
    run = analyse(pd.concat([ideas, extra], ignore_index=True))
    andet = run.assignments.set_index("idea_id").loc[["e1", "e2"], "topic_id"]
    assert (andet == 0).all()
    assert run.topics.set_index("topic_id").loc[0, "label"] == "Andet"


def test_same_input_gives_same_topics_and_labels(ideas):
    first, second = analyse(ideas), analyse(ideas.copy())
    assert_frame_equal(first.assignments, second.assignments)
    assert_frame_equal(first.topics, second.topics)


def test_k_can_be_given(ideas):
    assert analyse(ideas, k=3).params["k"] == 3


def test_topics_keep_their_ids_when_ideas_are_added(ideas):
    rng = np.random.default_rng(1)
    old = ideas.iloc[np.sort(rng.choice(len(ideas), 100, replace=False))]
    first = analyse(old)
    second = analyse(ideas, _previous(first))
    kept = first.assignments.merge(second.assignments, on="idea_id", suffixes=("_old", "_new"))
    assert (kept["topic_id_old"] == kept["topic_id_new"]).mean() >= 0.95
    assert set(first.topics["topic_id"]) <= set(second.topics["topic_id"])
    assert set(second.topics["status"]) <= {"stable", "growing"}


def test_a_new_theme_gets_a_new_id_and_status_new(ideas):
    first = analyse(ideas)
    new_theme = make_ideas(
        {
            "bad": [
                "en badebro ved søen",
                "badebroen skal have en stige",
                "en badestrand med badebro",
                "vinterbadning fra badebroen",
                "en ny badebro",
                "badebro og sauna ved søen",
            ]
        },
        start=len(ideas),
    )
    second = analyse(pd.concat([ideas, new_theme], ignore_index=True), _previous(first))
    topics = second.topics.set_index("topic_id")
    new_ids = sorted(set(topics.index) - set(first.topics["topic_id"]))
    assert new_ids and new_ids[0] == first.topics["topic_id"].max() + 1
    assert (topics.loc[new_ids, "status"] == "new").all()
    bad = second.assignments.merge(new_theme, on="idea_id")["topic_id"]
    assert bad.isin(new_ids).mean() > 0.8
    assert "badebro" in " ".join(topics.loc[new_ids, "keywords"])


def test_very_few_ideas_make_one_topic():
    run = analyse(make_ideas({"cykel": THEMES["cykel"][:1]}).head(3))
    assert run.assignments["topic_id"].tolist() == [1, 1, 1]
    assert len(run.topics) == 1


def test_no_ideas():
    run = analyse(pd.DataFrame(columns=["idea_id", "text", "author_key", "like_count"]))
    assert run.assignments.empty and run.topics.empty


SEED_THEMES = [
    {"label": "Cykler og stier", "seeds": ["cykelsti", "belysning"]},
    {"label": "Leg", "seeds": ["legeplads", "gynger"]},
]


def _topic_of(run, idea_ids) -> pd.Series:
    return run.assignments.set_index("idea_id").loc[list(idea_ids), "topic_id"]


def test_a_seed_theme_gets_its_ideas_in_inflected_and_compound_forms(ideas):
    extra = make_ideas(
        {"over": ["grønt på motorvejsoverdækningen", "motorvejen larmer", "træer ved motorvejen"]}, start=len(ideas)
    )
    data = pd.concat([ideas, extra], ignore_index=True)
    themes = [*SEED_THEMES, {"label": "Overdækning", "seeds": ["overdækning"]}]
    run = analyse(data, themes=themes)
    ids = run.params["themes"]
    labels = run.topics.set_index("topic_id")["label"]
    assert [labels[ids[t["label"]]] for t in themes] == [t["label"] for t in themes]  # the planner's labels
    inflected = data.loc[data["text"].str.contains("cykelstie|belysning"), "idea_id"]  # cykelstierne, cykelstien
    assert (_topic_of(run, inflected) == ids["Cykler og stier"]).all()
    compound = data.loc[data["text"].str.contains("motorvejsoverdækningen"), "idea_id"]
    assert (_topic_of(run, compound) == ids["Overdækning"]).all()


def test_free_topics_still_find_an_unforeseen_theme_next_to_seeded_ones(ideas):
    run = analyse(ideas, themes=SEED_THEMES)
    dogs = _topic_of(run, ideas.loc[ideas["theme"] == "hund", "idea_id"])
    main = dogs.mode()[0]
    assert main not in set(run.params["themes"].values()) | {0}
    assert (dogs == main).mean() >= 0.8
    assert "hund" in run.topics.set_index("topic_id").loc[main, "keywords"]


def test_seed_theme_ids_are_stable_across_runs(ideas):
    rng = np.random.default_rng(2)
    old = ideas.iloc[np.sort(rng.choice(len(ideas), 100, replace=False))]
    first = analyse(old, themes=SEED_THEMES)
    added = [{"label": "Hunde", "seeds": ["hundeskov"]}]
    second = analyse(ideas, _previous(first), themes=[*reversed(SEED_THEMES), *added])
    for label, topic_id in first.params["themes"].items():
        assert second.params["themes"][label] == topic_id
    assert second.params["themes"]["Hunde"] > first.topics["topic_id"].max()
    free_ids = set(second.topics["topic_id"]) - set(second.params["themes"].values()) - {0}
    assert not free_ids & set(first.params["themes"].values())  # a free topic never takes a theme's id


def test_seeded_runs_are_deterministic(ideas):
    first, second = analyse(ideas, themes=SEED_THEMES), analyse(ideas.copy(), themes=SEED_THEMES)
    assert_frame_equal(first.assignments, second.assignments)
    assert_frame_equal(first.topics, second.topics)


PLACEHOLDERS = ("[navn]", "[email]", "[telefon]", "[cpr]")


def test_labels_and_keywords_never_show_redaction_placeholders(ideas):
    # Redacted ideas: the placeholders cluster in one theme, so they would be its most distinctive "words".
    redacted = ideas.copy()
    dogs = redacted["theme"] == "hund"
    redacted.loc[dogs, "text"] = [
        f"{text} {PLACEHOLDERS[i % 4]} {PLACEHOLDERS[(i + 1) % 4]}s"
        for i, text in enumerate(redacted.loc[dogs, "text"])
    ]
    run = analyse(redacted)
    shown = " ".join([*run.topics["label"].str.lower(), *run.topics["keywords"]])
    for piece in ("navn", "email", "telefon", "cpr"):
        assert piece not in shown, piece
    assert normalized_mutual_info_score(ideas["theme"], run.assignments["topic_id"]) > 0.8


def test_labels_name_the_topic_rather_than_what_people_want_to_do(ideas):
    # Every idea of the fifth theme says "komme" and "holde" (after modal verbs): the most frequent words of the
    # topic, yet verbs; the label should name what is held.
    events = ["koncerter", "sommerfest", "loppemarked", "julemarked", "fællesspisning", "markedsdage"]
    party = {"fest": [f"alle skal komme, vi kan holde {event}" for event in events]}
    more = pd.concat([ideas, make_ideas(party, start=len(ideas))], ignore_index=True)
    run = analyse(more)
    members = more.merge(run.assignments, on="idea_id").groupby("topic_id")["theme"].agg(lambda s: s.mode()[0])
    label = run.topics.set_index("topic_id").loc[members[members == "fest"].index[0], "label"].lower()
    assert "komme" not in label and "holde" not in label
    assert set(label.split(" · ")) <= set(events)


def test_labels_and_keywords_skip_closed_class_words_and_capitalise_place_names(ideas):
    # Every idea of the fifth theme says "gerne" and "kl" and names Aarhus inside a sentence: frequent in the topic,
    # yet an adverb and an abbreviation; the place is shown as it is written.
    routes = ["bybus", "natbus", "regionalbus", "togforbindelse", "pendlerbus", "flextrafik"]
    bus = {"bus": [f"vi vil gerne have en {r} til Aarhus efter kl 22" for r in routes]}
    more = pd.concat([ideas, make_ideas(bus, start=len(ideas))], ignore_index=True)
    run = analyse(more)
    words = {w for kw in run.topics["keywords"] for w in kw.split("; ")}
    assert "gerne" not in words and "kl" not in words
    labels = " · ".join(run.topics["label"]).lower().split(" · ")
    assert "gerne" not in labels and "kl" not in labels
    assert "Aarhus" in words and "aarhus" not in words
